"""Activations with jumps: point masses of psi' against closed forms (issue 12, item 4).

sign(x) at (sw2, sb2) = (1, 0.04): q* = sw2 + sb2 (sign^2 = 1), chi1 = inf, beta's Stein route
E psi' = 2 phi_q(0), c* solving c = (sw2 (2/pi) arcsin c + sb2)/q* (the orthant probability
P(u1 > 0, u2 > 0) = 1/4 + arcsin(c)/(2 pi)); Heaviside the same with jump 1, q* = sw2/2 + sb2.
"""

from __future__ import annotations

import json

import mpmath as mp
import sympy as sp
from typer.testing import CliRunner

from theorycheck.activations import get_activation
from theorycheck.cli import _load_commands, app
from theorycheck.gaussian.steps import orthant_mp
from theorycheck.meanfield import MeanField, phase_plane
from theorycheck.meanfield.results import MeanFieldPoint


def _root(f: object, x0: float) -> mp.mpf:
    with mp.workdps(45):
        return mp.findroot(f, mp.mpf(x0))


@mp.workdps(50)
def test_jumps_recorded_exactly() -> None:
    assert get_activation("sign(x)").jumps == ((0, 2),)
    assert get_activation("Heaviside(x)").jumps == ((0, 1),)
    assert get_activation("Piecewise((x, x>0.5), (x+1, True))").jumps == \
        ((sp.Rational(1, 2), -1),)
    assert get_activation("Heaviside(x) + Heaviside(x - 1)").jumps == ((0, 1), (1, 1))
    assert get_activation("sign(x)").piecewise_constant
    assert not get_activation("Piecewise((x, x>0), (x+1, True))").piecewise_constant
    for name in ("relu", "tanh", "Abs(x)"):   # kinks are not jumps
        assert get_activation(name).jumps == ()


@mp.workdps(50)
def test_orthant_probability_closed_form() -> None:
    for c in ("0.3", "-0.8", "0.9999"):
        e = orthant_mp(0, 0, "1.7", c, dps=30)
        with mp.workdps(40):
            ref = mp.mpf(1) / 4 + mp.asin(mp.mpf(c)) / (2 * mp.pi)
            assert abs(e.value - ref) < mp.mpf(10) ** -28


@mp.workdps(50)
def test_sign_closed_forms() -> None:
    mf = MeanField("sign(x)", dps=30)
    pt = mf.point(mp.mpf(1), mp.mpf("0.04"))
    q = mp.mpf(1) + mp.mpf("0.04")
    with mp.workdps(40):
        assert abs(pt.q_star.value - q) < mp.mpf(10) ** -28
        assert pt.chi1.value == mp.inf and pt.mu1.value == mp.inf and pt.mu2.value == mp.inf
        stein = mp.sqrt(mp.mpf(1)) * 2 / mp.sqrt(2 * mp.pi * q)      # sw E psi' = sw 2 phi_q(0)
        assert abs(pt.extra["beta_stein"].value - stein) < mp.mpf(10) ** -28
        assert abs(pt.beta.value - stein) < mp.mpf(10) ** -28
    cs = _root(lambda c: (mp.mpf(1) * 2 / mp.pi * mp.asin(c) + mp.mpf("0.04")) / q - c, 0.1)
    assert abs(pt.c_star.value - cs) < mp.mpf(10) ** -25 and pt.c_star.error < 1e-25
    with mp.workdps(45):
        slope = mp.mpf(1) * 2 / (mp.pi * q * mp.sqrt(1 - cs * cs))
        assert abs(pt.xi_c.value - (-1 / mp.log(slope))) < mp.mpf(10) ** -24
    assert "jumps by 2 at x = 0" in pt.notes["chi1"] and "chi1 = inf" in pt.notes["chi1"]
    assert "almost everywhere" in pt.notes["jacobian"]
    doc = pt.to_json()
    assert doc["chi1"] == "inf" and doc["mu2"] == "inf"


@mp.workdps(50)
def test_heaviside_closed_forms() -> None:
    mf = MeanField("Heaviside(x)", dps=30)
    pt = mf.point(mp.mpf(1), mp.mpf("0.04"))
    q = mp.mpf(1) / 2 + mp.mpf("0.04")
    assert abs(pt.q_star.value - q) < mp.mpf(10) ** -28
    assert pt.chi1.value == mp.inf
    with mp.workdps(40):
        assert abs(pt.extra["beta_stein"].value - 1 / mp.sqrt(2 * mp.pi * q)) < 1e-28
    cs = _root(lambda c: (mp.mpf(1) / 4 + mp.asin(c) / (2 * mp.pi) + mp.mpf("0.04")) / q - c,
               0.8)
    assert abs(pt.c_star.value - cs) < mp.mpf(10) ** -25


@mp.workdps(50)
def test_jump_away_from_zero() -> None:
    # sign(x - 1/2): q* = sw2 + sb2, E psi' = 2 phi_q(1/2), c* from P(u1 > a, u2 > a)
    mf = MeanField("sign(x - 0.5)", dps=30)
    pt = mf.point(mp.mpf(1), mp.mpf("0.04"))
    q = mp.mpf(1) + mp.mpf("0.04")
    a = mp.mpf(1) / 2
    with mp.workdps(40):
        phi = mp.exp(-a * a / (2 * q)) / mp.sqrt(2 * mp.pi * q)
        assert abs(pt.extra["beta_stein"].value - 2 * phi) < 1e-28
        assert abs(pt.beta.value - 2 * phi) < 1e-28   # the direct route agrees
    s = mp.sqrt(q)

    def cmap(c: mp.mpf) -> mp.mpf:   # psi = -1 + 2 H(x - a): K = 1 - 4 sf(a/s) + 4 P
        with mp.workdps(45):
            p = mp.quad(lambda r: mp.exp(-a * a / (q * (1 + r))) / (2 * mp.pi *
                                                                  mp.sqrt(1 - r * r)), [0, c])
            sf = mp.erfc(a / s / mp.sqrt(2)) / 2
            k = 1 - 4 * sf + 4 * (sf * sf + p)
            return (mp.mpf(1) * k + mp.mpf("0.04")) / q - c
    cs = _root(cmap, 0.35)
    assert abs(pt.c_star.value - cs) < mp.mpf(10) ** -25
    # a jump of psi that is not piecewise constant: chi1 = inf, q* from the q-map, c* < 1
    pw = MeanField("Piecewise((x, x>0.5), (x+1, True))", dps=20).point(1, "0.04")
    assert pw.chi1.value == mp.inf and pw.c_star.value < 1


@mp.workdps(50)
def test_smooth_and_kinked_unchanged() -> None:
    for name in ("tanh", "relu"):
        mf = MeanField(name, dps=20)
        assert mf.jumps == () and mf.chi1(1, "0.04").value < mp.inf
    pt = MeanField("relu", dps=20).chi1(1, 0)
    assert abs(pt.value - mp.mpf(1) / 2) < 1e-18


@mp.workdps(50)
def test_phase_plane_and_eoc() -> None:
    plane = phase_plane("sign(x)", [0.5, 1.0], [0.0, 0.04])
    assert (plane.chi1 == float("inf")).all()
    assert abs(plane.beta[1, 1] - float(2 / mp.sqrt(2 * mp.pi * mp.mpf("1.04")))) < 1e-10
    _load_commands()
    runner = CliRunner()
    r = runner.invoke(app, ["eoc", "sign(x)", "--sb2", "0.04", "--json"])
    assert r.exit_code == 2 and "no edge of chaos" in r.output


@mp.workdps(50)
def test_cli_meanfield_json() -> None:
    _load_commands()
    r = CliRunner().invoke(app, ["meanfield", "Heaviside(x)", "--sw2", "1", "--sb2", "0.04",
                                 "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["chi1"] == "inf" and doc["c_star"].startswith("0.8208152740551514591692956")
    assert "jumps by 1 at x = 0" in doc["notes"]["chi1"]
    assert set(MeanFieldPoint.NUMBERS) <= set(doc)
