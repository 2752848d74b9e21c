"""theorycheck.information against independent references (closed forms, numpy determinants,
exact Gaussian-channel MI, Monte Carlo)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.information import (
    bivariate_mi_exact,
    channel_covariance_2d,
    gaussian_mi,
    gaussian_mi_binary,
    gaussian_mi_channel,
    gaussian_mi_channel_mp,
    gaussian_mi_correlation,
    gaussian_mi_correlation_mp,
    gaussian_mi_mp,
    gaussian_mi_schur,
    mi_from_omegas,
    schur_factorisation,
    sylvester_forms,
    true_mi_binary,
    true_mi_channel,
    true_mi_channel_2d,
)
from theorycheck.information.channels import get_channel
from theorycheck.information.randmat import random_correlation, random_psd, random_spd


@pytest.mark.parametrize("rho", [-0.95, -0.3, 0.0, 0.5, 0.9, 0.999])
def test_bivariate_closed_form(rho: float) -> None:
    cov = np.array([[2.0, rho * math.sqrt(2.0 * 0.5)], [rho * math.sqrt(2.0 * 0.5), 0.5]])
    want = -0.5 * math.log1p(-rho * rho)
    assert gaussian_mi(cov, 1) == pytest.approx(want, abs=1e-12)
    assert gaussian_mi_schur(cov, 1) == pytest.approx(want, abs=1e-12)
    assert float(bivariate_mi_exact(rho)) == pytest.approx(want, abs=1e-15)


def test_mp_matches_closed_form_to_40_digits() -> None:
    with mp.workdps(60):
        rho = mp.mpf(3) / 7
        cov = [[mp.mpf(1), rho], [rho, mp.mpf(1)]]
        want = -mp.log(1 - rho ** 2) / 2
    est = gaussian_mi_mp(cov, 1, dps=40)
    assert abs(est.value - want) < mp.mpf(10) ** -40
    assert est.error < mp.mpf(10) ** -30


def test_correlation_form_mp_vs_closed_form_and_cholesky_route() -> None:
    # bivariate, rho = 3/8 exact in float64: I = -1/2 log(1 - rho^2)
    est = gaussian_mi_correlation_mp([[1.0]], [[0.375]], [[1.0]], dps=40)
    with mp.workdps(60):
        want = -mp.log(1 - mp.mpf(3) ** 2 / 64) / 2
    assert abs(est.value - want) < mp.mpf(10) ** -40
    assert est.error < mp.mpf(10) ** -30
    # 2 + 3 blocks: the corrected (43) on C equals (35) on D C D formed exactly (seed 000, (43))
    rng = np.random.default_rng(7)
    c = random_correlation(rng, 5, ridge=0.3)
    d = np.exp(rng.uniform(-1.0, 1.0, 5))
    with mp.workdps(80):
        sigma = [[mp.mpf(c[i, j]) * mp.mpf(d[i]) * mp.mpf(d[j]) for j in range(5)]
                 for i in range(5)]
    corr = gaussian_mi_correlation_mp(c[:2, :2], c[:2, 2:], c[2:, 2:], dps=30)
    chol = gaussian_mi_mp(sigma, 2, dps=30)
    assert abs(corr.value - chol.value) < mp.mpf(10) ** -28
    assert float(corr.value) == pytest.approx(
        gaussian_mi_correlation(c[:2, :2], c[:2, 2:], c[2:, 2:]), abs=1e-12)


def test_exact_additive_gaussian_vector_case() -> None:
    # Y = A X + N, X ~ N(0, Sx), N ~ N(0, Sn): I = 1/2 log det(I + Sn^-1 A Sx A^T)
    rng = np.random.default_rng(3)
    sx, sn = random_spd(rng, 3), random_spd(rng, 2)
    a = rng.standard_normal((2, 3))
    cov = np.block([[sx, sx @ a.T], [a @ sx, a @ sx @ a.T + sn]])
    want = 0.5 * np.linalg.slogdet(np.eye(2) + np.linalg.solve(sn, a @ sx @ a.T))[1]
    assert gaussian_mi(cov, 3) == pytest.approx(want, rel=1e-11)
    assert float(gaussian_mi_mp(cov, 3, dps=30).value) == pytest.approx(want, rel=1e-11)


def test_ill_conditioned_is_refused_with_condition_number() -> None:
    cov = np.array([[1.0, 1.0 - 1e-15], [1.0 - 1e-15, 1.0]])
    with pytest.raises(TheoryCheckError) as info:
        gaussian_mi(cov, 1)
    assert info.value.status == Status.ILL_CONDITIONED
    assert "condition number" in info.value.message
    assert float(info.value.details["condition_number"]) > 1e12
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(TheoryCheckError) as info2:
        gaussian_mi(singular, 1)
    assert info2.value.status == Status.ILL_CONDITIONED


def test_bad_arguments() -> None:
    with pytest.raises(TheoryCheckError):
        gaussian_mi(np.eye(3), 0)
    with pytest.raises(TheoryCheckError):
        gaussian_mi(np.array([[1.0, 0.2], [0.3, 1.0]]), 1)
    with pytest.raises(TheoryCheckError):
        true_mi_channel(np.tanh, 0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2 ** 32 - 1))
def test_schur_and_correlation_forms_vs_numpy(n0: int, nl: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = random_correlation(rng, n0 + nl)
    d = np.exp(rng.uniform(-1, 1, n0 + nl))
    sigma = c * d[:, None] * d[None, :]
    f = schur_factorisation(c[:n0, :n0], c[:n0, n0:], c[n0:, n0:], d[:n0], d[n0:])
    assert np.exp(f.lhs_logdet) == pytest.approx(np.linalg.det(sigma), rel=1e-9)
    assert f.log_ratio == pytest.approx(0.0, abs=1e-9)
    ref = 0.5 * math.log(np.linalg.det(sigma[:n0, :n0]) * np.linalg.det(sigma[n0:, n0:])
                         / np.linalg.det(sigma))
    assert gaussian_mi(sigma, n0) == pytest.approx(ref, abs=1e-9)
    assert gaussian_mi_correlation(c[:n0, :n0], c[:n0, n0:], c[n0:, n0:]) == pytest.approx(
        ref, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(0, 7), st.floats(-2, 2), st.integers(0, 2 ** 32 - 1))
def test_sylvester_forms_vs_numpy(n: int, rank: int, b: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, c = random_psd(rng, n, min(rank, n)), random_spd(rng, n)
    f = sylvester_forms(m, c, b)
    ref = np.linalg.det(np.eye(n) - b * m @ c)
    scale = max(1.0, abs(ref))
    for v in (f.direct, f.cholesky, f.product, f.product_positive):
        assert v == pytest.approx(ref, abs=1e-8 * scale)
    assert np.sort(f.omegas) == pytest.approx(np.sort(np.linalg.eigvals(m @ c).real), abs=1e-8)


def test_mi_from_omegas_domain() -> None:
    assert mi_from_omegas([0.5, 0.0], 1.0, 1) == pytest.approx(-0.5 * math.log(0.5))
    with pytest.raises(TheoryCheckError):
        mi_from_omegas([2.0], 1.0, 1)


@pytest.mark.parametrize("sigma", [0.2, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("scale", [0.5, 1.0, 1.7])
def test_true_mi_gaussian_channel_exact(sigma: float, scale: float) -> None:
    est = true_mi_channel(lambda z: z, sigma, scale=scale)
    exact = 0.5 * math.log1p(scale * scale / (sigma * sigma))
    assert abs(float(est.value) - exact) <= max(10 * float(est.error), 1e-11)
    assert float(est.error) < 1e-9
    g = gaussian_mi_channel(lambda z: z, sigma, scale=scale)
    assert float(g.value) == pytest.approx(exact, abs=1e-12)


def test_true_mi_2d_gaussian_exact() -> None:
    sigma, rho = 1.0, 0.6
    est = true_mi_channel_2d(lambda z: z, sigma, rho)
    exact = 0.5 * math.log(np.linalg.det(np.eye(2) + np.array([[1, rho], [rho, 1]]) / sigma ** 2))
    assert abs(float(est.value) - exact) <= max(10 * float(est.error), 1e-10)
    cov = channel_covariance_2d(lambda z: z, sigma, rho)
    assert gaussian_mi(cov, 2) == pytest.approx(exact, abs=1e-10)


def test_true_mi_relu_against_monte_carlo() -> None:
    # h(Y) = -E log p(Y) by Monte Carlo with the exact relu density
    # p(y) = 1/2 phi_s(y) + int_0^inf phi(z) phi_s(y - z) dz (closed form in erf)
    sigma = 0.7
    est = true_mi_channel(lambda z: np.maximum(z, 0.0), sigma, kinks=(0.0,))
    rng = np.random.default_rng(0)
    n = 400_000
    z = rng.standard_normal(n)
    y = np.maximum(z, 0.0) + sigma * rng.standard_normal(n)
    s2 = 1 + sigma ** 2
    from scipy.special import ndtr
    from scipy.stats import norm
    p = 0.5 * norm.pdf(y, scale=sigma) + norm.pdf(y, scale=math.sqrt(s2)) * ndtr(
        y / (sigma * math.sqrt(s2)))
    h = -np.log(p)
    mi_mc = h.mean() - 0.5 * math.log(2 * math.pi * math.e * sigma ** 2)
    se = h.std(ddof=1) / math.sqrt(n)
    assert abs(float(est.value) - mi_mc) <= 4 * se


def test_gaussian_mi_channel_mp_vs_float() -> None:
    ch = get_channel("tanh")
    a = gaussian_mi_channel_mp(ch.mpmath, 0.5, dps=30)
    b = gaussian_mi_channel(ch.numpy, 0.5)
    assert float(a.value) == pytest.approx(float(b.value), abs=1e-12)
    assert a.error < mp.mpf(10) ** -25


def test_binary_input_below_gaussian_mi() -> None:
    for sigma in (0.2, 0.5, 1.0):
        t = true_mi_binary(sigma, dps=20)
        assert t.value <= mp.log(2)
        assert t.value < gaussian_mi_binary(sigma)
    # high noise: I ~ 1/(2 sigma^2) for both
    t = true_mi_binary(10.0, dps=20)
    assert float(t.value) == pytest.approx(float(gaussian_mi_binary(10.0)), rel=1e-3)
