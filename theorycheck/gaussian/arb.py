"""Rigorous Gaussian expectations in ball arithmetic (Arb, via python-flint): the fourth engine.

* :func:`expect_arb` -- an arb ball containing E h(x), x ~ N(0, q), for a SymPy expression h;
  q may itself be a ball (the result then contains E h for every q in it).
* :func:`hermite_coefficients` / :func:`kernel_arb` -- the bivariate E f(u1) f(u2),
  Var u_i = q, corr c, by Mehler's expansion with a proved remainder bound.

Why the result is rigorous. E h = int h(x) phi_q(x) dx is split into a core [-L, L] and two
tails. The core is cut at the switch points of h (``panel_branches``: the analytic branch on
each panel, its validity proved by interval bisection) and each panel is integrated by
``acb.integral`` (Arb's Petras algorithm: a Gauss-Legendre error bound from the integrand's
maximum on an ellipse, so the ball it returns contains the integral). The tails are bounded by
a growth envelope proved from the expression tree by :func:`envelope`:
|h(x)| <= C (1 + |x|)^n e^(k |x|) for every real x. For L >= 2 q (n + k) the function
(1 + x)^n e^(k x - x^2/(4q)) decreases on [L, inf), so

    int_{|x| > L} |h| phi_q <= 2 C (1 + L)^n e^(k L - L^2/(4q)) erfc(L / (2 sqrt q)) / sqrt 2,

evaluated in ball arithmetic at the upper end of q (the bound increases with q) and added as
a radius. The envelope is proved for: numbers, x, +, *, integer powers, positive constant
powers of nonnegative bases, negative powers of bases bounded below by a positive constant
(a positive constant plus terms SymPy proves nonnegative), exp/sinh/cosh of an argument of at
most linear growth, log of an argument proved >= a positive constant, the bounded functions
tanh, sin, cos, atan, erf, erfc, sign, Heaviside, and Abs/Max/Min/Piecewise of such. Any
other expression raises ``not-certified`` (e.g. exp(x^2), 1/x, x^x).

Mehler: with h_n = He_n/sqrt(n!) (orthonormal Hermite polynomials) and
alpha_n = E f(sqrt q z) h_n(z), E f(u1) f(u2) = sum_n c^n alpha_n^2, and by Parseval the
remainder after N terms is at most |c|^(N+1) (E f^2 - sum_{n<=N} alpha_n^2).
Cost: one ``acb.integral`` per panel (~1-10 ms at 30-100 digits); the kernel N + 1 of them,
each with H_n evaluated in C and aimed only at the accuracy its term c^n alpha_n^2 needs
(~0.3 s for the 42 odd coefficients of tanh at q* = 1.43, c* = 0.30, 30 digits).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import sympy as sp
from flint import acb, arb, ctx

from theorycheck.activations._compile_arb import (
    NOT_CERTIFIED,
    ArbFn,
    Ball,
    compile_arb,
    panel_branches,
    to_arb,
)
from theorycheck.errors import TheoryCheckError

Env = tuple[arb, int, arb]
_BOUNDED: dict[type, Any] = {sp.tanh: 1, sp.sin: 1, sp.cos: 1, sp.erf: 1, sp.erfc: 2,
                             sp.sign: 1, sp.Heaviside: 1, sp.atan: 2}


def _no(msg: str) -> TheoryCheckError:
    return TheoryCheckError(msg, status=NOT_CERTIFIED)


def _lower(e: sp.Expr) -> arb | None:
    """A positive constant beta with e(x) >= beta for all real x, or None (not proved)."""
    if e.is_Number:
        return to_arb(e) if e > 0 else None
    if isinstance(e, sp.cosh):
        return arb(1)
    if isinstance(e, sp.Add):
        const = sum((a for a in e.args if a.is_number), sp.S.Zero)
        rest = [a for a in e.args if not a.is_number]
        if const.is_positive and const.is_Number and all(a.is_nonnegative for a in rest):
            return to_arb(const)
    return None


@functools.lru_cache(maxsize=1024)
def envelope(e: sp.Expr, x: sp.Symbol) -> Env:
    """(C, n, k) with |e(x)| <= C (1 + |x|)^n exp(k |x|) for all real x, proved by induction
    on the tree (rules in the module docstring); raises ``not-certified`` otherwise."""
    if e == x:
        return arb(1), 1, arb(0)
    if not e.free_symbols:
        if isinstance(e, sp.DiracDelta):
            return arb(0), 0, arb(0)
        return abs(_const(e)), 0, arb(0)
    if isinstance(e, sp.Add):
        parts = [envelope(a, x) for a in e.args]
        return (sum((p[0] for p in parts), arb(0)), max(p[1] for p in parts),
                functools.reduce(lambda a, b: a.max(b), (p[2] for p in parts)))
    if isinstance(e, sp.Mul):
        parts = [envelope(a, x) for a in e.args]
        c = functools.reduce(lambda a, b: a * b, (p[0] for p in parts))
        return c, sum(p[1] for p in parts), sum((p[2] for p in parts), arb(0))
    if type(e) in _BOUNDED:
        return arb(_BOUNDED[type(e)]), 0, arb(0)
    if isinstance(e, sp.DiracDelta):
        return arb(0), 0, arb(0)
    if isinstance(e, (sp.Abs,)):
        return envelope(e.args[0], x)
    if isinstance(e, (sp.Max, sp.Min)):
        return envelope(sp.Add(*[sp.Abs(a) for a in e.args], evaluate=False), x)
    if isinstance(e, sp.Piecewise):
        parts = [envelope(v, x) for v, _ in e.args]
        return (functools.reduce(lambda a, b: a.max(b), (p[0] for p in parts)),
                max(p[1] for p in parts), functools.reduce(lambda a, b: a.max(b),
                                                           (p[2] for p in parts)))
    if isinstance(e, sp.exp) and e.args[0].is_nonpositive:
        return arb(1), 0, arb(0)
    if isinstance(e, (sp.exp, sp.sinh, sp.cosh)):
        c, n, k = envelope(e.args[0], x)
        if n > 1 or not k.is_zero():
            raise _no(f"no growth envelope for {e} (faster than exponential)")
        return c.exp(), 0, (c if n == 1 else arb(0))
    if isinstance(e, sp.log):
        beta = _lower(e.args[0])
        if beta is None:
            raise _no(f"no growth envelope for {e} (argument not bounded away from 0)")
        c, n, k = envelope(e.args[0], x)
        return abs(beta.log()) + c.log().max(arb(0)) + n + k, 1, arb(0)
    if isinstance(e, sp.Pow):
        b, p = e.args
        if not p.is_number:
            raise _no(f"no growth envelope for {e} (exponent depends on x)")
        if p.is_Integer and p > 0:
            c, n, k = envelope(b, x)
            return c ** int(p), n * int(p), k * int(p)
        if p.is_positive and b.is_nonnegative:
            c, n, k = envelope(b, x)
            pa = _const(p)
            return c ** pa, math.ceil(n * float(p)) + 1, k * pa
        if p.is_negative:
            beta = _lower(b)
            if beta is None:
                raise _no(f"no growth envelope for {e} (base not bounded away from 0)")
            return beta ** _const(p), 0, arb(0)
    raise _no(f"no growth envelope proved for {type(e).__name__} in {e}")


def _const(e: sp.Expr) -> arb:
    return compile_arb(e, sp.Symbol("x"))(arb(0), False)


def _pm(t: arb) -> arb:
    """The ball [-t, t] for t >= 0 (rounded outward)."""
    return arb(0, 1) * t.upper()


def tail_bound(env: Env, q_hi: arb, L: arb) -> arb:
    """Upper bound of int_{|x|>L} C (1+|x|)^n e^(k|x|) phi_q(x) dx (needs L >= 2 q (n + k))."""
    c, n, k = env
    return (2 * c * (1 + L) ** n * (k * L - L * L / (4 * q_hi)).exp()
            * (L / (2 * q_hi.sqrt())).erfc() / arb(2).sqrt())


def _choose_L(env: Env, q_hi: arb, tol: arb, floor: float) -> int:
    c, n, k = env
    qf, kf = float(q_hi.mid()) * 1.001 + 1e-300, float(k.upper().mid())
    L = max(floor, 2 * qf * (n + kf) + 1, 1.0)
    lt = math.log(float(tol.mid()))
    lc = math.log(max(float(c.upper().mid()), 1e-300))
    while lc + n * math.log1p(L) + kf * L - L * L / (4 * qf) > lt - 2:
        L *= 1.1
    return math.ceil(L)


def expect_arb(expr: sp.Expr, x: sp.Symbol, q: arb, *, extra: tuple[Any, ...] = (),
               tol: arb | None = None) -> arb:
    """A ball containing E expr(X), X ~ N(0, q), for every q in the ball ``q`` (q > 0).

    ``extra``: further breakpoints (jump points of an activation); ``tol``: absolute accuracy
    aimed at (default 2^-ctx.prec; the ball is proved whatever it reaches). Rigorous: see the
    module docstring. Raises ``not-certified`` when the envelope or a panel is not proved.
    """
    if not q > 0:
        raise TheoryCheckError(f"q must be a positive ball, got {q}", status=NOT_CERTIFIED)
    tol = tol if tol is not None else arb(2) ** (-ctx.prec)
    env = envelope(expr, x)
    q_hi = q.upper()
    L = _choose_L(env, q_hi, tol, 1.0)
    total = _panels_integral(expr, x, q, L, extra, tol, None)
    core = total.real / (2 * arb.pi() * q).sqrt()
    if not total.imag.contains(0):
        raise TheoryCheckError("internal: a real integral came back non-real",
                               status=NOT_CERTIFIED)
    t = tail_bound(env, q_hi, arb(L))
    return core + _pm(t)


def _panels_integral(expr: sp.Expr, x: sp.Symbol, q: arb, L: int, extra: tuple[Any, ...],
                     tol: arb, factor: Callable[[Ball], Ball] | None) -> acb:
    """Int_{-L}^{L} expr(x) [factor(x)] e^{-x^2/(2q)} dx by ``acb.integral`` on each panel
    between switch points, with the analytic branch valid on that panel (a proved enclosure)."""
    pts, fns = panel_branches(expr, x, sp.Integer(L), tuple(extra))
    inv2q = 1 / (2 * q)
    rel = tol.min(arb(2) ** (-ctx.prec))
    total = acb(0)
    for a, b, f in zip(pts, pts[1:], fns, strict=False):
        def weighted(z: Ball, analytic: bool, f: ArbFn = f) -> Ball:
            value = f(z, analytic) * (-(z * z) * inv2q).exp()
            return value if factor is None else value * factor(z)

        total += acb.integral(weighted, to_arb(a), to_arb(b), abs_tol=tol, rel_tol=rel)
    return total


def hermite_coefficients(expr: sp.Expr, x: sp.Symbol, q: arb, n_max: int, *,
                         extra: tuple[Any, ...] = (), parity: int = 0, start: int = 0,
                         tol: Callable[[int], arb] | None = None) -> list[arb]:
    """alpha_n = E expr(sqrt(q) z) h_n(z) for n = start..n_max, h_n = He_n / sqrt(n!).

    alpha_n = int expr(x) H_n(x / sqrt(2q)) e^{-x^2/(2q)} dx / sqrt(2 pi q 2^n n!), with
    He_n(t) = 2^{-n/2} H_n(t / sqrt 2) and H_n evaluated by Arb (``acb.hermite_h``, in C, with
    n + 16 extra bits against the cancellation of its terms).
    ``parity``: +1 (-1) when expr is proved even (odd): the vanishing coefficients are exactly
    0 and not computed. ``tol(n)``: the absolute accuracy aimed at for alpha_n (default
    2^-ctx.prec); a Mehler sum at |c| <= r needs only tol / r^n, which makes the high
    coefficients cheap. Each ball is proved whatever accuracy it reaches.
    """
    inv = 1 / (2 * q).sqrt()
    out = []
    for n in range(start, n_max + 1):
        if parity and (n % 2 == (0 if parity < 0 else 1)):
            out.append(arb(0))
            continue
        scale = 1 / (arb(2) ** n * arb.fac_ui(n)).sqrt()

        def factor(z: Ball, n: int = n) -> Ball:
            # H_n's evaluation cancels up to min(1.44 |z|^2, n) bits: n + 16 guard bits
            # (ctx.prec set by hand: a context manager per node cost ~15% of a coefficient)
            old = ctx.prec
            ctx.prec = old + n + 16
            try:
                return (z * inv).hermite_h(n)
            finally:
                ctx.prec = old

        aim = tol(n) if tol is not None else arb(2) ** (-ctx.prec)
        out.append(_expect_with_factor(expr, x, q, extra, factor, scale, aim))
    return out


def _expect_with_factor(expr: sp.Expr, x: sp.Symbol, q: arb, extra: tuple[Any, ...],
                        factor: Callable[[Ball], Ball], scale: arb, tol: arb) -> arb:
    """E expr(X) scale factor(X) with |scale factor(x)| <= 1.09 e^(x^2/(4q)) (Cramer's bound
    for h_n), to absolute accuracy ``tol`` aimed at."""
    c, n, k = envelope(expr, x)
    # Cramer: |h_n(z)| <= 1.0865 e^(z^2/4), so |expr w| phi_q <= 1.09 C (1+|x|)^n e^(k|x|)
    # phi_{2q}(x) sqrt 2: the tail bound of the envelope at variance 2q.
    env = (c * arb("1.0865") * arb(2).sqrt(), n, k)
    q2 = 2 * q.upper()
    L = _choose_L(env, q2, tol, 1.0)
    norm = scale / (2 * arb.pi() * q).sqrt()
    total = _panels_integral(expr, x, q, L, extra, tol / norm, factor)
    t = tail_bound(env, q2, arb(L))
    return total.real * norm + _pm(t)


def kernel_arb(alpha: list[arb], second: arb, c: arb, *, derivative: int = 0) -> arb:
    """sum_n c^n alpha_n^2 (derivative 0) or sum_n n c^(n-1) alpha_n^2 (derivative 1), with
    the proved Mehler remainder: Parseval gives sum_{n>N} alpha_n^2 <= R = second - sum
    alpha_n^2 (``second`` = E f^2), so the remainder is <= |c|^(N+1) R (resp. (N+1)|c|^N R,
    valid for |c| <= (N+1)/(N+2), where n |c|^(n-1) decreases for n > N)."""
    N = len(alpha) - 1
    rest = (second - sum((a * a for a in alpha), arb(0))).upper()
    rest = rest.max(arb(0))
    cabs = abs(c).upper()
    total = arb(0)
    pw = arb(1)
    for n, a in enumerate(alpha):
        if derivative == 0:
            total += pw * a * a
            pw *= c
        elif n > 0:
            total += n * pw * a * a
            pw *= c
    if derivative == 0:
        bound = cabs ** (N + 1) * rest
    else:
        if not cabs <= arb(N + 1) / (N + 2):
            raise _no("|c| too close to 1 for the Mehler derivative remainder")
        bound = (N + 1) * cabs ** N * rest
    return total + _pm(bound)
