"""Certified mean-field numbers: Arb enclosures proved by interval Newton (the Arb engine).

Public API (each value an :class:`~theorycheck.gaussian.enclosure.Enclosure`):

* :func:`certify_point(act, sw2, sb2, dps)` -> dict with q_star, chi1, mu1, mu2, beta, xi_q,
  c_star, xi_c and the booleans ``q_star_stable``, ``c_star_stable``, plus ``notes``;
* :func:`certify_eoc_sw2(act, sb2, dps)`, :func:`certify_eoc_sb2(act, sw2, dps)` -> dict with
  q_star, sw2, sb2 on the edge of chaos (chi1 = 1);
* :func:`certify_di(act, dps)` -> dict with sw2 = 1/psi'(0)^2, sb2 = 0 (seed 000 Eqs. (58)-(59)).

What is proved. A root x* of F is enclosed by the interval Newton theorem: for a ball X and
m in X, if N(X) = m - F(m)/F'(X) lies inside X (F'(X) an enclosure of F' over X), then F has
exactly one zero in X and it lies in N(X). F(m) is computed at the full precision; F'(X) at
64 bits over the whole ball X (both with :func:`~theorycheck.gaussian.arb.expect_arb`, whose
balls hold for every q in a ball). So each fixed point is proved to exist, to be unique in X
(not on the whole half-line: the float64 scan that found the starting point is evidence, not
proof, that no other fixed point exists), and stable when the enclosure of the map's slope
lies in (-1, 1). Quantities at q* (chi1, mu_k, beta, xi_q) are Gaussian integrals with q the
q* ball. c* (chaotic phase, chi1 > 1 proved) is a root of the c-map evaluated by Mehler's
expansion with its proved remainder (:func:`~theorycheck.gaussian.arb.kernel_arb`); c* = 1
when chi1 < 1 is proved. Starting points come from the float64 engines of this layer (c*'s
from a float64 Mehler sum, :func:`_c_start`).
Activations with jumps (psi discontinuous) raise ``not-certified``: chi1 is infinite there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from flint import arb
from scipy.optimize import brentq

from theorycheck.activations import get_activation
from theorycheck.activations._compile_arb import NOT_CERTIFIED, compile_arb, exact_constants
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.arb import expect_arb, hermite_coefficients, kernel_arb
from theorycheck.gaussian.arb_steps import step_kernel_arb
from theorycheck.gaussian.enclosure import Enclosure, to_ball
from theorycheck.gaussian.enclosure import working_bits as _bits
from theorycheck.gaussian.rules import normal_weights, panel_nodes
from theorycheck.meanfield import eoc, roots
from theorycheck.meanfield.adapter import kinks_of
from theorycheck.meanfield.fixed_points import MeanFieldFixedPoints
from theorycheck.meanfield.grid_maps import qmap_grid

#: the most Hermite coefficients a certified c* computes (each is an Arb integral; |c*| near 1
#: with a slowly decaying series, e.g. a jump, would take minutes)
MEHLER_MAX_TERMS = 400
#: guard bits on top of the requested digits; bits of the derivative enclosures F'(X)
GUARD_BITS, LOW_BITS = 40, 64


def _no(msg: str) -> TheoryCheckError:
    return TheoryCheckError(msg, status=NOT_CERTIFIED)


class _Integrals:
    """The Gaussian integrals of one activation as Arb balls (expressions built once)."""

    def __init__(self, act: Any, engine: MeanFieldFixedPoints | None = None) -> None:
        self.act = get_activation(act)
        #: the float64 engines the starting points come from (scan, c* grid root)
        self.engine = engine if engine is not None else MeanFieldFixedPoints(self.act, dps=10)
        #: the most Hermite coefficients the certified c* may compute
        self.max_terms = MEHLER_MAX_TERMS
        x = self.x = self.act.x
        p = exact_constants(self.act.expr)
        #: (x0, J) of each jump of psi: psi' has the point mass J delta(x - x0), so
        #: E psi'^2 = chi1/sw2 = inf; q*, beta (E[x psi]/q already holds the jump's term),
        #: c* and xi_c are still finite and are proved as for any activation
        self.jumps = tuple(self.act.jumps)
        dp = sp.diff(p, x)
        self.exprs = {"psi2": p ** 2, "dpsi2": dp ** 2, "dpsi4": dp ** 4, "xpsi": x * p,
                      "x2psi2": x ** 2 * p ** 2, "x2dpsi2": x ** 2 * dp ** 2}
        par = self.act.properties.parity if hasattr(self.act.properties, "parity") else None
        self.parity = {"odd": -1, "even": 1}.get(str(par), 0)

    def E(self, what: str, q: arb) -> arb:
        return expect_arb(self.exprs[what], self.x, q)

    def dE(self, what: str, deriv: str, q: arb) -> arb:
        """d/dq E h = E[h (x^2 - q)] / (2 q^2) (differentiating the Gaussian density)."""
        return (self.E(deriv, q) - q * self.E(what, q)) / (2 * q * q)


def digits_bits(dps: int) -> int:
    return math.ceil(dps * math.log2(10)) + GUARD_BITS


def _newton(F: Callable[[arb], arb], dF: Callable[[arb], arb], x0: float, prec: int,
            lo: float = -math.inf) -> arb:
    """A ball proved (interval Newton) to contain the unique zero of F in it.

    Newton steps on midpoints at doubling precision from ``x0``, then the test
    N(X) = m - F(m)/F'(X) inside X at ``prec`` bits with F'(X) at :data:`LOW_BITS`.
    """
    x = arb(x0)
    ladder = [p for p in (64, 128, 256, 512, 1024, 2048, 4096) if p < prec] + [prec]
    for p in ladder:
        with _bits(p):
            m = x.mid()
            with _bits(LOW_BITS):
                d = dF(m)
            x = (m - F(m) / d).mid()
    with _bits(prec):
        m = x.mid()
        fm = F(m)
        with _bits(LOW_BITS):
            d0 = dF(m)
        r = 4 * abs(fm / d0).upper() + abs(m).upper() * arb(2) ** (GUARD_BITS // 2 - prec)
        for _ in range(4):
            if math.isfinite(lo) and not m - r > lo:
                r = ((m - lo) / 2).lower()
            X = m + arb(0, 1) * r
            with _bits(LOW_BITS):
                D = dF(X)
            if D.contains(0):
                raise _no("interval Newton: the derivative enclosure contains 0")
            N = m - fm / D
            if X.contains_interior(N):
                return N
            r = r * 16
    raise _no("interval Newton did not contract (root not certified)")


def _q_start(mf: MeanFieldFixedPoints, sw2: float, sb2: float) -> list[float]:
    qs, h = mf._scan(sw2, sb2)
    out = []
    for a, b in roots.brackets(qs[1:], h[1:], finite_only=False):
        def hf(q: float) -> float:
            return float(qmap_grid(mf.act, mf.grid, np.array([q]), sw2, sb2)[0][0] - q)
        out.append(roots.refine(hf, a, b))
    return out


def _enc(b: arb, method: str) -> Enclosure:
    return Enclosure.of(b, method)


def certify_q_star(act: Any, sw2: Any, sb2: Any, dps: int = 30, *,
                   engine: MeanFieldFixedPoints | None = None) -> tuple[arb, arb, _Integrals]:
    """(q* ball, slope ball, integrals): the stable fixed point of q -> sw2 E psi^2 + sb2.

    ``engine``: the float64 engines to start from (a ``MeanField`` of the same activation,
    whose cached scan is then reused); default a fresh one."""
    I = _Integrals(act, engine)
    mf = I.engine
    prec = digits_bits(dps)
    with _bits(prec):
        w, b = to_ball(sw2), to_ball(sb2)
        starts = _q_start(mf, float(sw2), float(sb2))
        if not starts:
            raise _no(f"{I.act.name}: no positive fixed point found to certify")
        found = []
        for q0 in starts:
            Q = _newton(lambda q: w * I.E("psi2", q) + b - q,
                        lambda q: w * I.dE("psi2", "x2psi2", q) - 1, q0, prec, lo=0.0)
            slope = w * I.dE("psi2", "x2psi2", Q)
            if abs(slope) < 1:
                found.append((Q, slope))
        if len(found) != 1:
            raise _no(f"{len(found)} certified stable fixed points (need exactly one)")
    return found[0][0], found[0][1], I


def certify_point(act: Any, sw2: Any, sb2: Any, dps: int = 30, *,
                  engine: MeanFieldFixedPoints | None = None, c_star_note: bool = False,
                  max_terms: int = MEHLER_MAX_TERMS) -> dict[str, Any]:
    """Enclosures of q*, chi1, mu1, mu2, beta, xi_q, c*, xi_c at (sw2, sb2) (see the module).

    sw2, sb2: numbers or strings (exact) or arb balls (then every enclosure holds for the
    whole box). Raises ``not-certified`` when a step cannot be proved; with
    ``c_star_note`` a c* (chaotic phase) that is not proved is a note instead, the rest kept;
    ``max_terms``: the most Hermite coefficients c* may take. ``engine``: see
    :func:`certify_q_star`.
    """
    Q, slope, I = certify_q_star(act, sw2, sb2, dps, engine=engine)
    I.max_terms = max_terms
    prec = digits_bits(dps)
    out: dict[str, Any] = {"notes": {}}
    if I.jumps:
        return _point_with_jumps(I, Q, slope, sw2, sb2, prec)
    with _bits(prec):
        w, b = to_ball(sw2), to_ball(sb2)
        mu1 = I.E("dpsi2", Q)
        chi1 = w * mu1
        out.update(q_star=_enc(Q, "interval Newton on q = sw2 E psi^2 + sb2"),
                   q_star_stable=True, chi1=_enc(chi1, "sw2 E psi'^2 at the q* ball"),
                   mu1=_enc(mu1, "E psi'^2 at q*"),
                   mu2=_enc(I.E("dpsi4", Q), "E psi'^4 at q*"),
                   beta=_enc(w.sqrt() * I.E("xpsi", Q) / Q, "sw E[u psi(u)]/q* (Eq. (38))"))
        if slope > 0:
            out["xi_q"] = _enc(-1 / slope.log(), "-1/log(sw2 d/dq E psi^2) at q*")
        else:
            out["notes"]["xi_q"] = "the q-map slope is not proved positive"
        if chi1 < 1:
            out.update(c_star=_enc(arb(1), "c* = 1: chi1 < 1 proved"), c_star_stable=True,
                       xi_c=_enc(-1 / chi1.log(), "-1/log(chi1) at c* = 1"))
        elif chi1 > 1:
            try:
                out.update(_c_star(I, w, b, Q, float(sw2), float(sb2), prec))
            except TheoryCheckError as err:
                if not c_star_note or err.status != NOT_CERTIFIED:
                    raise
                out["notes"]["c_star"] = err.message
        else:
            out["notes"]["c_star"] = "chi1 = 1 is not excluded: c* = 1 is marginal"
    return out


def _point_with_jumps(I: _Integrals, Q: arb, slope: arb, sw2: Any, sb2: Any, prec: int
                      ) -> dict[str, Any]:
    """q*, beta, xi_q, c* and xi_c of an activation that jumps; chi1 = mu1 = mu2 = inf."""
    where = ", ".join(f"x = {x0} (jump {j})" for x0, j in I.jumps)
    inf = (f"inf: psi jumps at {where}, so psi' has a point mass and E psi'^2 = inf "
           "(exact, not an enclosure)")
    out: dict[str, Any] = {"notes": {"chi1": inf, "mu1": inf, "mu2": inf}}
    with _bits(prec):
        w = to_ball(sw2)
        out.update(q_star=_enc(Q, "interval Newton on q = sw2 E psi^2 + sb2"), q_star_stable=True,
                   beta=_enc(w.sqrt() * I.E("xpsi", Q) / Q,
                             "sw E[u psi(u)]/q* (Eq. (38); holds the jump's Stein term)"))
        if slope > 0:
            out["xi_q"] = _enc(-1 / slope.log(), "-1/log(sw2 d/dq E psi^2) at q*")
        levels = _two_level_step(I)
        if levels is None:
            out.update(_c_star(I, w, to_ball(sb2), Q, float(sw2), float(sb2), prec))
        else:
            out.update(_c_star_step(I, levels, w, to_ball(sb2), Q, float(sw2), float(sb2), prec))
    return out


def _two_level_step(I: _Integrals) -> tuple[arb, arb] | None:
    """(a, b) when psi = a on x < 0 and b on x > 0 (its only jump at 0), else None."""
    x, expr = I.x, I.act.expr
    if len(I.jumps) != 1 or I.jumps[0][0] != 0 or not sp.diff(expr, x).subs(
            {sp.DiracDelta(x): 0}).equals(0):
        return None
    left, right = sp.limit(expr, x, 0, "-"), sp.limit(expr, x, 0, "+")
    if not (left.is_number and right.is_number):
        return None
    return compile_arb(left, x)(arb(0), False), compile_arb(right, x)(arb(0), False)


def _c_star_step(I: _Integrals, levels: tuple[arb, arb], w: arb, b: arb, Q: arb, sw2: float,
                 sb2: float, prec: int) -> dict[str, Any]:
    """c* < 1 of a two-level step by interval Newton on Sheppard's closed-form c-map."""
    lo, hi = levels
    c0, _err = I.engine._c_star_grid(sw2, sb2, float(Q.mid()))

    def F(c: arb) -> arb:
        return (w * step_kernel_arb(lo, hi, c) + b) / Q - c

    def dF(c: arb) -> arb:
        return w * step_kernel_arb(lo, hi, c, derivative=1) / Q - 1

    return _stable_c_star(F, dF, c0, prec, "interval Newton on the c-map (Sheppard)")


def _stable_c_star(F: Callable[[arb], arb], dF: Callable[[arb], arb], c0: float, prec: int,
                   how: str) -> dict[str, Any]:
    """c*, its stability and xi_c = -1/log(slope) from the c-map residual F(c) = map(c) - c."""
    C = _newton(F, dF, c0, prec)
    slope = dF(C) + 1
    out: dict[str, Any] = {"c_star": _enc(C, how), "c_star_stable": bool(abs(slope) < 1)}
    if slope > 0 and slope < 1:
        out["xi_c"] = _enc(-1 / slope.log(), "-1/log(slope of the c-map at c*)")
    return out


def _c_star(I: _Integrals, w: arb, b: arb, Q: arb, sw2: float, sb2: float, prec: int
            ) -> dict[str, Any]:
    """c* < 1 in the chaotic phase: interval Newton on the Mehler form of the c-map.

    F(c) = (sw2 sum_n c^n alpha_n^2 + sb2) / q* - c (seed 002 Eq. (5) by Mehler's expansion,
    remainder proved by :func:`~theorycheck.gaussian.arb.kernel_arb`). N grows by 1.3 from 16
    until r^(N+1) (E psi^2 - sum alpha_n^2) < 2^-prec, r = |c0| + 0.01 (c0 from
    :func:`_c_start`); alpha_n is aimed at 2^-prec r^-n / (n+1)^2, all that its term
    r^n alpha_n^2 needs. Refused up front when the float64 tail of :func:`_c_start` says N
    would pass ``I.max_terms`` (:data:`MEHLER_MAX_TERMS`). Cost: ~N/2 Arb integrals for odd
    or even psi (~0.3 s for tanh at (3, 0.05), 30 digits).
    """
    second = I.E("psi2", Q)
    c0, tail = _c_start(I, float(Q.mid()), sw2, sb2)
    tol = arb(2) ** (-prec)
    cabs = arb(min(abs(c0) + 0.01, 0.999))
    r, t = float(cabs.mid()), float(tol.mid())
    small = [n for n, rest in enumerate(tail) if r ** (n + 1) * rest < t]
    need = small[0] if small else math.ceil(math.log(t / max(tail[-1], 1e-300)) / math.log(r))
    most = I.max_terms
    if need > most:
        raise _no(f"c* ~ {c0:.4g}: the Mehler series needs about {need} Hermite coefficients "
                  f"at this precision (more than {most}); not certified here (a "
                  "closed-form kernel is used only for two-level steps)")
    bessel = arb(0, second.sqrt().upper())  # |alpha_n| <= sqrt(E psi^2) (Bessel's inequality)

    def aim(n: int) -> arb:
        return tol / ((n + 1) ** 2 * cabs ** n)

    alpha: list[arb] = []
    N = 16
    while True:
        alpha = alpha + [a.intersection(bessel) if a.is_finite() else bessel
                         for a in hermite_coefficients(I.act.expr, I.x, Q, N, parity=I.parity,
                                                       start=len(alpha), tol=aim)]
        rest = (second - sum((a * a for a in alpha), arb(0))).upper()
        if cabs ** (N + 1) * rest < tol or most <= N:   # remainder kept in F
            break
        N = min(int(N * 1.3), most)

    def F(c: arb) -> arb:
        return (w * kernel_arb(alpha, second, c) + b) / Q - c

    def dF(c: arb) -> arb:
        return w * kernel_arb(alpha, second, c, derivative=1) / Q - 1

    return _stable_c_star(F, dF, c0, prec, f"interval Newton on the c-map (Mehler, N={N})")


def _c_start(I: _Integrals, q: float, sw2: float, sb2: float, n: int = 200
             ) -> tuple[float, np.ndarray]:
    """(c0, tail): float64 evidence for c*, the first root below 1 of the c-map walking left
    from 1, and tail[N] ~ sum_{k > N} alpha_k^2 for N = 0..n.

    The c-map is Mehler's sum (seed 002 Eq. (5)) with float alpha_0..alpha_n (Gauss-Legendre,
    24 nodes per unit panel in z on |z| <= 45, split at the kinks; h_k by its three-term
    recurrence) and the rest E psi^2 - sum alpha_k^2 put at order n + 1, so F(1) = 0 as for
    the true map. Where that cannot separate c* from 1 (F(1 - 1e-4) >= 0), the float64
    bivariate grid engine decides (``MeanFieldFixedPoints._c_star_grid``). Cost ~5 ms.
    """
    s = math.sqrt(q)
    cuts = {float(k) for k in range(-45, 46)}
    cuts |= {k / s for k in kinks_of(I.act) if abs(k / s) < 45}
    z, wt = panel_nodes(np.array(sorted(cuts)), 24)
    wt = normal_weights(z, wt)
    with np.errstate(all="ignore"):
        f = np.nan_to_num(np.asarray(I.act.numpy(0)(s * z), dtype=float))
    alpha = np.empty(n + 1)
    h0, h1 = np.ones_like(z), z
    alpha[0] = np.sum(wt * f)
    for k in range(1, n + 1):
        alpha[k] = np.sum(wt * f * h1)
        h0, h1 = h1, (z * h1 - math.sqrt(k) * h0) / math.sqrt(k + 1)
    a2 = alpha ** 2
    rest = max(float(np.sum(wt * f * f)) - float(np.sum(a2)), 0.0)
    # summed from the top, so the small tails carry no cancellation
    tail = np.concatenate([np.cumsum(a2[:0:-1])[::-1], [0.0]]) + rest

    def F(c: float) -> float:
        return (sw2 * (float(np.polyval(a2[::-1], c)) + c ** (n + 1) * rest) + sb2) / q - c

    hi = 1.0 - 1e-4
    if F(hi) >= 0:
        return I.engine._c_star_grid(sw2, sb2, q)[0], tail
    step = 1e-3
    lo = hi - step
    while F(lo) < 0:
        hi = lo
        if lo <= -1.0:
            return -1.0, tail
        step *= 2
        lo = max(-1.0, lo - step)
    return float(brentq(F, lo, hi, xtol=1e-15, rtol=1e-15)), tail


def _eoc_start(I: _Integrals, sb2: float | None, sw2: float | None) -> float:
    mf = I.engine
    qs, g, m = eoc._scan_q(mf)
    F = qs - g / m - sb2 if sw2 is None else m - 1 / sw2
    br = roots.brackets(qs, F)
    if not br:
        raise _no(f"{I.act.name}: no edge-of-chaos point found to certify")
    gf, mf1 = mf.grid.func(0), mf.grid.func(1)

    def ff(q: float) -> float:
        v, _ = mf.grid.expect_many([lambda x: gf(x) ** 2, lambda x: mf1(x) ** 2], np.array([q]))
        g1, m1 = float(v[0][0]), float(v[1][0])
        if sw2 is None:
            return q - g1 / m1 - float(sb2 or 0.0)
        return m1 - 1 / sw2
    return roots.refine(ff, *br[0])


def certify_eoc_sw2(act: Any, sb2: Any, dps: int = 30) -> dict[str, Enclosure]:
    """The EOC point at bias variance sb2: q* and sw2 = 1/E psi'^2 with chi1 = 1 proved.

    F(q) = q - E psi^2 / E psi'^2 - sb2 = 0 by interval Newton (the smallest-q root the float64
    scan finds); sw2 = 1 / E psi'^2 at the q ball.
    """
    I = _Integrals(act)
    prec = digits_bits(dps)
    with _bits(prec):
        b = to_ball(sb2)
        q0 = _eoc_start(I, float(sb2), None)

        def F(q: arb) -> arb:
            return q - I.E("psi2", q) / I.E("dpsi2", q) - b

        def dF(q: arb) -> arb:
            g, m = I.E("psi2", q), I.E("dpsi2", q)
            dg, dm = I.dE("psi2", "x2psi2", q), I.dE("dpsi2", "x2dpsi2", q)
            return 1 - (dg * m - g * dm) / (m * m)

        Q = _newton(F, dF, q0, prec, lo=0.0)
        return {"q_star": _enc(Q, "interval Newton on q - E psi^2/E psi'^2 = sb2"),
                "sw2": _enc(1 / I.E("dpsi2", Q), "1/E psi'^2 at the q* ball"),
                "sb2": _enc(b, "given")}


def certify_eoc_sb2(act: Any, sw2: Any, dps: int = 30) -> dict[str, Enclosure]:
    """The EOC point at weight variance sw2: q* with E psi'^2 = 1/sw2, sb2 = q* - sw2 E psi^2."""
    I = _Integrals(act)
    prec = digits_bits(dps)
    with _bits(prec):
        w = to_ball(sw2)
        q0 = _eoc_start(I, None, float(sw2))
        Q = _newton(lambda q: I.E("dpsi2", q) - 1 / w,
                    lambda q: I.dE("dpsi2", "x2dpsi2", q), q0, prec, lo=0.0)
        return {"q_star": _enc(Q, "interval Newton on E psi'^2 = 1/sw2"),
                "sw2": _enc(w, "given"),
                "sb2": _enc(Q - w * I.E("psi2", Q), "q* - sw2 E psi^2 at the q* ball")}


def certify_di(act: Any, dps: int = 30) -> dict[str, Enclosure] | None:
    """The dynamical-isometry point (1/psi'(0)^2, 0), or None when psi(0) != 0 is proved or
    psi is not differentiable at 0 (a kink there)."""
    a = get_activation(act)
    if any(sp.nsimplify(k) == 0 for k in a.kinks):
        return None
    with _bits(digits_bits(dps)):
        p0 = compile_arb(a.expr, a.x)(arb(0), False)
        d0 = compile_arb(sp.diff(a.expr, a.x), a.x)(arb(0), False)
        if not p0.contains(0) or d0.contains(0):
            return None
        if not p0.is_zero():
            raise _no("psi(0) = 0 is not proved")
        return {"sw2": _enc(1 / (d0 * d0), "1/psi'(0)^2"), "sb2": _enc(arb(0), "exact")}
