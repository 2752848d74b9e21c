"""The Arb engine: enclosures contain independent references, are narrow, refute wrong values."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp
from flint import arb, ctx

from theorycheck.activations import get_activation
from theorycheck.activations._compile_arb import compile_arb
from theorycheck.activations.parse import X, parse_formula
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import closed_form
from theorycheck.gaussian.arb import expect_arb, hermite_coefficients, kernel_arb
from theorycheck.gaussian.enclosure import Enclosure
from theorycheck.meanfield.certified import certify_di, certify_eoc_sw2, certify_point


@pytest.fixture(autouse=True)
def _prec():
    old = ctx.prec
    ctx.dps = 45
    yield
    ctx.prec = old


@pytest.mark.parametrize("name,what", [("relu", "psi2"), ("relu", "dpsi2"), ("erf", "psi2"),
                                       ("erf", "dpsi2"), ("linear", "psi2")])
def test_expect_contains_closed_form(name, what):
    a = get_activation(name)
    h = a.expr ** 2 if what == "psi2" else sp.diff(a.expr, a.x) ** 2
    enc = Enclosure.of(expect_arb(h, a.x, arb("1.7")))
    with mp.workdps(50):
        assert enc.contains(closed_form(a, what, mp.mpf("1.7"), dps=45))
    assert enc.width < 1e-38


def test_tanh_against_mpmath_45_digits():
    a = get_activation("tanh")
    enc = Enclosure.of(expect_arb(a.expr ** 2, a.x, arb(2)))
    with mp.workdps(50):
        ref = mp.quad(lambda z: mp.tanh(mp.sqrt(2) * z) ** 2 * mp.npdf(z), [-mp.inf, 0, mp.inf])
        assert enc.contains(ref)
    assert enc.width < 1e-38


def test_erf_kernel_arcsine():
    a = get_activation("erf")
    q, c = arb("0.8"), arb("0.3")
    alpha = hermite_coefficients(a.expr, a.x, q, 60, parity=-1)
    enc = Enclosure.of(kernel_arb(alpha, expect_arb(a.expr ** 2, a.x, q), c))
    with mp.workdps(50):
        t = 2 * mp.mpf("0.8")
        ref = 2 / mp.pi * mp.asin(t * mp.mpf("0.3") / (1 + t))
        assert enc.contains(ref)
    assert enc.width < 1e-30


def _erf_alpha(n: int, q: mp.mpf) -> mp.mpf:
    """Closed form of the erf Hermite coefficient, n = 2k + 1 (n-fold Gaussian integration by
    parts and E e^{-(X+t)^2} = e^{-t^2/(1+2q)}/sqrt(1+2q), X ~ N(0, q)):
    alpha_n = (2/sqrt(pi)) (-1)^k (2k)!/k! (q/(1+2q))^(n/2) / sqrt(n!)."""
    k = (n - 1) // 2
    return (2 / mp.sqrt(mp.pi) * (-1) ** k * mp.factorial(2 * k) / mp.factorial(k)
            * (q / (1 + 2 * q)) ** (mp.mpf(n) / 2) / mp.sqrt(mp.factorial(n)))


def test_negative_mpf_references_keep_their_sign():
    """to_ball(mpf) used mpmath's unsigned mantissa: -3 became +3, so an enclosure of -3
    'excluded' -3. A negative reference must be contained, its opposite excluded."""
    enc = Enclosure.of(arb(-3))
    assert enc.contains(mp.mpf(-3)) and enc.excludes(mp.mpf(3))
    assert Enclosure.of(arb("-0.15", "1e-3")).contains(mp.mpf("-0.1505"))


def test_hermite_coefficients_closed_form_with_per_order_tolerance():
    """The coefficients aimed at 2^-prec 3^n (what a Mehler sum at |c| <= 1/3 needs) still
    contain the closed form; the low orders stay narrow and the even ones are exactly 0."""
    a = get_activation("erf")
    q = arb("0.8")
    base = arb(2) ** (-ctx.prec)
    alpha = hermite_coefficients(a.expr, a.x, q, 41, parity=-1, tol=lambda n: base * 3 ** n)
    with mp.workdps(50):
        for n, c in enumerate(alpha):
            if n % 2 == 0:
                assert c.is_zero()
                continue
            assert Enclosure.of(c).contains(_erf_alpha(n, mp.mpf("0.8"))), n
            assert Enclosure.of(c).width < 1e-40 * 3 ** n + 1e-40, n


@pytest.mark.parametrize("sw2,sb2", [("3", "0.05"), ("4", "0.3"), ("1.5", "0.05")])
def test_erf_c_star_in_the_chaotic_phase_against_the_arcsine_form(sw2, sb2):
    """c* < 1 of erf in the chaotic phase (c* = 0.19, 0.45 and 0.82: there the series decays
    geometrically and ~120 terms do, where c*^N E psi^2 alone would ask for ~450): the root of
    the closed-form c-map
    c = (sw2 (2/pi) asin(2 q c/(1 + 2q)) + sb2)/q*, solved at 50 digits, lies in the
    enclosure, and so does xi_c = -1/log of its slope there (seed 002 Eqs. (5), (8))."""
    r = certify_point("erf", sw2, sb2, dps=30)
    assert r["c_star_stable"] and r["c_star"].width < 1e-30 and r["xi_c"].width < 1e-30
    with mp.workdps(50):
        w, b = mp.mpf(sw2), mp.mpf(sb2)
        q = mp.findroot(lambda v: w * 2 / mp.pi * mp.asin(2 * v / (1 + 2 * v)) + b - v,
                        r["q_star"].mid())
        g = 2 * q / (1 + 2 * q)
        c = mp.findroot(lambda c: (w * 2 / mp.pi * mp.asin(g * c) + b) / q - c,
                        r["c_star"].mid())
        slope = w * 2 / mp.pi * g / mp.sqrt(1 - (g * c) ** 2) / q
        assert 0 < c < 1 and r["c_star"].contains(c) and r["xi_c"].contains(-1 / mp.log(slope))
        assert r["c_star"].excludes(c + mp.mpf("1e-35"))


def test_tanh_c_star_against_an_mpmath_mehler_reference():
    """tanh at (3, 0.05), 30 digits: the c* enclosure holds the 42-digit value from a separate
    computation (q* by mpmath findroot; alpha_n, n <= 101, by mpmath tanh-sinh at 50 digits
    with h_n by its recurrence; c* by findroot on the Mehler sum, whose rest is 8.5e-12 times
    0.31^102), and is narrower than 1e-30; xi_c = -1/log(slope) is enclosed too."""
    r = certify_point("tanh", 3, "0.05", dps=30)
    with mp.workdps(50):
        ref = mp.mpf("0.299317641815367065101312641483153534590924")
        assert r["c_star"].contains(ref) and r["c_star"].width < 1e-30
        assert r["c_star"].excludes(ref + mp.mpf("1e-36"))
    assert r["c_star_stable"] and r["xi_c"].width < 1e-30


def test_certified_point_and_wrong_claim():
    r = certify_point("erf", 1, "0.05", dps=30)
    assert r["q_star_stable"] and r["c_star"].contains(1)
    for k in ("q_star", "chi1", "beta", "mu1", "mu2", "xi_q"):
        assert r[k].width < 1e-25, k
    # the closed forms at the q* ball: q* = (2/pi) asin(2q/(1+2q)) + 0.05, chi1 = (4/pi)/sqrt(1+4q)
    with mp.workdps(50):
        lo, _hi = (mp.mpf(v) for v in r["q_star"].decimal(45))
        assert lo <= 2 / mp.pi * mp.asin(2 * lo / (1 + 2 * lo)) + mp.mpf("0.05") + mp.mpf("1e-40")
        assert r["chi1"].contains(4 / mp.pi / mp.sqrt(1 + 4 * r["q_star"].mid()))
    # a deliberately wrong statement: "chi1 = 0.8676" is refuted (proved different)
    assert r["chi1"].excludes(mp.mpf("0.8676"))
    with mp.workdps(60):
        assert not r["chi1"].excludes(r["chi1"].mid())


def test_eoc_and_piecewise_widths():
    e = certify_eoc_sw2("tanh", "0.05", dps=30)
    assert e["sw2"].width < 1e-25
    with mp.workdps(50):
        assert e["sw2"].excludes(e["sw2"].mid() + mp.mpf("1e-24"))
    p = certify_point("hardtanh", 3, "0.05", dps=30)
    assert p["c_star"].width < 1e-20 and 0.14 < float(p["c_star"].mid()) < 0.15
    assert certify_di("tanh")["sw2"].contains(1)
    assert certify_di("relu") is None


@pytest.mark.parametrize("formula", ["x**x", "exp(x**2)", "1/x", "log(x)"])
def test_hostile_or_unsupported_expressions_fail_cleanly(formula):
    expr = sp.sympify(formula, locals={"x": X})
    with pytest.raises(TheoryCheckError):
        expect_arb(expr, X, arb(1))


def test_compiler_rejects_foreign_symbols_and_encloses_piecewise():
    with pytest.raises(TheoryCheckError):
        compile_arb(sp.Symbol("y") * X, X)
    f = compile_arb(sp.Piecewise((0, X < 0), (X, True)), X)
    v = f(arb(0, 1), False)  # a ball straddling the kink: the union of both branches
    assert v.contains(0) and v.contains(arb("0.9"))


def test_cli_certify_encloses_the_erf_closed_forms() -> None:
    """`theorycheck meanfield erf --certify --json`: the enclosures contain q* and chi1 from the
    closed forms E erf(u)^2 = (2/pi) arcsin(2q/(1+2q)), E erf'(u)^2 = (4/pi)/sqrt(1+4q),
    solved independently here at 40 digits."""
    from typer.testing import CliRunner

    from theorycheck.cli import _load_commands, app

    _load_commands()
    out = CliRunner().invoke(app, ["meanfield", "erf", "--sw2", "1", "--sb2", "0.5", "--certify",
                                   "--json"])
    assert out.exit_code == 0, out.output
    doc = __import__("json").loads(out.stdout)
    with mp.workdps(40):
        q = mp.findroot(lambda v: (2 / mp.pi) * mp.asin(2 * v / (1 + 2 * v)) + mp.mpf("0.5") - v,
                        1)
        chi1 = (4 / mp.pi) / mp.sqrt(1 + 4 * q)
        for name, ref in (("q_star", q), ("chi1", chi1)):
            lo, hi = (mp.mpf(s) for s in doc[f"{name}_enclosure"])
            assert lo <= ref <= hi and hi - lo <= mp.mpf("1e-25"), name
            assert doc[f"{name}_certified"] is True
    assert doc["certified"] is True and doc["seconds"] > 0


@pytest.mark.parametrize("formula,reference", [
    # Heaviside(x - 1/10) at q = 1: P(z > 1/10) = erfc(1/(10 sqrt 2))/2
    ("Heaviside(x - 1/10)", lambda: mp.erfc(mp.mpf(1) / 10 / mp.sqrt(2)) / 2),
    # x on x > 1/3, x + 1 below: E z + P(z <= 1/3) = Phi(1/3)
    ("Piecewise((x, x > 1/3), (x + 1, True))", lambda: mp.ncdf(mp.mpf(1) / 3)),
    # a jump at an irrational point: P(z > sqrt 2)
    ("Heaviside(x - sqrt(2))", lambda: mp.erfc(1) / 2),
    # sign(x) x: E |z| = sqrt(2/pi)
    ("sign(x)*x", lambda: mp.sqrt(2 / mp.pi)),
])
def test_switch_points_anywhere_are_enclosed(formula: str, reference) -> None:
    """Non-dyadic and irrational switch points are split by a proved sliver (closed forms)."""
    expr = parse_formula(formula)
    enc = Enclosure.of(expect_arb(expr, X, arb(1)))
    with mp.workdps(50):
        assert enc.contains(mp.nstr(reference(), 48))
    assert enc.width < 1e-30


def test_sign_kernel_is_the_arcsine_law() -> None:
    """E sign(u1) sign(u2) = (2/pi) arcsin c (Sheppard), by Mehler with a proved remainder."""
    sign = get_activation("sign(x)")
    q = arb(1)
    alpha = hermite_coefficients(sign.expr, sign.x, q, 120, parity=-1)
    for c in ("0.3", "-0.55"):
        ball = kernel_arb(alpha, arb(1), arb(c))
        with mp.workdps(50):
            assert Enclosure.of(ball).contains(mp.nstr(2 / mp.pi * mp.asin(mp.mpf(c)), 48))


@pytest.mark.parametrize("formula,kernel", [
    ("sign(x)", lambda c: 2 / mp.pi * mp.asin(c)),
    ("Heaviside(x)", lambda c: mp.mpf(1) / 4 + mp.asin(c) / (2 * mp.pi)),
])
def test_certified_c_star_of_a_step_solves_sheppards_equation(formula: str, kernel) -> None:
    """A jump: chi1 = inf, c = 1 unstable, and the stable c* < 1 solves
    c = (sw2 K(c) + sb2) / q* with Sheppard's orthant kernel K (solved here by mpmath)."""
    sw2 = 1
    out = certify_point(formula, sw2, "0.04", 30)
    assert "inf" in out["notes"]["chi1"] and "c_star" in out and out["c_star_stable"]
    with mp.workdps(50):
        sb2 = mp.mpf("0.04")
        q_star = sw2 * kernel(mp.mpf(1)) + sb2
        c_star = mp.findroot(lambda c: (sw2 * kernel(c) + sb2) / q_star - c, 0.5)
        assert out["q_star"].contains(mp.nstr(q_star, 48))
        assert out["c_star"].contains(mp.nstr(c_star, 48))
    assert out["c_star"].width < 1e-25
