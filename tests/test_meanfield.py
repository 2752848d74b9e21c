"""Mean-field maps, fixed points, EOC and phase planes against closed forms and each other.

Tolerances: mpmath results at ``dps`` digits must agree with exact values to 10**-(dps-3);
float64 plane values must be within 1e-10 of mpmath (the target of the grid engine, whose
own error estimates are ~1e-14); "measured" depth scales come from a float64 fit of a
finite iteration, so they get 1e-3 relative.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from theorycheck.activations import get_activation
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import CallableActivation, MeanField, phase_plane
from theorycheck.meanfield.search import FastMeanField

TANH = CallableActivation(
    "tanh",
    [np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)],
    [mp.tanh, lambda x: 1 - mp.tanh(x) ** 2, lambda x: -2 * mp.tanh(x) * (1 - mp.tanh(x) ** 2)])
RELU = CallableActivation(
    "relu", [lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0, lambda x: 0 * x],
    [lambda x: max(x, mp.mpf(0)), lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
     lambda x: mp.mpf(0)], kinks=(0.0,))
LINEAR = CallableActivation("linear", [lambda x: x, lambda x: 0 * x + 1.0, lambda x: 0 * x],
                            [lambda x: x, lambda x: mp.mpf(1), lambda x: mp.mpf(0)])


def test_relu_q_star_chi1_beta_closed_form() -> None:
    mf = MeanField(RELU, dps=30)
    with mp.workdps(40):
        q = mf.q_star("1.5", "0.1")
        assert abs(q.value - mp.mpf("0.4")) < mp.mpf(10) ** -27     # sb2 / (1 - sw2/2)
        assert abs(mf.chi1("1.5", "0.1").value - mp.mpf("0.75")) < mp.mpf(10) ** -27
        # beta = sw E[relu(s z) z]/s = sw/2
        assert abs(mf.beta("1.5", "0.1").value - mp.sqrt(mp.mpf("1.5")) / 2) < mp.mpf(10) ** -27


def test_relu_sw2_above_two_has_no_finite_fixed_point() -> None:
    with pytest.raises(TheoryCheckError) as ei:
        MeanField(RELU).q_star(2.5, 0.1)
    assert ei.value.status == Status.NO_FINITE_FIXED_POINT


@pytest.mark.parametrize(("act", "sw2"), [(LINEAR, 1), (RELU, 2)])
def test_marginal_cases_are_non_unique(act, sw2) -> None:
    with pytest.raises(TheoryCheckError) as ei:
        MeanField(act).q_star(sw2, 0)
    assert ei.value.status == Status.NON_UNIQUE_FIXED_POINT


def test_q_star_zero_and_beta_limit() -> None:
    mf = MeanField(TANH, dps=20)
    assert mf.q_star("0.5", 0).value == 0
    with mp.workdps(30):
        assert abs(mf.beta("0.5", 0).value - mp.sqrt(mp.mpf("0.5"))) < mp.mpf(10) ** -18  # Eq. 57


def test_ordered_phase_has_c_star_one_and_xi_forms() -> None:
    mf = MeanField(TANH, dps=20)
    chi = mf.chi1("1.5", "0.05")
    assert chi.value < 1
    assert mf.c_star("1.5", "0.05").value == 1
    xs = mf.xi_c("1.5", "0.05", "schoenholz")
    with mp.workdps(30):
        assert abs(xs.value + 1 / mp.log(chi.value)) < mp.mpf(10) ** -15
    # the printed seed 002 Eq. (10) has log of a negative number for tanh: undefined
    assert mf.xi_c("1.5", "0.05", "printed") is None
    # printed Eq. (9) equals the slope of the q-map (it is the correct one)
    xp = mf.xi_q("1.5", "0.05", "printed")
    xsq = mf.xi_q("1.5", "0.05", "schoenholz")
    assert abs(xp.value - xsq.value) < mp.mpf(10) ** -15
    xm = mf.xi_q("1.5", "0.05", "measured")
    assert abs(xm.value / xp.value - 1) < 1e-3


def test_chaotic_phase_c_star_and_measured_xi_c() -> None:
    mf = MeanField(TANH, dps=20)
    c = mf.c_star(2, "0.05")
    assert 0 < c.value < 1
    # c* is a fixed point of the float64 c-map and xi_c (schoenholz) matches the measured rate
    xs = mf.xi_c(2, "0.05", "schoenholz")
    xm = mf.xi_c(2, "0.05", "measured")
    assert abs(xm.value / xs.value - 1) < 2e-2


def test_tanh_eoc_matches_schoenholz() -> None:
    """Schoenholz et al. 2017 (Fig. 1): the tanh critical line passes sw2 ~ 1.76 at sb2 = 0.05."""
    e = MeanField(TANH, dps=30).eoc_sw2("0.05")
    assert 1.75 < e.sw2.value < 1.77
    assert e.sw2.error < mp.mpf(10) ** -28
    mf = MeanField(TANH, dps=20)
    with mp.workdps(30):
        assert abs(mf.chi1(e.sw2.value, "0.05").value - 1) < mp.mpf(10) ** -17


@pytest.mark.slow
def test_tanh_eoc_dps50_vs_dps80() -> None:
    a = MeanField(TANH, dps=50).eoc_sw2("0.05")
    b = MeanField(TANH, dps=80).eoc_sw2("0.05")
    with mp.workdps(90):
        assert abs(a.sw2.value - b.sw2.value) < mp.mpf(10) ** -45


def test_tanh_eoc_dps30_vs_dps45() -> None:
    """Fast stand-in for the 50-vs-80 check (slow tier): 30 and 45 digits agree to 28."""
    a = MeanField(TANH, dps=30).eoc_sw2("0.05")
    b = MeanField(TANH, dps=45).eoc_sw2("0.05")
    with mp.workdps(60):
        assert abs(a.sw2.value - b.sw2.value) < mp.mpf(10) ** -28


def test_sigmoid_eoc_at_zero_bias_two_engines() -> None:
    """Seed 002 Thm 1: the sigmoid EOC at sb2 = 0 has sw2 ~ 103 and q* ~ 45.6."""
    sig = CallableActivation(
        "sigmoid", [lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2],
        [lambda x: 1 / (1 + mp.exp(-x)), lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2])
    mf = MeanField(sig, dps=20)
    e = mf.eoc_sw2(0)
    assert 100 < e.sw2.value < 106 and 44 < e.q_star.value < 47
    # the float64 engine at the same q gives the same sw2 to 1e-10 relative
    m, _ = mf.grid.expect(lambda x: mf.grid.func(1)(x) ** 2, np.array([float(e.q_star.value)]))
    assert abs(1 / m[0] / float(e.sw2.value) - 1) < 1e-10


def test_point_notes_and_json() -> None:
    pt = MeanField(TANH, dps=15).point("0.5", 0)
    doc = pt.to_json()
    assert doc["q_star"].startswith("0") and doc["xi_c"] is None and "xi_c" in doc["notes"]


def test_phase_plane_matches_mpmath() -> None:
    sw2 = np.linspace(0.5, 4, 40)
    sb2 = np.linspace(0, 0.5, 30)
    pp = phase_plane(TANH, sw2, sb2)
    mf = MeanField(TANH, dps=20)
    for i, j in [(5, 0), (20, 3), (39, 29)]:
        pt = mf.point(sw2[i], sb2[j])
        assert abs(float(pt.q_star.value) - pp.q_star[i, j]) < 1e-10
        assert abs(float(pt.chi1.value) - pp.chi1[i, j]) < 1e-10
        assert abs(float(pt.beta.value) - pp.beta[i, j]) < 1e-10
        if pt.xi_c is not None:
            assert abs(float(pt.xi_c.value) - pp.xi_c[i, j]) <= 10 * pp.xi_c_err[i, j] + 1e-9
    assert np.nanmax(pp.q_star_err) < 1e-10


def test_phase_plane_masks() -> None:
    pr = phase_plane(RELU, np.array([1.0, 2.0, 2.5]), np.array([0.0, 0.1]))
    assert pr.no_fixed_point[2].all() and pr.no_fixed_point[1, 1] and pr.non_unique[1, 0]
    assert pr.q_star[0, 0] == 0 and abs(pr.q_star[0, 1] - 0.2) < 1e-12


def test_a_fixed_point_on_a_scan_grid_node_is_found() -> None:
    """relu at (sw2, sb2) = (1, 0.05): q* = sb2 / (1 - sw2/2) = 0.1 exactly, a node of the
    log-spaced scan grid, where map(q) - q is exactly 0 in float64; chi1 = sw2/2 (closed form).
    The scan once saw no sign change there and reported 'no stable fixed point'."""
    relu = get_activation("relu")
    mf = MeanField(relu, dps=30)
    q = mf.q_star(mp.mpf(1), mp.mpf("0.05"))
    assert abs(q.value - mp.mpf("0.1")) <= mp.mpf("1e-28")
    assert abs(mf.chi1(mp.mpf(1), mp.mpf("0.05")).value - mp.mpf("0.5")) <= mp.mpf("1e-28")
    fast = FastMeanField(relu, kinks=(0.0,), q_lo=1e-4, q_hi=1e3, n_q=8)   # nodes 1e-4 ... 1e3
    stable = [p for p in fast.fixed_points(1.0, 0.005) if p.kind == "stable"]   # q* = 0.01
    assert len(stable) == 1 and abs(stable[0].q - 0.01) <= 1e-12


def test_node_shared_evaluates_once_per_precision_and_node() -> None:
    """Inside shared_nodes a wrapped function runs once per (precision, argument); outside
    any block, and after it, every call runs."""
    from theorycheck.gaussian.mp import node_shared, shared_nodes

    calls: list[mp.mpf] = []

    def f(u: mp.mpf) -> mp.mpf:
        calls.append(u)
        return mp.tanh(u)

    g = node_shared(f)
    with shared_nodes():
        with mp.workdps(30):
            a, b = g(mp.mpf("0.5")), g(mp.mpf("0.5"))
        with mp.workdps(40):
            c = g(mp.mpf("0.5"))
    g(mp.mpf("0.5"))
    assert len(calls) == 3 and a == b and c != a
    with mp.workdps(40):
        assert c == mp.tanh(mp.mpf("0.5"))


def test_point_shares_nodes_bit_identically_and_erf_closed_forms() -> None:
    """MeanField.point (one shared node table) gives exactly the numbers of the separate calls,
    and each lies within its stated error of the erf closed forms at 45 digits:
    q* = 1.5 (2/pi) asin(2q/(1+2q)) + 0.05, chi1 = 1.5 (4/pi)/sqrt(1+4q),
    mu2 = (16/pi^2)/sqrt(1+8q), beta = sqrt(1.5) (2/sqrt(pi))/sqrt(1+2q) (seed 000 Eq. (38))."""
    p = MeanField("erf", dps=30).point("1.5", "0.05", method="mpmath")
    mf = MeanField("erf", dps=30)
    alone = {"q_star": mf.q_star("1.5", "0.05"), "chi1": mf.chi1("1.5", "0.05"),
             "mu2": mf.mu(2, "1.5", "0.05"), "beta": mf.beta("1.5", "0.05"),
             "xi_q": mf.xi_q("1.5", "0.05")}
    for name, est in alone.items():
        got = getattr(p, name)
        assert got.value == est.value and got.error == est.error, name
    with mp.workdps(45):
        q = mp.findroot(lambda v: 1.5 * 2 / mp.pi * mp.asin(2 * v / (1 + 2 * v)) + mp.mpf("0.05")
                        - v, p.q_star.value)
        refs = {"q_star": q, "chi1": 1.5 * 4 / mp.pi / mp.sqrt(1 + 4 * q),
                "mu2": 16 / mp.pi ** 2 / mp.sqrt(1 + 8 * q),
                "beta": mp.sqrt(1.5) * 2 / mp.sqrt(mp.pi) / mp.sqrt(1 + 2 * q)}
        for name, ref in refs.items():
            est = getattr(p, name)
            assert abs(est.value - ref) <= est.error and est.error < mp.mpf(10) ** -28, name
