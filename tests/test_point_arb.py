"""MeanField.point's two routes: Arb enclosures (the default) and the mpmath path (the second
method). They must agree within their stated errors, give the same notes and None entries, and
the Arb route's numbers must lie within their errors of closed forms."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from theorycheck.activations import get_activation
from theorycheck.gaussian.enclosure import Enclosure, working_bits
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.certified import certify_point, certify_q_star
from theorycheck.meanfield.point_arb import METHOD
from theorycheck.meanfield.results import MeanFieldPoint

NAMES = (*MeanFieldPoint.NUMBERS, "beta_stein")


def _get(pt: MeanFieldPoint, name: str):  # type: ignore[no-untyped-def]
    return pt.extra.get(name) if name == "beta_stein" else getattr(pt, name)


@pytest.mark.parametrize("act, sw2, sb2", [
    ("tanh", "3", "0.05"),      # chaotic: c* by interval Newton on the Mehler c-map
    ("relu", "1.5", "0.2"),     # a kink at 0
    ("selu", "1.2", "0.3"),     # c* = 0.93: Mehler refused, c* and xi_c from the float64 grid
])
def test_arb_point_agrees_with_the_mpmath_path(act: str, sw2: str, sb2: str) -> None:
    """|arb - mpmath| <= err_arb + err_mpmath for every number; the same notes."""
    mf = MeanField(act, dps=15)
    fast, slow = mf.point(sw2, sb2), mf.point(sw2, sb2, method="mpmath")
    assert fast.q_star is not None and fast.q_star.method.startswith(METHOD)
    assert not slow.q_star.method.startswith(METHOD)  # type: ignore[union-attr]
    assert fast.notes == slow.notes
    with mp.workdps(40):
        for name in NAMES:
            a, b = _get(fast, name), _get(slow, name)
            assert (a is None) == (b is None), name
            assert abs(a.value - b.value) <= a.error + b.error, (name, a, b)
            assert a.error < mp.mpf(10) ** -8, name   # the float64 c*, xi_c: ~1e-13, 1e-9


@pytest.mark.parametrize("act, sw2, sb2", [
    ("tanh", "0.5", "0"),       # q* = 0: the limits at q -> 0 (mpmath path)
    ("relu", "2.5", "0.1"),     # no finite fixed point
    ("linear", "1", "0"),       # the map is the identity: q* not unique
    ("sign(x)", "1", "0.04"),   # a jump: chi1 = inf, named in the notes
])
def test_where_arb_does_not_apply_the_point_is_the_mpmath_path(act: str, sw2: str,
                                                                sb2: str) -> None:
    mf = MeanField(act, dps=15)
    fast, slow = mf.point(sw2, sb2), mf.point(sw2, sb2, method="mpmath")
    assert fast == slow and fast.notes == slow.notes and fast.certified is None


def test_arb_point_within_its_errors_of_erf_closed_forms() -> None:
    """erf at (3, 0.1), chaotic: E erf(u1) erf(u2) = (2/pi) asin(2 q c / (1 + 2q)), so
    q* = 3 (2/pi) asin(2q/(1+2q)) + 0.1, c* = (3 (2/pi) asin(2 q c/(1+2q)) + 0.1)/q*,
    xi_c = -1/log(3 K'(c*)/q*), chi1 = 3 (4/pi)/sqrt(1+4q) (45-digit references)."""
    pt = MeanField("erf", dps=30).point("3", "0.1")
    assert pt.c_star is not None and pt.xi_c is not None and pt.chi1 is not None
    with mp.workdps(45):
        q = mp.findroot(lambda v: 3 * 2 / mp.pi * mp.asin(2 * v / (1 + 2 * v)) + mp.mpf("0.1")
                        - v, pt.q_star.value)  # type: ignore[union-attr]
        r = 2 * q / (1 + 2 * q)
        c = mp.findroot(lambda v: (3 * 2 / mp.pi * mp.asin(r * v) + mp.mpf("0.1")) / q - v,
                        pt.c_star.value)
        slope = 3 * 2 / mp.pi * r / mp.sqrt(1 - (r * c) ** 2) / q
        refs = {"q_star": q, "c_star": c, "xi_c": -1 / mp.log(slope),
                "chi1": 3 * 4 / mp.pi / mp.sqrt(1 + 4 * q)}
        for name, ref in refs.items():
            est = getattr(pt, name)
            assert abs(est.value - ref) <= est.error < mp.mpf(10) ** -30, name


def test_relu_chi1_and_xi_q_state_a_true_error() -> None:
    """relu at (1.5, 0.2): chi1 = sw2/2 and the q-map's slope is sw2/2 (E relu(u)^2 = q/2), so
    xi_q = -1/log(0.75); q* = sb2/(1 - sw2/2) = 0.8. The default route states a proved radius
    (the mpmath path says 0 for xi_q)."""
    pt = MeanField("relu", dps=30).point("1.5", "0.2")
    with mp.workdps(45):
        refs = {"q_star": mp.mpf("0.8"), "chi1": mp.mpf("0.75"),
                "xi_q": -1 / mp.log(mp.mpf("0.75")), "xi_c": -1 / mp.log(mp.mpf("0.75"))}
        for name, ref in refs.items():
            est = getattr(pt, name)
            assert abs(est.value - ref) <= est.error < mp.mpf(10) ** -30, name


def test_float_constants_are_enclosed_as_given() -> None:
    """selu's 32-digit constants are SymPy Floats of 110 bits; Float arithmetic in psi^2 once
    rounded lambda^2 alpha^2, and the 'proved' q* at (1.2, 0.3) missed the truth by 5e-33.
    Reference: E selu(u)^2 = lambda^2 (q/2 + alpha^2 (e^{2q} Phi(-2 sqrt q) - 2 e^{q/2}
    Phi(-sqrt q) + 1/2)) with the Floats' exact binary values, at 60 digits."""
    act = get_activation("selu")
    Q, _slope, _ = certify_q_star(act, "1.2", "0.3", 30)
    with mp.workdps(60):
        lam, al = (mp.mpf(f._mpf_) for f in sorted(act.expr.atoms(sp.Float))[1:])

        def vmap(q: mp.mpf) -> mp.mpf:
            s = mp.sqrt(q)
            tail = mp.exp(2 * q) * mp.ncdf(-2 * s) - 2 * mp.exp(q / 2) * mp.ncdf(-s) + 0.5
            return mp.mpf("1.2") * lam ** 2 * (q / 2 + al ** 2 * tail) + mp.mpf("0.3")

        ref = mp.findroot(lambda q: vmap(q) - q, mp.mpf("3.6387"))
        assert mp.nstr(ref, 30).startswith("3.638782498444411480555096311")
        with working_bits(256):   # ref as an exact ball (at 53 bits it would be rounded)
            assert Enclosure.of(Q).contains(ref) and Enclosure.of(Q).width < 1e-35


def test_mpmath_xi_q_error_carries_the_q_star_error() -> None:
    """The mpmath path's xi_q at 30 digits lies within its stated error of a 45-digit Arb
    enclosure (selu at (1.2, 0.3): it was off by 1.5e-40 with a stated 3.2e-41, the q* error
    not propagated into the q-map's slope)."""
    mf = MeanField("selu", dps=30)
    got = mf.xi_q("1.2", "0.3")
    enc = certify_point("selu", "1.2", "0.3", 45, c_star_note=True)["xi_q"]
    assert got is not None
    with mp.workdps(60):
        assert abs(got.value - enc.mid()) <= got.error - enc.width
