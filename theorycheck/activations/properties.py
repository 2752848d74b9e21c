"""Properties of an activation: values at 0, parity, bounds, monotonicity, convexity, kinks, growth.

Each property is decided symbolically where a cheap SymPy route exists and numerically
otherwise; ``ActivationProperties.decided_by[name]`` says which ("symbolic"/"numeric").

Methods and their cost (all bounded; no unbounded ``simplify``); one-sided values live in
``branches``, kinks in ``kinks``, parity, growth and signs in ``shape``:
- one-sided values at a point p (``psi0``, ``dpsi0``, kinks): every non-smooth node
  (Piecewise, Heaviside, Abs, sign, Max, Min, DiracDelta) is replaced by the branch valid just
  to one side of p (decided by 50-digit evaluation at p +- 1e-30), then the resulting analytic
  expression is evaluated at p exactly;
- kinks: candidate points are the zeros of the arguments/conditions of non-smooth nodes
  (exact real roots for polynomials, else a sign-change scan on [-100, 100] refined by
  ``mpmath.findroot``); a candidate is a kink when a one-sided value of psi, psi' or psi''
  differs (psi is not C^2 there);
- parity: 30-digit mpmath comparison of psi(x) and psi(-x) at 24 points; a match is then
  confirmed symbolically when ``psi(-x) +- psi(x)`` simplifies to 0 (small expressions only);
- limits and growth at +-inf: ``sympy.limit`` on the branch valid at infinity (expressions
  with at most 80 operations, at most ``SYMBOLIC_SECONDS`` of wall clock), else 30-digit
  evaluation at |x| up to 1e6;
- monotone / concave / convex: the sign of psi' / psi'' on a grid of 3001 points spanning
  |x| in [1e-6, 1e3] (numpy), each apparent counterexample confirmed at 30 digits; when a
  counterexample is exact (SymPy decides its sign at a rational point) it is "symbolic".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import sympy as sp

from theorycheck.activations.branches import UnresolvedError, differ
from theorycheck.activations.kinks import sides, sides_numeric
from theorycheck.activations.protocol import NUMERIC, SYMBOLIC, SymbolicActivation
from theorycheck.activations.shape import GRID, POS, growth, num_sign, parity_of, signs


@dataclass(frozen=True)
class ActivationProperties:
    """What is known about psi; ``decided_by`` maps each property name to symbolic/numeric.

    ``dpsi0`` is None where psi' is undefined at 0 (one-sided values ``dpsi0_left`` and
    ``dpsi0_right`` differ). ``growth_neg``/``growth_pos`` are "bounded", "polynomial",
    "exponential" (faster than every polynomial, slower than exp(c x^2)) or "super-gaussian"
    (at least exp(c x^2)), or "unknown" where psi cannot be evaluated far out (e.g. sin of an
    astronomically large argument); ``gaussian_c`` is that c (0.0 unless super-gaussian, inf
    for faster growth).
    ``monotone`` is "increasing"/"decreasing" in the weak sense (psi' >= 0 / <= 0), else "no".
    """

    psi0: sp.Expr
    dpsi0: sp.Expr | None
    dpsi0_left: sp.Expr
    dpsi0_right: sp.Expr
    parity: str
    bounded: bool
    monotone: str
    concave_on_positive: bool
    convex_on_positive: bool
    smooth: bool
    kinks: tuple[sp.Expr, ...]
    limit_neg: sp.Expr | None
    limit_pos: sp.Expr | None
    growth_neg: str
    growth_pos: str
    gaussian_c: float
    max_gaussian_variance: float
    decided_by: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The properties as JSON-friendly values (SymPy numbers as strings)."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if isinstance(v, sp.Basic):
                out[k] = str(v)
            elif isinstance(v, tuple):
                out[k] = [str(p) for p in v]
            else:
                out[k] = v
        return out


def compute_properties(act: SymbolicActivation) -> ActivationProperties:
    """Decide every property of ``act`` (symbolically where cheap, numerically otherwise)."""
    x = act.x
    by: dict[str, str] = {}
    psi0 = act.expr.subs(x, 0)
    by["psi0"] = SYMBOLIC
    kinks, jumps, by["kinks"] = act.kink_info
    by["smooth"] = by["kinks"]
    try:
        left, right = sides(act, 1, sp.S.Zero)
        by["dpsi0"] = SYMBOLIC
    except UnresolvedError:
        left, right = sides_numeric(act, 1, sp.S.Zero)
        by["dpsi0"] = NUMERIC
    at0 = next((j for p, j in jumps.items() if p == 0), (sp.S.Zero, sp.S.Zero))
    # psi'(0) exists when the one-sided derivatives agree and psi itself does not jump at 0
    dpsi0 = None if differ(left, right) or at0[0] != 0 else right
    if dpsi0 is not None and dpsi0.is_Float and dpsi0 == int(dpsi0):
        dpsi0 = sp.Integer(int(dpsi0))
    parity, by["parity"] = parity_of(act)
    gneg, lneg, cneg, how_neg = growth(act, -1)
    gpos, lpos, cpos, how_pos = growth(act, 1)
    by["growth"] = SYMBOLIC if how_neg == how_pos == SYMBOLIC else NUMERIC
    by["bounded"] = by["limits"] = by["max_gaussian_variance"] = by["growth"]
    c = max(cneg, cpos)
    maxvar = math.inf if c == 0 else (0.0 if math.isinf(c) else 1.0 / (4.0 * c))
    # monotone: the sign of psi' on a grid, together with the jumps of psi at its kinks
    s1 = signs(act, 1, GRID)
    up = [j[0] for j in jumps.values() if num_sign(j[0]) > 0]
    down = [j[0] for j in jumps.values() if num_sign(j[0]) < 0]
    has_neg, has_pos = s1[-1] is not None or bool(down), s1[1] is not None or bool(up)
    monotone = "increasing" if has_pos and not has_neg else \
        "decreasing" if has_neg and not has_pos else "no"
    by["monotone"] = SYMBOLIC if monotone == "no" and s1[-1] == s1[1] == SYMBOLIC else NUMERIC
    # concave / convex on (0, inf): psi'' on a grid; at kinks in (0, inf) psi must not jump
    # and psi' may only jump down (concave) / up (convex)
    s2 = signs(act, 2, POS)
    pos_jumps = [j for p, j in jumps.items() if float(p) > 0]
    concave = s2[1] is None and all(j[0] == 0 and num_sign(j[1]) <= 0 for j in pos_jumps)
    convex = s2[-1] is None and all(j[0] == 0 and num_sign(j[1]) >= 0 for j in pos_jumps)
    by["concave_on_positive"] = s2[1] if s2[1] == SYMBOLIC else NUMERIC
    by["convex_on_positive"] = s2[-1] if s2[-1] == SYMBOLIC else NUMERIC
    return ActivationProperties(
        psi0=psi0, dpsi0=dpsi0, dpsi0_left=left, dpsi0_right=right, parity=parity,
        bounded=gneg == gpos == "bounded", monotone=monotone,
        concave_on_positive=concave, convex_on_positive=convex,
        smooth=not kinks, kinks=kinks, limit_neg=lneg, limit_pos=lpos,
        growth_neg=gneg, growth_pos=gpos, gaussian_c=c, max_gaussian_variance=maxvar,
        decided_by=by)
