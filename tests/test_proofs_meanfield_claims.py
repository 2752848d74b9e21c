"""The mean-field map claims (qmap, cmap-fixed-point, chi1-jacobian, depth-scales,
cnn-fixed-point): their computed evidence against independent references.

References are written inline with where they come from; tolerances say why they are what they
are.  Fast: no claim is run end to end here (the quick profile does that).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("theorycheck.meanfield")

from theorycheck.activations import get_activation
from theorycheck.claims import ClaimRun, RunContext
from theorycheck.claims.registry import discover
from theorycheck.gaussian import GridEngine
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.grid_maps import (
    c_star_grid,
    cmap_slope_at_one,
    iterate,
    kernel_grid,
    qmap_grid,
)
from theorycheck.meanfield.rates import geometric_rate
from theorycheck.numbers import richardson
from theorycheck.placement import CPU
from theorycheck.proofs import cmap_fixed_point, cnn_fixed_point, depth_scales, qmap

IDS = ("qmap", "cmap-fixed-point", "chi1-jacobian", "depth-scales", "cnn-fixed-point")



def grid(act: object) -> GridEngine:
    """The float64 engine the map claims use: 16-point panels split at the kinks."""
    return GridEngine(act, n_nodes=16)

def test_claims_registered_with_printed_equations() -> None:
    claims = discover()
    for cid in IDS:
        assert cid in claims
        assert claims[cid].printed, cid


@pytest.mark.parametrize("q", [0.1, 0.7, 2.0, 9.0])
def test_corrected_qmap_relu_closed_form(q: float) -> None:
    # relu: E max(0, sqrt(q) z)^2 = q/2, so q -> sw2 q/2 + sb2 (exact; 25 digits asked)
    mf = MeanField(get_activation("relu"), dps=25)
    sw2, sb2 = 1.7, 0.2
    v = mf.variance_map(q, sw2, sb2)
    assert abs(float(v.value) - (sw2 * q / 2 + sb2)) < 1e-14


@pytest.mark.parametrize("q", [0.1, 0.7, 2.0])
def test_corrected_qmap_erf_arcsine(q: float) -> None:
    # erf: E erf(u)^2 = (2/pi) arcsin(2q/(1+2q))  (Williams 1997, arcsine kernel at c = 1)
    act = get_activation("erf")
    sw2, sb2 = 2.0, 0.1
    ref = sw2 * 2 / math.pi * math.asin(2 * q / (1 + 2 * q)) + sb2
    assert abs(float(MeanField(act, dps=25).variance_map(q, sw2, sb2).value) - ref) < 1e-14
    v, e = qmap_grid(act, grid(act), q, sw2, sb2)
    assert abs(float(v) - ref) < 1e-13 and float(e) < 1e-12


def test_printed_002_eq3_literal_for_tanh_is_sb2() -> None:
    # without the square, the printed map integrates an odd function: q^l = sb2 for every q
    act = get_activation("tanh")
    g = grid(act)
    for q in (0.3, 1.0, 4.0):
        v, _ = qmap.printed_3(act, g, q, 1.5, 0.05)
        assert abs(float(v) - 0.05) < 1e-15
    corrected, _ = qmap_grid(act, g, 1.0, 1.5, 0.05)
    assert float(corrected) > 0.5  # a sharp discrepancy, not a rounding one


def test_printed_000_eq9_literal_equals_corrected_only_at_q_one() -> None:
    act = get_activation("tanh")
    g = grid(act)
    lit, _ = qmap.printed_9(act, g, 1.0, 1.5, 0.05)
    cor, _ = qmap_grid(act, g, 1.0, 1.5, 0.05)
    assert abs(float(lit) - float(cor)) < 1e-14  # sqrt(sigma) = sigma at sigma = 1
    lit, _ = qmap.printed_9(act, g, 0.25, 1.5, 0.05)
    cor, _ = qmap_grid(act, g, 0.25, 1.5, 0.05)
    assert abs(float(lit) - float(cor)) > 0.05


@pytest.mark.parametrize("name,sw2", [("tanh", 1.5), ("tanh", 3.0), ("relu", 1.5), ("erf", 2.0)])
def test_cmap_slope_at_one_is_chi1(name: str, sw2: float) -> None:
    # route 1: Richardson-extrapolated one-sided slope of the bivariate c-map at c = 1;
    # route 2: the 1-D chi1 = sw2 E psi'(sqrt(q*) z)^2 (mpmath); they share only q*
    act = get_activation(name)
    mf = MeanField(act, dps=20)
    q = float(mf.q_star(sw2, 0.05).value)
    slope = cmap_slope_at_one(act, grid(act), q, sw2, 0.05)
    chi1 = float(mf.chi1(sw2, 0.05).value)
    assert abs(float(slope.value) - chi1) <= 3 * float(slope.error) + 1e-9
    assert float(slope.error) < 1e-5
    if name == "relu":
        assert abs(chi1 - sw2 / 2) < 1e-15  # relu: chi1 = sw2/2 exactly


def test_cmap_symbolic_steps_hold() -> None:
    run = ClaimRun(ctx=RunContext())
    res = cmap_fixed_point._symbolic(run)
    assert res.status == "passed" and all(s.holds for s in res.steps)
    assert any("Eq. (15)" in f.where for f in run.outcome.findings)  # "divide by sigma*" is wrong


def test_printed_xi_q_matches_measured_rate_of_exact_map() -> None:
    act = get_activation("tanh")
    mf = MeanField(act, dps=20)
    sw2, sb2 = 1.5, 0.05
    q = float(mf.q_star(sw2, sb2).value)
    printed9 = float(mf.chi1(sw2, sb2).value) + sw2 * float(mf.expect("psi_ddpsi", q).value)
    g = grid(act)
    dev = iterate(lambda x: float(qmap_grid(act, g, x, sw2, sb2)[0]), 1.01 * q, 200) - q
    rate = geometric_rate(dev, 1e-11)
    assert abs(float(rate.value) - printed9) < 3 * float(rate.error) + 1e-9
    assert float(rate.error) < 1e-5


def test_printed_eq10_argument_is_negative_for_tanh_at_c_one() -> None:
    # sw2 E tanh'' tanh = -2 sw2 E tanh^2 sech^2 < 0: -log of it is undefined
    act = get_activation("tanh")
    g = grid(act)
    v, _ = g.expect(lambda x: act.numpy(2)(x) * act.numpy(0)(x), np.asarray(0.418))
    assert float(v) < 0


def test_depth_scales_symbolic_steps_hold() -> None:
    res = depth_scales._symbolic(ClaimRun(ctx=RunContext()))
    assert res.status == "passed" and all(s.holds for s in res.steps)


@pytest.mark.parametrize("sw2", [1.5, 3.0])
def test_cnn_fixed_point_invariance(sw2: float) -> None:
    act = get_activation("tanh")
    g = grid(act)
    mf = MeanField(act, dps=20)
    q = float(mf.q_star(sw2, 0.05).value)
    cs = c_star_grid(act, g, q, sw2, 0.05)
    n, k = 7, 2
    S = q * (np.eye(n) + (1 - np.eye(n)) * cs)
    C = np.empty((n, n))
    for a in range(n):
        for b in range(n):
            C[a, b] = (float(qmap_grid(act, g, q, sw2, 0.05)[0]) if a == b else
                       sw2 * kernel_grid(act, g, q, cs)[0] + 0.05)
    assert np.max(np.abs(cnn_fixed_point.star(C, k) - S)) < 1e-12


def test_star_operator_spectrum_is_dirichlet_kernel() -> None:
    n, k = 9, 1
    M = np.zeros((n, n))
    for j in range(n):  # the operator restricted to the main diagonal band
        D = np.diag(np.eye(n)[j])
        M[:, j] = np.diag(cnn_fixed_point.star(D, k))
    eig = np.sort(np.linalg.eigvals(M).real)
    assert np.allclose(eig, np.sort(cnn_fixed_point.dirichlet(n, k)), atol=1e-13)
    assert abs(eig.max() - 1) < 1e-13  # not 1/(2k+1), as I_{2k+1}/(2k+1) would have


def test_richardson_removes_half_integer_powers() -> None:
    hs = [0.02 * 4.0 ** -j for j in range(5)]
    ds = [0.75 + 0.3 * h ** 0.5 - 0.2 * h + 0.1 * h ** 1.5 for h in hs]
    val, err = richardson(hs, ds, 0.5, levels=3)
    assert abs(val - 0.75) < 1e-12
    assert abs(val - 0.75) <= err < 1e-6  # the estimate (last two levels) is conservative


def test_cnn_simulation_first_layer_is_exact_in_expectation() -> None:
    # layer 1: E Sigma^1 = A * (sw2 X^T X / c_in) + sb2 exactly at any width
    cnn = pytest.importorskip("theorycheck.simulate.cnn")
    act = get_activation("tanh")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 6))
    sw2, sb2, k = 1.3, 0.1, 1
    out = cnn.cnn_covariances(act, x, sw2=sw2, sb2=sb2, channels=64, radius=k, depth=1,
                              networks=400, seed=5, placement=CPU).cov[0]
    ref = cnn_fixed_point.star(sw2 * x.T @ x / 16, k) + sb2
    mean = out.mean(axis=0)
    se = out.std(axis=0, ddof=1) / math.sqrt(out.shape[0])
    assert np.all(np.abs(mean - ref) <= 5 * se + 1e-12)
