"""Experiment claims' machinery against independent references: the reconstructed seed-001
mean-field bound, sampled Gaussian MI bounds, the kurtosis estimator and the slope fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from theorycheck.claims.statistics import excess_kurtosis, fit_through_origin, paired_test
from theorycheck.errors import TheoryCheckError
from theorycheck.information import meanfield_bound as mfb
from theorycheck.information.estimator_bias import mi_bias
from theorycheck.placement import CPU
from theorycheck.simulate.mi_bounds import sampled_bounds

TANH = (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)
Z = 4.0  # two-sided ~6e-5 false-alarm rate per assertion


def test_layer_one_bound_equals_mean_field() -> None:
    """Layer 1 (square W): det W cancels, so the sampled bound per neuron estimates the
    mean-field value exactly; tolerance = Z standard errors over networks."""
    n, noise2 = 12, 0.05
    tr = mfb.mf_bound_trace(TANH, 2.0, 0.05, noise2=noise2, depth=1)
    res = sampled_bounds(torch.tanh, sw2=2.0, sb2=0.05, width=n, depth=1, layers=[1], q0=1.0,
                         samples=40 * n, networks=8, seed=3, noise2=noise2, placement=CPU)[1]
    assert abs(res.mean / n - tr.per_neuron[1]) <= Z * res.stderr / n + 2e-3


def test_linear_network_sampled_bound_is_exact_gaussian_mi() -> None:
    """psi = identity: (X, x^l) is jointly Gaussian, so the Gaussian bound is the true MI,
    computed exactly from the drawn weights; the bias-corrected sampled bound matches it."""
    n, depth, noise2, nets = 5, 3, 0.3, 12
    weights: list[np.ndarray] = []
    res = sampled_bounds(lambda x: x, sw2=1.0, sb2=0.1, width=n, depth=depth, layers=[depth],
                         q0=1.0, samples=3000, networks=nets, seed=11, noise2=noise2, placement=CPU,
                         on_step=lambda s: weights.append(s.weights.numpy().copy()))[depth]
    exact = []
    for b in range(nets):
        a = np.eye(n)
        noise = np.zeros((n, n))
        for w in weights:
            a = w[b] @ a
            noise = w[b] @ (noise + noise2 * np.eye(n)) @ w[b].T
        exact.append(0.5 * (np.linalg.slogdet(a @ a.T + noise)[1] - np.linalg.slogdet(noise)[1]))
    diff = np.array(res.values) - np.array(exact)
    assert abs(diff.mean()) <= Z * diff.std(ddof=1) / math.sqrt(nets)


def test_wishart_bias_matches_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    reps = []
    for _ in range(400):
        x = rng.standard_normal((6, 40))
        c = np.cov(x)
        reps.append(0.5 * (np.linalg.slogdet(c[:3, :3])[1] + np.linalg.slogdet(c[3:, 3:])[1]
                           - np.linalg.slogdet(c)[1]))
    assert abs(np.mean(reps) - mi_bias(3, 3, 40)) <= Z * np.std(reps) / math.sqrt(400)


def test_mean_field_bound_structure() -> None:
    """Centered = uncentered for odd phi at sb2 = 0; v > g (bound finite); the tail of the bound
    decays at the fixed-point rate gamma* < chi1 = 1 on the noisy EOC."""
    c = mfb.mf_bound_trace(TANH, 1.5, 0.0, noise2=0.01, depth=15)
    u = mfb.mf_bound_trace(TANH, 1.5, 0.0, noise2=0.01, depth=15, form="uncentered")
    np.testing.assert_allclose(c.per_neuron[1:], u.per_neuron[1:], rtol=1e-10)
    assert np.all(c.v[1:] > c.g[1:])
    sw2 = mfb.noisy_eoc_sw2(TANH, 0.05, 0.01)
    rate = mfb.limit_rate(TANH, sw2, 0.05, 0.01)
    assert abs(rate["chi1"] - 1) < 1e-9 and rate["gamma"] < 1
    tr = mfb.mf_bound_trace(TANH, sw2, 0.05, noise2=0.01, depth=150)
    fitted = tr.per_neuron[150] / tr.per_neuron[149]
    assert abs(fitted - rate["gamma"]) < 1e-4


def test_bound_refuses_zero_noise() -> None:
    with pytest.raises(TheoryCheckError):
        mfb.mf_bound_trace(TANH, 1.0, 0.0, noise2=0.0, depth=3)


def test_noisy_q_star_takes_the_stable_root() -> None:
    """sb2 = noise2 = 0, sw2 > 1: q = 0 is an unstable fixed point; the stable one is positive
    and solves the map."""
    q = mfb.noisy_q_star(TANH, 4.0, 0.0, 0.0)
    assert q > 1.0
    assert abs(4.0 * mfb.univariate(lambda x: np.tanh(x) ** 2, q) - q) < 1e-8
    assert mfb.noisy_q_star(TANH, 0.8, 0.0, 0.0) == 0.0


def _scale_mixture(kappa: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """x = s z with s^2 in {1 - d, 1 + d} equally likely: excess kurtosis 3 d^2 exactly."""
    d = math.sqrt(kappa / 3.0)
    s2 = np.where(rng.random(size) < 0.5, 1 - d, 1 + d)
    return np.sqrt(s2) * rng.standard_normal(size)


def test_kurtosis_estimator_and_slope_fit_recover_known_value() -> None:
    """Gaussian scale mixtures with excess kurtosis a r on a grid of r: the per-point estimates
    and the fitted slope recover a within their standard errors."""
    rng = np.random.default_rng(5)
    a = 1.5
    rs = [0.1, 0.2, 0.3, 0.4, 0.5]
    ks, ses = [], []
    for r in rs:
        k, se = excess_kurtosis(_scale_mixture(a * r, 40000, rng))
        assert abs(k - a * r) <= Z * se
        ks.append(k)
        ses.append(se)
    fit = fit_through_origin(rs, ks, ses)
    assert abs(fit["a"] - a) <= Z * fit["a_err"]


def test_paired_test_detects_a_shift() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(size=10)
    res = paired_test(base + 0.5 + 0.05 * rng.normal(size=10), base)
    assert res["ci_low"] > 0 and res["p_value"] < 1e-6
    same = paired_test(base, base + 0.01 * rng.normal(size=10))
    assert same["ci_low"] < 0 < same["ci_high"]
