"""The edge of chaos chi1 = 1 and the dynamical-isometry point.

On the EOC (seed 000 Eqs. (16)-(17); seed 002 Eq. (8)) chi1 = sw2 E psi'(sqrt(q) z)^2 = 1 at the
fixed point q = q*, so the critical line is parametrised by q:

    sw2(q) = 1 / m(q),   sb2(q) = q - sw2(q) g(q),   m(q) = E psi'(sqrt(q) z)^2,  g(q) = E psi^2.

``eoc_sw2(sb2)`` solves sb2(q) = sb2 for q, ``eoc_sb2(sw2)`` solves m(q) = 1/sw2.  Roots are
bracketed on the 321-point log grid in q of :mod:`~theorycheck.meanfield.roots` with the float64
engine, then polished by a secant iteration in mpmath (each step two `expect_mp` integrals):
error ~ 10**-dps, cost ~ 6 steps.
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np

from theorycheck.activations.jumps import describe_jumps
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import roots
from theorycheck.meanfield.maps import MeanFieldMaps, to_mpf
from theorycheck.meanfield.results import DIPoint, EOCPoint
from theorycheck.numbers import Estimate


def _scan_q(mf: MeanFieldMaps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(q grid, E psi^2, E psi'^2) on the scan grid of :mod:`~theorycheck.meanfield.roots`."""
    p, dp = mf.grid.func(0), mf.grid.func(1)
    qs, v = roots.scan(mf.grid, [lambda x, z: p(x) ** 2, lambda x, z: dp(x) ** 2], mf.q_limit)
    return qs, v[0], v[1]


def _point(mf: MeanFieldMaps, q: mp.mpf, step: mp.mpf, sb2_target: Any, notes: dict[str, str]
           ) -> EOCPoint:
    m = mf.expect("dpsi2", q)
    g = mf.expect("psi2", q)
    sw2 = 1 / m.value
    sb2 = q - sw2 * g.value
    # sensitivities: quadrature errors and the last secant step
    sw2_err = m.error / m.value ** 2
    q_err = step + mf.dps_floor()
    mu2 = mf.expect("dpsi4", q)
    direct = mf.expect("upsi", q)
    stein = mf.expect("dpsi", q)
    sw = mp.sqrt(sw2)
    beta = Estimate(sw * direct.value,
                    sw * (direct.error + abs(direct.value - stein.value)) + sw2_err,
                    "direct route, checked by Stein's lemma")
    slope = mf.map_slope(q, sw2)
    if slope.value >= 1:
        notes["q_star"] = (f"the fixed point q={mp.nstr(q, 8)} has q-map slope"
                           f" {mp.nstr(slope.value, 6)} >= 1: not stable")
    return EOCPoint(mf.name, mf.dps, Estimate(sw2, sw2_err + q_err, "1/E psi'^2 at q*"),
                    Estimate(sb2, g.error * sw2 + q_err, "q* - sw2 E psi^2"),
                    Estimate(q, q_err, "secant on the EOC parametrisation"), beta,
                    Estimate(m.value, m.error + q_err, m.method), mu2, notes)


def _no_eoc_with_jumps(mf: MeanFieldMaps) -> None:
    """Raise NO_ROOT_IN_RANGE for psi with a jump: chi1 = inf for every sw2 > 0 (meanfield.jumps),
    so chi1 = 1 has no solution and every (sw2 > 0, sb2) is chaotic."""
    if mf.jumps:
        raise TheoryCheckError(
            f"{mf.name}: no edge of chaos -- {describe_jumps(mf.jumps)}, so psi' has a point mass"
            " and chi1 = inf for every sw2 > 0 (every point is chaotic)",
            status=Status.NO_ROOT_IN_RANGE)


def eoc_sw2(mf: MeanFieldMaps, sb2: Any) -> EOCPoint:
    """The EOC point with bias variance ``sb2``: (sw2, q*) with chi1 = 1 (seed 002 Eq. (8)).

    Raises NO_ROOT_IN_RANGE when no q in (0, 1e8] gives sb2(q) = sb2, NON_UNIQUE_FIXED_POINT when
    sb2(q) = sb2 on a whole range of q (relu at sb2 = 0).  Several roots: the one
    with the smallest q is returned, the others listed in ``notes``.
    """
    sb2m = to_mpf(sb2)
    if sb2m < 0:
        raise TheoryCheckError(f"sb2 must be >= 0, got {sb2}")
    _no_eoc_with_jumps(mf)
    notes: dict[str, str] = {}
    if sb2m == 0 and mf.psi0 == 0 and mf.dpsi0:
        di = di_point(mf)
        assert di is not None
        q = mp.mpf(0)
        d0 = mf.dpsi0_mp()
        sw2 = 1 / d0 ** 2
        notes["q_star"] = "q* = 0: the dynamical-isometry point (seed 000 Eqs. (58)-(59))"
        one = Estimate(mp.mpf(1), mp.mpf(0), "psi'(0)")
        return EOCPoint(mf.name, mf.dps, Estimate(sw2, mp.mpf(0), "1/psi'(0)^2"),
                        Estimate(mp.mpf(0), mp.mpf(0), "exact"), Estimate(q, mp.mpf(0), "exact"),
                        Estimate(mp.sqrt(sw2) * d0, mp.mpf(0), "sw psi'(0) (Eq. (57))"),
                        Estimate(d0 ** 2, mp.mpf(0), "psi'(0)^2"),
                        Estimate(d0 ** 4, mp.mpf(0), "psi'(0)^4") if one else None, notes)
    qs, g, m = _scan_q(mf)
    with np.errstate(all="ignore"):
        F = qs - g / m - float(sb2m)
    # identically zero on a range (relu), not merely vanishing as q -> 0 (selu: F ~ q^2)
    if np.count_nonzero((np.abs(F) <= 1e-10 * qs) & (qs >= 1e-3)) >= 5:
        raise TheoryCheckError(
            f"{mf.name}: sb2(q) = q - E psi^2/E psi'^2 equals {sb2} for a whole range of q (e.g."
            f" relu at sb2 = 0: every q is a neutral fixed point at sw2 = 2); the EOC point at"
            " this sb2 is not unique", status=Status.NON_UNIQUE_FIXED_POINT)
    br = roots.brackets(qs, F)
    if not br:
        raise TheoryCheckError(
            f"{mf.name}: no point of the edge of chaos with sb2={sb2} for q in"
            f" [1e-12, {qs[-1]:.3g}] (sb2(q) = q - E psi^2/E psi'^2 never equals sb2)",
            status=Status.NO_ROOT_IN_RANGE)
    if len(br) > 1:
        notes["roots"] = "further EOC roots near q = " + ", ".join(f"{a:.6g}" for a, _ in br[1:])

    def ff(q: float) -> float:
        v, _ = mf.grid.expect_many([lambda x: mf.grid.func(0)(x) ** 2,
                                    lambda x: mf.grid.func(1)(x) ** 2], np.array([q]))
        return float(q - v[0][0] / v[1][0] - float(sb2m))

    q0 = roots.refine(ff, *br[0])

    def Fm(q: mp.mpf) -> mp.mpf:
        return q - mf.expect("psi2", q).value / mf.expect("dpsi2", q).value - sb2m

    with mf.precision.work():
        q, step = roots.secant(Fm, q0, mf.dps)
        return _point(mf, q, step, sb2m, notes)


def eoc_sb2(mf: MeanFieldMaps, sw2: Any) -> EOCPoint:
    """The EOC point with weight variance ``sw2``: solve E psi'(sqrt(q) z)^2 = 1/sw2 for q.

    Raises NO_ROOT_IN_RANGE when no q works or the matching sb2 would be negative,
    NON_UNIQUE_FIXED_POINT when E psi'^2 is constant (relu: chi1 = sw2/2 for every q).
    """
    sw2m = to_mpf(sw2)
    if sw2m <= 0:
        raise TheoryCheckError(f"sw2 must be > 0, got {sw2}")
    _no_eoc_with_jumps(mf)
    notes: dict[str, str] = {}
    qs, _g, m = _scan_q(mf)
    F = m - 1 / float(sw2m)
    if np.count_nonzero(np.abs(F) <= 1e-12) >= 5:
        raise TheoryCheckError(f"{mf.name}: E psi'(sqrt(q) z)^2 = 1/sw2 for a whole range of q:"
                               " the EOC point at this sw2 is not unique",
                               status=Status.NON_UNIQUE_FIXED_POINT)
    br = roots.brackets(qs, F)
    if not br:
        if mf.dpsi0 and mf.psi0 == 0 and abs(float(sw2m) * mf.dpsi0 ** 2 - 1) < 1e-15:
            return eoc_sw2(mf, 0)
        raise TheoryCheckError(
            f"{mf.name}: chi1 = 1 has no solution at sw2={sw2} for q in [1e-12, {qs[-1]:.3g}]",
            status=Status.NO_ROOT_IN_RANGE)
    if len(br) > 1:
        notes["roots"] = "further EOC roots near q = " + ", ".join(f"{a:.6g}" for a, _ in br[1:])

    def ff(q: float) -> float:
        v, _ = mf.grid.expect(lambda x: mf.grid.func(1)(x) ** 2, np.array([q]))
        return float(v[0] - 1 / float(sw2m))

    q0 = roots.refine(ff, *br[0])

    def Fm(q: mp.mpf) -> mp.mpf:
        return mf.expect("dpsi2", q).value - 1 / sw2m

    with mf.precision.work():
        q, step = roots.secant(Fm, q0, mf.dps)
        pt = _point(mf, q, step, None, notes)
    if pt.sb2.value < -pt.sb2.error:
        raise TheoryCheckError(
            f"{mf.name}: the EOC at sw2={sw2} needs sb2 = {mp.nstr(pt.sb2.value, 6)} < 0",
            status=Status.NO_ROOT_IN_RANGE)
    return pt


def di_point(mf: MeanFieldMaps) -> DIPoint | None:
    """(sw2, sb2) = (1/psi'(0)^2, 0), where beta = 1 (seed 000 Eqs. (56)-(59)); None otherwise.

    Needs psi(0) = 0 (so that q* = 0 is a fixed point at sb2 = 0) and psi'(0) defined, != 0.
    """
    if mf.psi0 != 0:
        return None
    if mf.dpsi0 is None or mf.dpsi0 == 0:
        return None
    with mf.precision.work():
        exact = 1 / mf.dpsi0_mp() ** 2
    return DIPoint(float(exact), 0.0, "psi(0) = 0 and psi'(0) != 0", sw2_mp=exact)


def di_reason(mf: MeanFieldMaps) -> str:
    """Why an activation has no dynamical-isometry point (empty when it has one)."""
    if mf.psi0 != 0:
        return f"psi(0) = {mf.psi0:g} != 0: q* = 0 is not a fixed point at sb2 = 0"
    if mf.dpsi0 is None and any(float(a) == 0 for a, _j in mf.jumps):
        return (f"{describe_jumps(mf.jumps)}: psi' has a point mass at 0 (no psi'(0)), and"
                " chi1 = inf for every sw2 > 0")
    if mf.dpsi0 is None:
        return "psi'(0) does not exist (kink at 0)"
    if mf.dpsi0 == 0:
        return "psi'(0) = 0"
    return ""
