"""The shared mechanism of the mean-field map claims: the exact maps over a network's layers
(meanfield.layers), width extrapolation, z tests, input pairs, settled iterations
(claims.map_checks).  References are hand-computed and say where they come from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theorycheck.activations import get_activation
from theorycheck.claims import map_checks as mc
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.grid_maps import kernel_grid, qmap_grid
from theorycheck.meanfield.layers import map_layers


def test_map_layers_linear_network_by_hand() -> None:
    # psi = x: V(q) = sw2 q + sb2 and K(q, c) = q c, so q12 = q c obeys the same affine map
    # as q: q12^{l+1} = sw2 q12^l + sb2 (seed 002, Eqs. (3), (5)); iterate both by hand
    sw2, sb2, c_in, layers = 1.3, 0.2, 0.4, 6
    qs, cs = map_layers(lambda q: sw2 * q + sb2, lambda q, c: q * c, sw2, sb2, c_in, layers)
    q, q12 = sw2 + sb2, sw2 * c_in + sb2
    for l in range(layers):
        assert qs[l] == pytest.approx(q, rel=1e-14)
        assert cs[l] == pytest.approx(q12 / q, rel=1e-14)
        q, q12 = sw2 * q + sb2, sw2 * q12 + sb2
    assert qs.shape == cs.shape == (layers,)


def test_map_layers_relu_reaches_c_one_in_the_ordered_phase() -> None:
    # relu, sw2 = 1.5 < 2: chi1 = sw2/2 = 0.75 < 1, so c^l -> 1 (seed 000, Eq. (17)); the
    # arc-cosine kernel is exact (gaussian.closed_form), q^l -> q* = sb2/(1 - sw2/2) = 0.2
    act = get_activation("relu")
    g = GridEngine(act, n_nodes=16)
    sw2, sb2 = 1.5, 0.05
    qs, cs = map_layers(lambda q: float(qmap_grid(act, g, q, sw2, sb2)[0]),
                        lambda q, c: kernel_grid(act, g, q, c)[0], sw2, sb2, 0.0, 200)
    assert qs[-1] == pytest.approx(sb2 / (1 - sw2 / 2), rel=1e-10)
    assert 1 - cs[-1] < 1e-6 and np.all(np.diff(cs) > -1e-15)


def test_two_widths_removes_an_exact_one_over_n_bias() -> None:
    # per-network values t + a/N + e_r: the extrapolation 2 m(2N) - m(N) returns t + mean(e)
    # exactly, and se = sqrt(4 se(2N)^2 + se(N)^2) with se(N) = std(e, ddof=1)/sqrt(R)
    rng = np.random.default_rng(1)
    noise = rng.standard_normal(50)
    t, a = 0.7, 3.0
    meas = mc.two_widths(lambda n: t + a / n + noise, 64)
    se1 = noise.std(ddof=1) / math.sqrt(noise.size)
    assert meas.mean == pytest.approx(t + noise.mean(), abs=1e-13)
    assert meas.se == pytest.approx(math.sqrt(5) * se1, rel=1e-12)
    assert meas.at_width == pytest.approx(t + a / 64 + noise.mean(), abs=1e-13)
    assert meas.z(t + noise.mean()) == pytest.approx(0.0, abs=1e-10)


def test_two_widths_per_row_matches_separate_rows() -> None:
    # axis=1 over stacked statistics equals the statistics taken one row at a time
    rng = np.random.default_rng(2)
    rows = rng.standard_normal((2, 30))
    both = mc.two_widths(lambda n: rows + 1.0 / n, 10, axis=1)
    for i in range(2):
        one = mc.two_widths(lambda n, i=i: rows[i] + 1.0 / n, 10)
        assert both.mean[i] == one.mean and both.se[i] == one.se


def test_input_pair_unit_mean_square_and_extreme_correlations() -> None:
    n0 = 64
    for along, across, c_ref in ((1.0, 0.0, 1.0), (0.0, 1.0, 0.0)):
        x = mc.input_pair(np.random.default_rng(0), n0, along, across)
        assert np.allclose((x ** 2).sum(axis=0) / n0, 1.0, atol=1e-14)
        assert float(x[:, 0] @ x[:, 1]) / n0 == pytest.approx(c_ref, abs=1e-13)


def test_correlation_of_covariances() -> None:
    cov = np.zeros((1, 2, 2, 2))
    cov[0, 0] = [[4.0, 1.0], [1.0, 1.0]]   # 1 / sqrt(4 * 1) = 0.5
    cov[0, 1] = [[2.0, -2.0], [-2.0, 8.0]]  # -2 / sqrt(16) = -0.5
    assert np.allclose(mc.correlation(cov), [[0.5, -0.5]], atol=1e-15)


def test_settled_returns_a_limit_and_refuses_a_divergent_iteration() -> None:
    assert mc.settled(np.array([1.0, 0.5, 0.5 + 1e-12]), 1e-10) == 0.5 + 1e-12
    with pytest.raises(TheoryCheckError):
        mc.settled(np.array([1.0, 2.0, 4.0]), 1e-10)
    with pytest.raises(TheoryCheckError):
        mc.settled(np.array([1.0, 2e6, 2e6]), 1e-10)


def test_stable_q_value_or_reason() -> None:
    ev: dict[str, str] = {}
    mf = MeanField(get_activation("relu"), dps=15)
    qs = mc.stable_q(mf, 1.5, 0.05, ev, "k", "none")
    assert qs is not None and float(qs.value) == pytest.approx(0.2, rel=1e-12)  # sb2/(1-sw2/2)
    assert mc.stable_q(mf, 3.0, 0.05, ev, "k", "none") is None  # sw2/2 > 1: q^l diverges
    assert ev["k"].startswith("none: ")


def test_z_result_verdict_and_counterexample() -> None:
    ev: dict[str, str] = {}
    ok = mc.z_result(ev, 3.29, [], "fine", "bad", where="sw2")
    assert ok.status == "passed" and ok.summary == "fine" and ok.counterexample is None
    assert ev["z_crit"] == "3.29"
    bad = mc.z_result({}, 3.29, [1.5], "fine", "bad", where="sw2")
    assert bad.status == "failed" and bad.summary == "bad" and bad.counterexample == {"sw2": [1.5]}
