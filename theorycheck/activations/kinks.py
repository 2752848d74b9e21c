"""Kinks of an activation: the points where psi, psi' or psi'' is discontinuous.

Candidate points are the zeros of the arguments/conditions of non-smooth nodes (exact real
roots for polynomials, else a sign-change scan on [-100, 100] refined by ``mpmath.findroot``);
a candidate is a kink when a one-sided value of psi, psi' or psi'' differs (psi is not C^2
there).  One-sided values come from :mod:`~theorycheck.activations.branches` (exact), else from
40-digit evaluation at p +- 1e-18 (numeric).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.core.relational import Relational

from theorycheck.activations._compile import compile_mpmath, compile_numpy
from theorycheck.activations.branches import UnresolvedError, differ, mp_one_sided, one_sided
from theorycheck.activations.protocol import NUMERIC, SYMBOLIC, KinkInfo, SymbolicActivation


def _switch_functions(expr: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    fs: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                if isinstance(cond, sp.Basic):
                    fs.extend(r.lhs - r.rhs for r in cond.atoms(Relational))
        elif isinstance(node, (sp.Heaviside, sp.Abs, sp.sign, sp.DiracDelta)):
            fs.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            a = node.args
            fs.extend(a[i] - a[j] for i in range(len(a)) for j in range(i + 1, len(a)))
    return [f for f in fs if isinstance(f, sp.Expr) and x in f.free_symbols]


def _roots(f: sp.Expr, x: sp.Symbol) -> tuple[list[sp.Expr], bool]:
    """Real zeros of ``f``: exact for low-degree polynomials, else a numeric scan on [-100, 100].

    Numeric roots are 30-digit Floats, replaced by a simple closed form (a rational or
    rational multiple of pi/E, as found by ``nsimplify``) when one matches to 25 digits.
    """
    try:
        if f.is_polynomial(x):
            poly = sp.Poly(f, x)
            deg = poly.degree()
            if deg <= 0:
                return [], True
            coeffs = poly.all_coeffs()
            if deg <= 2 or (deg <= 8 and all(c.is_Rational for c in coeffs)):
                if all(c.is_Rational for c in coeffs):
                    return list(dict.fromkeys(poly.real_roots())), True
                rts = [r for r in sp.roots(poly) if r.is_real]
                if len(rts) == len(sp.roots(poly, multiple=True)) or deg == 1:
                    return rts, not any(c.has(sp.Float) for c in coeffs)
            if deg <= 8:
                return [sp.Float(r, 30) for r in poly.nroots(n=30) if r.is_real], False
    except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
        pass
    return _numeric_roots(f, x), False


def _numeric_roots(f: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    g = compile_numpy(f, x)
    grid = np.linspace(-100.0, 100.0, 20001)
    v = np.asarray(g(grid), dtype=np.float64)
    fm = compile_mpmath(f, x)
    # a root is a sign change; an exact zero counts only with opposite signs around it
    # (1 - erf(x) rounds to 0 far out without ever switching)
    crossing = np.sign(v[:-1]) * np.sign(v[1:]) < 0
    zero = np.zeros_like(crossing)
    zero[1:] = (v[1:-1] == 0) & (np.sign(v[:-2]) * np.sign(v[2:]) < 0)
    idx = np.flatnonzero(crossing | zero)
    roots: list[sp.Expr] = []
    for i in idx[:200]:
        a, b = float(grid[i]), float(grid[i + 1])
        with mp.workdps(40):
            try:
                r = mp.mpf(a) if v[i] == 0 else mp.findroot(fm, (mp.mpf(a), mp.mpf(b)),
                                                               solver="anderson")
            except (ValueError, ZeroDivisionError):
                continue
            if not mp.isfinite(r) or abs(fm(r)) > mp.mpf("1e-25"):
                continue
            rf = sp.Float(mp.nstr(r, 35), 35)
        roots.append(_closed_form(rf))
    return roots


def _closed_form(r: sp.Float) -> sp.Expr:
    """A simple exact number equal to ``r`` to 25 digits, else ``r`` itself."""
    if abs(r) < sp.Float("1e-28"):
        return sp.S.Zero
    try:
        c = sp.nsimplify(r, [sp.pi, sp.E], tolerance=1e-25, rational=False)
    except (ValueError, TypeError, NotImplementedError):
        return r
    if c.has(sp.Float) or sp.count_ops(c) > 6 or abs(sp.N(c - r, 40)) > 1e-25:
        return r
    return c


def find_kinks(act: SymbolicActivation) -> KinkInfo:
    """Sorted points where psi, psi' or psi'' jumps; the jumps of (psi, psi') there; how.

    Candidates come from non-smooth nodes (zeros of their arguments and conditions) in
    [-100, 100] when found numerically, so a periodic family of kinks is truncated there.
    """
    x = act.x
    exact = True
    cands: list[sp.Expr] = []
    for f in _switch_functions(act.expr, x):
        rts, ex = _roots(f, x)
        exact = exact and ex
        cands.extend(rts)
    kinks: list[sp.Expr] = []
    jumps: dict[sp.Expr, tuple[sp.Expr, sp.Expr]] = {}
    uniq: list[sp.Expr] = []
    for p in sorted(set(cands), key=lambda r: float(r)):
        if all(differ(p, q) for q in uniq):
            uniq.append(p)
    for p in uniq:
        steps: list[sp.Expr] = []
        for k in range(3):
            try:
                left, right = sides(act, k, p)
            except UnresolvedError:
                exact = False
                left, right = sides_numeric(act, k, p)
            steps.append(sp.S.Zero if not differ(left, right) else right - left)
        if any(st != 0 for st in steps):
            kinks.append(p)
            jumps[p] = (steps[0], steps[1])
    return tuple(kinks), jumps, SYMBOLIC if exact else NUMERIC


def sides(act: SymbolicActivation, k: int, p: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    d = act.derivative(k)
    try:
        return one_sided(d, p, -1, act.x), one_sided(d, p, 1, act.x)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise UnresolvedError from exc


def sides_numeric(act: SymbolicActivation, k: int, p: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    f = act.mpmath(k)
    left, right = mp_one_sided(f, p, -1), mp_one_sided(f, p, 1)
    left, right = sp.Float(str(left), 30), sp.Float(str(right), 30)
    if abs(left - right) <= sp.Float("1e-12") * (1 + abs(left)):
        right = left
    return left, right
