r"""Rigorous E h(sqrt(q) z), z ~ N(0, 1), for q a *wide* ball: the standard-normal form.

:func:`~theorycheck.gaussian.arb.expect_arb` integrates h(x) e^(-x^2/(2q)) / sqrt(2 pi q) in
x. That is the right form at a point q, but over a wide ball of q the two factors of q are
bounded separately and the ball is far wider than the range of E h (the dependency problem).
Here the variable is z = x / sqrt(q): E h = int h(sqrt(q) z) phi(z) dz, and q appears once,
inside h, so the ball is about as wide as the true range of E h over q. This is what makes
box enclosures (:mod:`theorycheck.meanfield.certified_cover`) usable.

Rigour. The core [-Lz, Lz] is integrated by ``acb.integral`` on panels cut where h switches
branch; a switch point x_k becomes z_k = x_k / sqrt(q), a point only when x_k = 0, so this
form accepts switch points at 0 alone (relu, |x|, leaky relu) and raises ``not-certified``
otherwise. The tail |z| > Lz is the tail |x| > Lz sqrt(q_lo) of the same growth envelope
|h(x)| <= C (1 + |x|)^n e^(k |x|) (:func:`~theorycheck.gaussian.arb.envelope`), bounded by
:func:`~theorycheck.gaussian.arb.tail_bound` at the top of the q ball (the bound increases
with q and decreases with L).
"""

from __future__ import annotations

import sympy as sp
from flint import acb, arb, ctx

from theorycheck.activations._compile_arb import NOT_CERTIFIED, ArbFn, Ball, panel_branches
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.arb import envelope, tail_bound


def _tail_cut(env: tuple[arb, int, arb], q: arb, tol: arb) -> arb:
    """Lz with the envelope's tail beyond Lz sqrt(q_lo) below ``tol`` (and L >= 2 q (n + k))."""
    _c, n, k = env
    q_lo, q_hi = q.lower(), q.upper()
    lz = arb(4)
    for _ in range(200):
        lx = lz * q_lo.sqrt()
        if lx >= 2 * q_hi * (n + k) and tail_bound(env, q_hi, lx) < tol:
            return lz
        lz = lz * arb("1.25")
    raise TheoryCheckError("no tail cut found for the standard-normal form",
                           status=NOT_CERTIFIED)


def expect_arb_scaled(expr: sp.Expr, x: sp.Symbol, q: arb, tol: arb | None = None) -> arb:
    """A ball containing E expr(sqrt(q) z), z ~ N(0, 1), for every q in the ball ``q`` > 0.

    Tight over wide q (see the module docstring); switch points of ``expr`` only at x = 0.
    Cost: one or two ``acb.integral`` calls.
    """
    if not q > 0:
        raise TheoryCheckError(f"q must be a positive ball, got {q}", status=NOT_CERTIFIED)
    if tol is None:
        # a wide q makes the integrand a wide ball: asking for more than a small fraction of
        # that width only makes acb.integral subdivide without narrowing the result
        tol = max(arb(2) ** (-ctx.prec), (q.rad() / q.mid() * arb("1e-4")).upper())
    env = envelope(expr, x)
    lz = _tail_cut(env, q, tol)
    lx = sp.Integer(int(float((lz * q.upper().sqrt()).upper())) + 2)
    pts, fns = panel_branches(expr, x, lx, ())
    inner = pts[1:-1]
    if any(p != 0 for p in inner):
        raise TheoryCheckError(f"{expr} switches branch away from 0 (at {inner}); the "
                               "standard-normal form needs switch points at 0 only",
                               status=NOT_CERTIFIED)
    s = q.sqrt()
    edges = [-lz, *([arb(0)] if inner else []), lz]
    total = acb(0)
    for a, b, f in zip(edges, edges[1:], fns, strict=False):
        def weighted(z: Ball, analytic: bool, f: ArbFn = f) -> Ball:
            return f(s * z, analytic) * (-(z * z) / 2).exp()

        total += acb.integral(weighted, a, b, abs_tol=tol, rel_tol=tol, eval_limit=20000)
    if not total.imag.contains(0):
        raise TheoryCheckError("internal: a real integral came back non-real",
                               status=NOT_CERTIFIED)
    t = tail_bound(env, q.upper(), lz * q.lower().sqrt())
    return total.real / (2 * arb.pi()).sqrt() + arb(0, 1) * t.upper()


def dq_expect_arb_scaled(expr: sp.Expr, x: sp.Symbol, q: arb) -> arb:
    """A ball containing d/dq E expr(sqrt(q) z) = E[expr'(sqrt(q) z) z] / (2 sqrt q) for every
    q in the ball, computed as E[(x expr')(sqrt(q) z)] / (2 q) in the standard-normal form;
    expr' must have no point mass (a jump of expr), which the caller checks."""
    return expect_arb_scaled(sp.diff(expr, x) * x, x, q) / (2 * q)


__all__ = ["dq_expect_arb_scaled", "expect_arb_scaled"]
