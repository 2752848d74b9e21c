"""Properties of an activation: values at 0, parity, bounds, monotonicity, convexity, kinks, growth.

Each property is decided symbolically where a cheap SymPy route exists and numerically
otherwise; ``ActivationProperties.decided_by[name]`` says which ("symbolic"/"numeric").

Methods and their cost (all bounded; no unbounded ``simplify``):
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
from typing import TYPE_CHECKING, Any

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.core.relational import Relational

from theorycheck.activations._compile import compile_mpmath, compile_numpy
from theorycheck.timing import StepTimeoutError, time_limit

if TYPE_CHECKING:
    from theorycheck.activations.core import Activation

SYMBOLIC = "symbolic"
NUMERIC = "numeric"

_NONSMOOTH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.DiracDelta)
_SIDE_EPS = sp.Rational(1, 10**30)
#: side offset for numerically located points (known to about 28 digits)
_SIDE_EPS_INEXACT = sp.Rational(1, 10**18)
_FAR = sp.Integer(10) ** 30
_MAX_OPS_SYMBOLIC = 80
#: wall-clock seconds one symbolic decision (a limit, a simplification) may take before the
#: numeric route decides instead (nested tanh(tanh(tanh(...))) sends sympy.limit into minutes)
SYMBOLIC_SECONDS = 2.0


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


class _UnresolvedError(Exception):
    """A non-smooth node whose branch could not be decided at a test point."""


# ---------------------------------------------------------------------------------------------
# branch resolution: the analytic expression valid just to one side of a point


def _num(e: sp.Expr, at: sp.Expr, x: sp.Symbol) -> sp.Expr:
    v = sp.sympify(e).subs(x, at).evalf(50)
    if not v.is_number or v.has(sp.nan, sp.zoo) or v.is_real is False:
        raise _UnresolvedError
    return v


def _sgn(e: sp.Expr, at: sp.Expr, x: sp.Symbol) -> int:
    v = _num(e, at, x)
    if v.is_infinite:
        return 1 if v > 0 else -1
    if abs(v) < sp.Float("1e-45"):
        raise _UnresolvedError
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
    raise _UnresolvedError


def resolve_branches(expr: sp.Expr, at: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Replace every non-smooth node of ``expr`` by its branch valid at the test point ``at``."""
    if not isinstance(expr, sp.Basic) or not expr.has(*_NONSMOOTH):
        return expr
    if isinstance(expr, sp.Piecewise):
        for val, cond in expr.args:
            if _truth(cond, at, x):
                return resolve_branches(val, at, x)
        raise _UnresolvedError
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


def _mp_one_sided(f: Any, p: Any, side: int) -> Any:
    with mp.workdps(40):
        pm = mp.mpf(sp.Float(p, 45)._as_mpf_val(mp.mp.prec)) if isinstance(p, sp.Basic) \
            else mp.mpf(p)
        return f(pm + side * mp.mpf("1e-18"))


def _differ(a: Any, b: Any) -> bool:
    try:
        av, bv = complex(sp.N(a, 30)), complex(sp.N(b, 30))
    except (TypeError, ValueError):
        return True
    if not (math.isfinite(abs(av)) and math.isfinite(abs(bv))):
        return True
    return abs(av - bv) > 1e-20 * (1 + abs(av))


# ---------------------------------------------------------------------------------------------
# kinks


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
    idx = np.flatnonzero((np.sign(v[:-1]) * np.sign(v[1:]) < 0) | (v[:-1] == 0))
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


def find_kinks(act: Activation
               ) -> tuple[tuple[sp.Expr, ...], dict[sp.Expr, tuple[sp.Expr, sp.Expr]], str]:
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
        if all(_differ(p, q) for q in uniq):
            uniq.append(p)
    for p in uniq:
        steps: list[sp.Expr] = []
        for k in range(3):
            try:
                left, right = _sides(act, k, p)
            except _UnresolvedError:
                exact = False
                left, right = _sides_numeric(act, k, p)
            steps.append(sp.S.Zero if not _differ(left, right) else right - left)
        if any(st != 0 for st in steps):
            kinks.append(p)
            jumps[p] = (steps[0], steps[1])
    return tuple(kinks), jumps, SYMBOLIC if exact else NUMERIC


def _sides(act: Activation, k: int, p: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    d = act.derivative(k)
    try:
        return one_sided(d, p, -1, act.x), one_sided(d, p, 1, act.x)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise _UnresolvedError from exc


def _sides_numeric(act: Activation, k: int, p: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    f = act.mpmath(k)
    left, right = _mp_one_sided(f, p, -1), _mp_one_sided(f, p, 1)
    left, right = sp.Float(str(left), 30), sp.Float(str(right), 30)
    if abs(left - right) <= sp.Float("1e-12") * (1 + abs(left)):
        right = left
    return left, right


# ---------------------------------------------------------------------------------------------
# parity


_PARITY_POINTS = ("0.1", "0.25", "0.3713", "0.5", "0.77", "1", "1.2345", "1.5", "2", "2.71",
                  "3", "3.3", "4.5", "5", "6.1", "7.77", "10", "13.7", "20", "31", "50", "77.7",
                  "100", "300")


def _parity(act: Activation) -> tuple[str, str]:
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
            if d.has(*_NONSMOOTH):
                d = sp.piecewise_fold(d.rewrite(sp.Piecewise))
            return bool(sp.simplify(d) == 0)
    except (TypeError, ValueError, NotImplementedError, AttributeError, StepTimeoutError):
        return False


# ---------------------------------------------------------------------------------------------
# limits and growth at +-inf


_T = sp.Symbol("t", positive=True)


def _growth_symbolic(act: Activation, side: int) -> tuple[str, sp.Expr | None, float]:
    x = act.x
    r = resolve_branches(act.expr, side * _FAR, x)
    g = r.subs(x, side * _T)
    if sp.count_ops(g) > _MAX_OPS_SYMBOLIC:
        raise _UnresolvedError
    lim = sp.limit(g, _T, sp.oo)
    if isinstance(lim, sp.AccumBounds):
        if lim.min.is_finite and lim.max.is_finite:
            return "bounded", None, 0.0
        raise _UnresolvedError
    if lim.is_finite:
        return "bounded", lim, 0.0
    if lim not in (sp.oo, -sp.oo):
        raise _UnresolvedError
    a = sp.log(g if lim == sp.oo else -g)
    if sp.limit(a / sp.log(_T), _T, sp.oo).is_finite:
        return "polynomial", lim, 0.0
    c = sp.limit(a / _T**2, _T, sp.oo)
    if c == 0:
        return "exponential", lim, 0.0
    if c.is_positive:
        return "super-gaussian", lim, math.inf if c == sp.oo else float(c)
    raise _UnresolvedError


def _growth_numeric(act: Activation, side: int) -> tuple[str, sp.Expr | None, float]:
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


def _growth(act: Activation, side: int) -> tuple[str, sp.Expr | None, float, str]:
    try:
        with time_limit(SYMBOLIC_SECONDS):
            return (*_growth_symbolic(act, side), SYMBOLIC)
    except (_UnresolvedError, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError, StepTimeoutError):
        return (*_growth_numeric(act, side), NUMERIC)


# ---------------------------------------------------------------------------------------------
# sign of psi' and psi'' on a grid


_POS = np.logspace(-6.0, 3.0, 1500)
_GRID = np.concatenate([-_POS[::-1], [0.0], _POS])


def _signs(act: Activation, k: int, grid: np.ndarray) -> dict[int, str | None]:
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


def _num_sign(v: sp.Expr) -> int:
    f = float(sp.N(v, 20))
    return 0 if f == 0 else (1 if f > 0 else -1)


def _exact_sign(d: sp.Expr, p: float, sgn: int, x: sp.Symbol) -> str:
    try:
        v = d.subs(x, sp.Rational(p))
        ok = v.is_negative if sgn < 0 else v.is_positive
        return SYMBOLIC if ok else NUMERIC
    except (TypeError, ValueError):
        return NUMERIC


# ---------------------------------------------------------------------------------------------


def compute_properties(act: Activation) -> ActivationProperties:
    """Decide every property of ``act`` (symbolically where cheap, numerically otherwise)."""
    x = act.x
    by: dict[str, str] = {}
    psi0 = act.expr.subs(x, 0)
    by["psi0"] = SYMBOLIC
    kinks, jumps, by["kinks"] = act.kink_info
    by["smooth"] = by["kinks"]
    try:
        left, right = _sides(act, 1, sp.S.Zero)
        by["dpsi0"] = SYMBOLIC
    except _UnresolvedError:
        left, right = _sides_numeric(act, 1, sp.S.Zero)
        by["dpsi0"] = NUMERIC
    at0 = next((j for p, j in jumps.items() if p == 0), (sp.S.Zero, sp.S.Zero))
    # psi'(0) exists when the one-sided derivatives agree and psi itself does not jump at 0
    dpsi0 = None if _differ(left, right) or at0[0] != 0 else right
    if dpsi0 is not None and dpsi0.is_Float and dpsi0 == int(dpsi0):
        dpsi0 = sp.Integer(int(dpsi0))
    parity, by["parity"] = _parity(act)
    gneg, lneg, cneg, how_neg = _growth(act, -1)
    gpos, lpos, cpos, how_pos = _growth(act, 1)
    by["growth"] = SYMBOLIC if how_neg == how_pos == SYMBOLIC else NUMERIC
    by["bounded"] = by["limits"] = by["max_gaussian_variance"] = by["growth"]
    c = max(cneg, cpos)
    maxvar = math.inf if c == 0 else (0.0 if math.isinf(c) else 1.0 / (4.0 * c))
    # monotone: the sign of psi' on a grid, together with the jumps of psi at its kinks
    s1 = _signs(act, 1, _GRID)
    up = [j[0] for j in jumps.values() if _num_sign(j[0]) > 0]
    down = [j[0] for j in jumps.values() if _num_sign(j[0]) < 0]
    has_neg, has_pos = s1[-1] is not None or bool(down), s1[1] is not None or bool(up)
    monotone = "increasing" if has_pos and not has_neg else \
        "decreasing" if has_neg and not has_pos else "no"
    by["monotone"] = SYMBOLIC if monotone == "no" and s1[-1] == s1[1] == SYMBOLIC else NUMERIC
    # concave / convex on (0, inf): psi'' on a grid; at kinks in (0, inf) psi must not jump
    # and psi' may only jump down (concave) / up (convex)
    s2 = _signs(act, 2, _POS)
    pos_jumps = [j for p, j in jumps.items() if float(p) > 0]
    concave = s2[1] is None and all(j[0] == 0 and _num_sign(j[1]) <= 0 for j in pos_jumps)
    convex = s2[-1] is None and all(j[0] == 0 and _num_sign(j[1]) >= 0 for j in pos_jumps)
    by["concave_on_positive"] = s2[1] if s2[1] == SYMBOLIC else NUMERIC
    by["convex_on_positive"] = s2[-1] if s2[-1] == SYMBOLIC else NUMERIC
    return ActivationProperties(
        psi0=psi0, dpsi0=dpsi0, dpsi0_left=left, dpsi0_right=right, parity=parity,
        bounded=gneg == gpos == "bounded", monotone=monotone,
        concave_on_positive=concave, convex_on_positive=convex,
        smooth=not kinks, kinks=kinks, limit_neg=lneg, limit_pos=lpos,
        growth_neg=gneg, growth_pos=gpos, gaussian_c=c, max_gaussian_variance=maxvar,
        decided_by=by)
