"""Jumps of an activation: the points x0 where psi itself is discontinuous, and by how much.

A jump J = psi(x0+) - psi(x0-) makes the distributional derivative carry a point mass,
psi' = psi'_ac + sum_j J_j delta(x - x0_j), so E[psi'(u)] gains J_j phi_q(x0_j) (Stein's lemma)
and E[psi'(u)^2] is infinite (seed 000 Eq. (17): chi1 = inf).  A kink (psi continuous, psi'
discontinuous) is not a jump.  The points and sizes come from
:func:`~theorycheck.activations.kinks.find_kinks` (exact SymPy where the switching condition
is solvable, else 30-digit Floats); the one-sided values from the same branch analysis.
Cost: that of ``find_kinks`` (already cached on the Activation) plus two one-sided limits per jump.
"""

from __future__ import annotations

import sympy as sp

from theorycheck.activations.branches import UnresolvedError
from theorycheck.activations.kinks import sides, sides_numeric
from theorycheck.activations.protocol import SymbolicActivation

#: (x0, psi(x0-), psi(x0+)) for each jump, sorted by x0
JumpLimits = tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...]


def find_jumps(act: SymbolicActivation) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
    """((x0, J), ...): every x0 with psi(x0+) - psi(x0-) = J != 0, sorted by x0."""
    kinks, steps, _how = act.kink_info
    return tuple((p, steps[p][0]) for p in kinks if steps[p][0] != 0)


def jump_limits(act: SymbolicActivation) -> JumpLimits:
    """(x0, psi(x0-), psi(x0+)) for each jump (exact where the branches resolve)."""
    out = []
    for p, _j in find_jumps(act):
        try:
            left, right = sides(act, 0, p)
        except UnresolvedError:
            left, right = sides_numeric(act, 0, p)
        out.append((p, left, right))
    return tuple(out)


def is_piecewise_constant(act: SymbolicActivation) -> bool:
    """Whether psi'_ac = 0, i.e. psi is constant between its jumps (sign, Heaviside, steps).

    psi' with every DiracDelta (the point masses) set to 0 must simplify to 0 symbolically;
    then a finite network's Jacobian is 0 almost everywhere.
    """
    d = act.derivative(1).replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    if d == 0:
        return True
    if isinstance(d, sp.Piecewise):
        return all(sp.simplify(v) == 0 for v, _c in d.args)
    return bool(sp.simplify(d) == 0)


def describe_jumps(jumps: tuple[tuple[object, object], ...]) -> str:
    """'psi jumps by 2 at x = 0' (and ', by -1 at x = 1/2' for more): the notes' wording."""
    parts = [f"by {j} at x = {x0}" for x0, j in jumps]
    return "psi jumps " + ", ".join(parts)
