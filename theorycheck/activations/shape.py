"""Shape of an activation: parity, limits and growth at +-inf, the signs of psi' and psi''.

- parity: 30-digit mpmath comparison of psi(x) and psi(-x) at 24 points; a match is then
  confirmed symbolically when ``psi(-x) +- psi(x)`` simplifies to 0 (small expressions only);
- limits and growth at +-inf: ``sympy.limit`` on the branch valid at infinity (expressions
  with at most 80 operations, at most ``SYMBOLIC_SECONDS`` of wall clock), else 30-digit
  evaluation at |x| up to 1e6;
- signs of psi^(k) on a grid of 3001 points spanning |x| in [1e-6, 1e3] (numpy), each apparent
  sign confirmed at 30 digits, "symbolic" when SymPy decides it at a rational point.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from theorycheck.activations.branches import NONSMOOTH, UnresolvedError, resolve_branches
from theorycheck.activations.protocol import NUMERIC, SYMBOLIC, SymbolicActivation
from theorycheck.timing import StepTimeoutError, time_limit

_FAR = sp.Integer(10) ** 30
_MAX_OPS_SYMBOLIC = 80
#: wall-clock seconds one symbolic decision (a limit, a simplification) may take before the
#: numeric route decides instead (nested tanh(tanh(tanh(...))) sends sympy.limit into minutes)
SYMBOLIC_SECONDS = 2.0

# ---------------------------------------------------------------------------------------------
# parity


_PARITY_POINTS = ("0.1", "0.25", "0.3713", "0.5", "0.77", "1", "1.2345", "1.5", "2", "2.71",
                  "3", "3.3", "4.5", "5", "6.1", "7.77", "10", "13.7", "20", "31", "50", "77.7",
                  "100", "300")


def parity_of(act: SymbolicActivation) -> tuple[str, str]:
    f = act.mpmath(0)
    odd = even = True
    witness_odd = witness_even = None
    with mp.workdps(30):
        for s in _PARITY_POINTS:
            p = mp.mpf(s)
            a, b = f(p), f(-p)
            if not (mp.isfinite(a) and mp.isfinite(b)):
                continue
            tol = mp.mpf("1e-24") * (1 + abs(a))
            if odd and abs(a + b) > tol:
                odd, witness_odd = False, s
            if even and abs(a - b) > tol:
                even, witness_even = False, s
    x = act.x
    if not odd and not even:
        exact = all(_exact_nonzero(act.expr, sp.Rational(w), sign, x)
                    for w, sign in ((witness_odd, 1), (witness_even, -1)))
        return "neither", SYMBOLIC if exact else NUMERIC
    kind, sign = ("odd", 1) if odd else ("even", -1)
    return kind, SYMBOLIC if _symbolic_zero(act.expr.subs(x, -x) + sign * act.expr) \
        else NUMERIC


def _exact_nonzero(expr: sp.Expr, p: sp.Expr, sign: int, x: sp.Symbol) -> bool:
    try:
        v = expr.subs(x, -p) + sign * expr.subs(x, p)
        return bool(v.is_zero is False)
    except (TypeError, ValueError):
        return False


def _symbolic_zero(d: sp.Expr) -> bool:
    if d == 0:
        return True
    if sp.count_ops(d) > _MAX_OPS_SYMBOLIC:
        return False
    try:
        with time_limit(SYMBOLIC_SECONDS):
            if d.has(*NONSMOOTH):
                d = sp.piecewise_fold(d.rewrite(sp.Piecewise))
            return bool(sp.simplify(d) == 0)
    except (TypeError, ValueError, NotImplementedError, AttributeError, StepTimeoutError):
        return False


_T = sp.Symbol("t", positive=True)


def _growth_symbolic(act: SymbolicActivation, side: int) -> tuple[str, sp.Expr | None, float]:
    x = act.x
    r = resolve_branches(act.expr, side * _FAR, x)
    g = r.subs(x, side * _T)
    if sp.count_ops(g) > _MAX_OPS_SYMBOLIC:
        raise UnresolvedError
    lim = sp.limit(g, _T, sp.oo)
    if isinstance(lim, sp.AccumBounds):
        if lim.min.is_finite and lim.max.is_finite:
            return "bounded", None, 0.0
        raise UnresolvedError
    if lim.is_finite:
        return "bounded", lim, 0.0
    if lim not in (sp.oo, -sp.oo):
        raise UnresolvedError
    a = sp.log(g if lim == sp.oo else -g)
    if sp.limit(a / sp.log(_T), _T, sp.oo).is_finite:
        return "polynomial", lim, 0.0
    c = sp.limit(a / _T**2, _T, sp.oo)
    if c == 0:
        return "exponential", lim, 0.0
    if c.is_positive:
        return "super-gaussian", lim, math.inf if c == sp.oo else float(c)
    raise UnresolvedError


def _growth_numeric(act: SymbolicActivation, side: int) -> tuple[str, sp.Expr | None, float]:
    f = act.mpmath(0)
    ts = [1, 10, 100, 1e3, 1e4, 1e5, 1e6]
    logs: list[Any] = []
    with mp.workdps(30):
        for t in ts:
            vals = []
            for u in (t, t * 1.01, t * 1.1):
                try:
                    v = abs(f(mp.mpf(side * u)))
                except (ZeroDivisionError, ValueError, OverflowError):
                    v = mp.inf
                if not mp.isnan(v):
                    vals.append(v)
            if not vals:
                return "unknown", None, 0.0
            m = max(vals)
            logs.append(mp.log(m) if m > 0 else mp.mpf(-1000))
        lim = None
        if all(mp.isfinite(v) for v in logs) and logs[-1] - max(logs[:3]) < 1e-3:
            with mp.workdps(15):
                vals = [f(mp.mpf(side * 1e6)), f(mp.mpf(side * 1e7))]
            if abs(vals[0] - vals[1]) < 1e-6 * (1 + abs(vals[0])):
                lim = sp.Float(mp.nstr(vals[1], 15), 15)
            return "bounded", lim, 0.0
        if not mp.isfinite(logs[-1]):
            return "super-gaussian", sp.oo, math.inf
        if logs[-1] / mp.log(1e6) < 66:
            return "polynomial", sp.oo, 0.0
        c6, c4 = logs[-1] / mp.mpf(1e12), logs[-3] / mp.mpf(1e8)
        if c6 > 0 and c6 / c4 > 0.5:
            return "super-gaussian", sp.oo, float(c6)
        return "exponential", sp.oo, 0.0


def growth(act: SymbolicActivation, side: int) -> tuple[str, sp.Expr | None, float, str]:
    try:
        with time_limit(SYMBOLIC_SECONDS):
            return (*_growth_symbolic(act, side), SYMBOLIC)
    except (UnresolvedError, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError, StepTimeoutError):
        return (*_growth_numeric(act, side), NUMERIC)


POS = np.logspace(-6.0, 3.0, 1500)
GRID = np.concatenate([-POS[::-1], [0.0], POS])


def signs(act: SymbolicActivation, k: int, grid: np.ndarray) -> dict[int, str | None]:
    """For sign -1 and +1: how a value of psi^(k) of that sign on ``grid`` was confirmed.

    None when there is none (beyond rounding); "symbolic" when SymPy decides the sign at the
    witness point exactly, "numeric" when only the 30-digit evaluation confirms it.
    """
    v = np.asarray(act.numpy(k)(grid), dtype=np.float64)
    finite = np.isfinite(v)
    scale = float(np.max(np.abs(v[finite]))) if finite.any() else 1.0
    tol = 1e-12 * max(scale, 1e-300)
    f = act.mpmath(k)
    found: dict[int, str | None] = {}
    for sgn in (-1, 1):
        cands = np.flatnonzero((sgn * v > tol) | (~finite & (sgn * v > 0)))
        found[sgn] = None
        with mp.workdps(30):
            for i in cands[:: max(1, len(cands) // 20)][:25]:
                val = f(mp.mpf(float(grid[i])))
                if sgn * val > mp.mpf("1e-25") * (1 + scale):
                    found[sgn] = _exact_sign(act.derivative(k), float(grid[i]), sgn, act.x)
                    break
    return found


def num_sign(v: sp.Expr) -> int:
    f = float(sp.N(v, 20))
    return 0 if f == 0 else (1 if f > 0 else -1)


def _exact_sign(d: sp.Expr, p: float, sgn: int, x: sp.Symbol) -> str:
    try:
        v = d.subs(x, sp.Rational(p))
        ok = v.is_negative if sgn < 0 else v.is_positive
        return SYMBOLIC if ok else NUMERIC
    except (TypeError, ValueError):
        return NUMERIC
