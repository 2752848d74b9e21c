"""One-sided analysis of non-smooth expressions: the analytic branch valid just beside a point.

Every non-smooth node (Piecewise, Heaviside, Abs, sign, Max, Min, DiracDelta) is replaced by the
branch valid just to one side of p (decided by 50-digit evaluation at p +- 1e-30, or +- 1e-18
for numerically located p), then the resulting analytic expression is evaluated at p exactly
(``sympy.limit`` where that gives 0/0).  Cost: one 50-digit evaluation per node.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import sympy as sp
from sympy.core.relational import Relational

NONSMOOTH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.DiracDelta)
_SIDE_EPS = sp.Rational(1, 10**30)
#: side offset for numerically located points (known to about 28 digits)
_SIDE_EPS_INEXACT = sp.Rational(1, 10**18)


class UnresolvedError(Exception):
    """A non-smooth node whose branch could not be decided at a test point."""


# ---------------------------------------------------------------------------------------------
# branch resolution: the analytic expression valid just to one side of a point


def _num(e: sp.Expr, at: sp.Expr, x: sp.Symbol) -> sp.Expr:
    v = sp.sympify(e).subs(x, at).evalf(50)
    if not v.is_number or v.has(sp.nan, sp.zoo) or v.is_real is False:
        raise UnresolvedError
    return v


def _sgn(e: sp.Expr, at: sp.Expr, x: sp.Symbol) -> int:
    v = _num(e, at, x)
    if v.is_infinite:
        return 1 if v > 0 else -1
    if abs(v) < sp.Float("1e-45"):
        raise UnresolvedError
    return 1 if v > 0 else -1


def _truth(cond: Any, at: sp.Expr, x: sp.Symbol) -> bool:
    if cond is sp.true or cond is True:
        return True
    if cond is sp.false or cond is False:
        return False
    if isinstance(cond, sp.And):
        return all(_truth(c, at, x) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_truth(c, at, x) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _truth(cond.args[0], at, x)
    if isinstance(cond, Relational):
        s = _sgn(cond.lhs - cond.rhs, at, x)
        return bool(type(cond)(s, 0))
    raise UnresolvedError


def resolve_branches(expr: sp.Expr, at: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Replace every non-smooth node of ``expr`` by its branch valid at the test point ``at``."""
    if not isinstance(expr, sp.Basic) or not expr.has(*NONSMOOTH):
        return expr
    if isinstance(expr, sp.Piecewise):
        for val, cond in expr.args:
            if _truth(cond, at, x):
                return resolve_branches(val, at, x)
        raise UnresolvedError
    if isinstance(expr, sp.DiracDelta):
        _sgn(expr.args[0], at, x)
        return sp.S.Zero
    args = [resolve_branches(a, at, x) for a in expr.args]
    if isinstance(expr, sp.Heaviside):
        return sp.S.One if _sgn(args[0], at, x) > 0 else sp.S.Zero
    if isinstance(expr, sp.Abs):
        return _sgn(args[0], at, x) * args[0]
    if isinstance(expr, sp.sign):
        return sp.Integer(_sgn(args[0], at, x))
    if isinstance(expr, (sp.Max, sp.Min)):
        vals = [_num(a, at, x) for a in args]
        best = max(range(len(vals)), key=lambda i: vals[i]) if isinstance(expr, sp.Max) \
            else min(range(len(vals)), key=lambda i: vals[i])
        return args[best]
    return expr.func(*args)


def one_sided(expr: sp.Expr, p: sp.Expr, side: int, x: sp.Symbol) -> sp.Expr:
    """The limit of ``expr`` as x -> p from the left (side=-1) or right (side=+1)."""
    eps = _SIDE_EPS if not p.has(sp.Float) else _SIDE_EPS_INEXACT
    r = resolve_branches(expr, p + side * eps, x)
    v = r.subs(x, p)
    if v.has(sp.nan, sp.zoo) or v.is_finite is False:
        v = sp.limit(r, x, p, "+" if side > 0 else "-")
    return v


def mp_one_sided(f: Any, p: Any, side: int) -> Any:
    with mp.workdps(40):
        pm = mp.mpf(sp.Float(p, 45)._as_mpf_val(mp.mp.prec)) if isinstance(p, sp.Basic) \
            else mp.mpf(p)
        return f(pm + side * mp.mpf("1e-18"))


def differ(a: Any, b: Any) -> bool:
    try:
        av, bv = complex(sp.N(a, 30)), complex(sp.N(b, 30))
    except (TypeError, ValueError):
        return True
    if not (math.isfinite(abs(av)) and math.isfinite(abs(bv))):
        return True
    return abs(av - bv) > 1e-20 * (1 + abs(av))
