"""``MeanField.point`` from Arb enclosures: each number is its proved ball's midpoint, the error
is the ball's radius (plus the rounding of the midpoint to an mpf).

Issue 12, section 5 ("the backend is fast because it is C"): the 30-digit point of tanh at
(3, 0.05) takes ~0.4 s this way on a 2-core CPU, against ~1.0 s for the mpmath path, and
c* and xi_c come to the run's precision instead of float64's ~1e-13. The enclosures are those
of :func:`~theorycheck.meanfield.certified.certify_point` (interval Newton for q* and c*,
Gaussian integrals over the q* ball; see that module for what is proved). The Stein route of
beta, sw E psi'(sqrt(q*) z) (seed 000 Eq. (38) by Stein's lemma), is one more Arb integral.

The mpmath path (tanh-sinh at two precisions for every integral, a float64 c*) stays the
independent second method: ``MeanField.point(sw2, sb2, method="mpmath")``. The tests hold the
two against each other (tests/test_point_arb.py), and ``theorycheck meanfield --check`` does it
from the command line.

When this route applies: only where the mpmath path finds the same fixed point and makes the
same decisions. The activation is a formula (not a bare callable) without jumps (chi1 = inf
there; the mpmath path names the jump in its notes); sw2, sb2 >= 0 and the variance map is not
the identity on an interval (the same cached float64 scan decides); where q = 0 is a fixed
point (sb2 = 0, psi(0) = 0) it is clearly unstable, sw2 psi'(0)^2 > 1, so the positive q* is
the only stable one; and certify_point proves all eight numbers without a note. One
exception: where the Mehler series of the certified c* would pass :data:`MEHLER_TERMS`
(|c*| above ~0.4 at 30 digits, e.g. sigmoid at (120, 0.05)), c* and xi_c come from the
float64 grid engine at the proved q*, exactly as on the mpmath path (error ~1e-13, said in
their method). Otherwise :func:`arb_point` returns
None and the caller takes the mpmath path, whose notes say why a quantity is absent, so the
notes and the None entries of a point do not depend on the route.
"""

from __future__ import annotations

import numbers
from typing import Any

import mpmath as mp
import sympy as sp
from flint import arb

from theorycheck.activations._compile_arb import exact_constants
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.arb import expect_arb
from theorycheck.gaussian.enclosure import Enclosure, to_ball
from theorycheck.gaussian.enclosure import working_bits as _bits
from theorycheck.meanfield.certified import certify_point, digits_bits
from theorycheck.meanfield.fixed_points import C_STAR_GRID, MeanFieldFixedPoints
from theorycheck.meanfield.maps import to_mpf
from theorycheck.meanfield.rates import neg_inv_log
from theorycheck.meanfield.results import MeanFieldPoint
from theorycheck.numbers import Estimate

#: Estimate.method of every number of this route: what the error is
METHOD = "Arb ball, error = its radius (proved)"
_C_NAMES = ("c_star", "xi_c")
#: the most Mehler terms the point's c* may take (|c*| up to ~0.4 at 30 digits, ~0.3 s for
#: tanh); a longer series costs more than the float64 c* (~0.3 s; 198 terms at c* = 0.71 took
#: 8 s), which then stands in, as on the mpmath path
MEHLER_TERMS = 100


def exact_input(x: Any) -> Any:
    """sw2 or sb2 as certify_point takes it, meaning what :func:`to_mpf` means: a float by its
    repr (0.05 is 5/100), an integer exactly, a decimal string as Arb's ball around it, an
    Estimate by its value, anything else (an mpf, a numpy scalar) as its mpf."""
    if isinstance(x, Estimate):
        return x.value
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, float):
        return repr(float(x))
    if isinstance(x, str):
        try:
            arb(x)
            return x
        except (ValueError, TypeError):
            pass
    return to_mpf(x)


def to_estimate(enc: Enclosure, method: str) -> Estimate:
    """The midpoint as an mpf at the current mpmath precision, error = radius + |rounding|,
    rounded up (so [value - error, value + error] still holds the enclosed number)."""
    value = enc.mid()
    with _bits(max(mp.mp.prec, int(enc.ball.mid().man_exp()[0]).bit_length()) + 64):
        gap = (abs(to_ball(value) - enc.ball.mid()) + enc.ball.rad()).upper()
    error = Enclosure(gap).mid() * (1 + mp.mpf(2) ** -50)
    return Estimate(value, error, f"{METHOD}: {method}")


def applies(mf: MeanFieldFixedPoints, sw2: Any, sb2: Any) -> bool:
    """Whether the Arb route may stand in for the mpmath path (the module's conditions, up to
    what only certify_point can decide)."""
    if mf.identity is None or mf.jumps:
        return False
    try:
        mf._scan_checked(sw2, sb2)
    except TheoryCheckError:
        return False
    if float(sb2) == 0 and mf.psi0 == 0:
        return mf.dpsi0 is not None and float(sw2) * mf.dpsi0 ** 2 > 1 + 1e-9
    return True


def arb_point(mf: MeanFieldFixedPoints, sw2: Any, sb2: Any) -> MeanFieldPoint | None:
    """Every number of ``MeanField.point`` from Arb enclosures, or None where this route does
    not apply or a step is not proved (see the module). Call at the mpmath working precision."""
    if not applies(mf, sw2, sb2):
        return None
    w, b = exact_input(sw2), exact_input(sb2)
    try:
        proved = certify_point(mf.act, w, b, mf.dps, engine=mf, c_star_note=True,
                               max_terms=MEHLER_TERMS)
        notes = set(proved["notes"])
        grid_c = notes == {"c_star"}   # the Mehler c* refused: c*, xi_c by the float64 engine
        needed = [n for n in MeanFieldPoint.NUMBERS if not (grid_c and n in _C_NAMES)]
        if (notes and not grid_c) or any(n not in proved for n in needed):
            return None
        stein = _beta_stein(mf, proved["q_star"].ball, w)
    except TheoryCheckError:
        return None
    pt = MeanFieldPoint(mf.name, to_mpf(sw2), to_mpf(sb2), mf.dps)
    for name in MeanFieldPoint.NUMBERS:
        if name in proved:
            enc = proved[name]
            setattr(pt, name, to_estimate(enc, enc.method))
    pt.extra["beta_stein"] = to_estimate(stein, stein.method)
    if grid_c and not _c_star_from_grid(mf, pt):
        return None
    pt.certified = proved
    return pt


def _c_star_from_grid(mf: MeanFieldFixedPoints, pt: MeanFieldPoint) -> bool:
    """c* and xi_c as the mpmath path finds them in the chaotic phase (the float64 bivariate
    grid engine, ~1e-13), at the proved q*, where the Mehler series is too long to certify c*
    (|c*| near 1); False where that engine cannot separate c* from 1 (ill-conditioned)."""
    assert pt.q_star is not None
    try:
        c, err = mf._c_star_grid(float(pt.sw2), float(pt.sb2), float(pt.q_star.value))
    except TheoryCheckError:
        return False
    pt.c_star = Estimate(mp.mpf(c), mp.mpf(err), C_STAR_GRID)
    pt.xi_c = neg_inv_log(mf._c_slope_grid(pt.sw2, pt.q_star, pt.c_star))
    return pt.xi_c is not None


def _beta_stein(mf: MeanFieldFixedPoints, q_ball: arb, sw2: Any) -> Enclosure:
    """beta by Stein's lemma, sw E psi'(sqrt(q*) z) over the q* ball (no jumps: psi' has no
    point mass, so E[psi(s z) z] = s E psi'(s z))."""
    x = mf.act.x
    with _bits(digits_bits(mf.dps)):
        dpsi = sp.diff(exact_constants(mf.act.expr), x)
        ball = to_ball(sw2).sqrt() * expect_arb(dpsi, x, q_ball)
    return Enclosure.of(ball, "sw E psi'(u) at the q* ball (Stein's lemma)")


def compare_routes(pt: MeanFieldPoint, second: MeanFieldPoint) -> dict[str, Any]:
    """``pt`` held against ``second`` (the mpmath path at the same point): per number the
    difference and whether it lies within the sum of the two stated errors; ``agree`` for all
    of them and for the notes and None entries. JSON-ready (decimal strings)."""
    rows: dict[str, Any] = {}
    same_none = True
    for name in (*MeanFieldPoint.NUMBERS, *pt.extra):
        a = pt.extra.get(name) if name in pt.extra else getattr(pt, name)
        b = second.extra.get(name) if name in pt.extra else getattr(second, name)
        if a is None or b is None:
            same_none &= a is None and b is None
            continue
        if not (mp.isfinite(a.value) and mp.isfinite(b.value)):
            rows[name] = {"difference": "0" if a.value == b.value else "inf",
                          "within_errors": bool(a.value == b.value)}
            continue
        d = abs(a.value - b.value)
        rows[name] = {"difference": mp.nstr(d, 3), "errors": mp.nstr(a.error + b.error, 3),
                      "within_errors": bool(d <= a.error + b.error)}
    return {"second_method": "mpmath path (tanh-sinh; float64 c*)",
            "same_route": pt.certified is None,
            "agree": same_none and pt.notes == second.notes
            and all(r["within_errors"] for r in rows.values()),
            "numbers": rows}
