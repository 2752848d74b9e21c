"""Gaussian expectation engines held against each other and against closed forms.

Tolerances: the mpmath engine is asked for ``dps`` digits and must match closed forms to
10**-(dps-2) (two digits of slack for the relative/absolute target); the float64 grid engine
must be within 1e-12 absolute of closed forms (its design accuracy is ~1e-14; the slack covers
rounding in sums of ~1000 terms) and its own error estimate must bound the true error.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.special import erf

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine, closed_form, expect2_mp, expect_mp

RELU_NP = lambda x: np.maximum(x, 0.0)  # noqa: E731
RELU_MP = lambda x: max(x, mp.mpf(0))  # noqa: E731


@pytest.mark.parametrize("q", ["0.3", "2", "45"])
def test_erf_psi2_mpmath_matches_arcsine_formula(q: str) -> None:
    with mp.workdps(40):
        e = expect_mp(lambda x: mp.erf(x) ** 2, q, dps=30)
        exact = closed_form("erf", "psi2", q, dps=30)
        assert abs(e.value - exact) < mp.mpf(10) ** -28
        assert e.error < mp.mpf(10) ** -28


def test_relu_closed_forms_and_kinked_mpmath() -> None:
    with mp.workdps(40):
        e = expect_mp(lambda x: RELU_MP(x) ** 2, 3, dps=30, breakpoints=(0,))
        assert abs(e.value - mp.mpf(3) / 2) < mp.mpf(10) ** -28
        d = expect_mp(lambda x: mp.mpf(1) if x > 0 else mp.mpf(0), 3, dps=30, breakpoints=(0,))
        assert abs(d.value - mp.mpf(1) / 2) < mp.mpf(10) ** -28


def test_dps_100() -> None:
    with mp.workdps(110):
        e = expect_mp(lambda x: mp.erf(x) ** 2, 2, dps=100)
        assert abs(e.value - closed_form("erf", "psi2", 2, dps=100)) < mp.mpf(10) ** -98


def test_q_zero_is_exact() -> None:
    e = expect_mp(lambda x: mp.cos(x) + 1, 0)
    assert e.value == 2 and e.error == 0


def test_divergent_integral() -> None:
    with pytest.raises(TheoryCheckError) as ei:
        expect_mp(lambda x: mp.exp(x ** 2) ** 2, "0.3")
    assert ei.value.status == Status.DIVERGENT_INTEGRAL
    with pytest.raises(TheoryCheckError) as ei:
        GridEngine(lambda x: np.exp(x ** 2)).expect(lambda x: np.exp(x ** 2) ** 2, np.array([0.3]))
    assert ei.value.status == Status.DIVERGENT_INTEGRAL


def test_bivariate_mpmath_reduces_to_1d_at_c_one() -> None:
    with mp.workdps(30):
        r = expect2_mp(RELU_MP, RELU_MP, 2, 2, 1, dps=20, breakpoints=(0,))   # c = 1 -> 1-D
        assert abs(r.value - 1) < mp.mpf(10) ** -18


@pytest.mark.slow
def test_bivariate_mpmath_arcsine_kernel() -> None:
    """Nested tanh-sinh: correct, but minutes per call (measured ~150-300 s at dps 10)."""
    with mp.workdps(30):
        k = expect2_mp(mp.erf, mp.erf, 1, 1, "0.4", dps=10)
        assert abs(k.value - closed_form("erf", "kernel", 1, c="0.4", dps=15)) < 1e-9


@pytest.mark.parametrize(("name", "f", "kinks"), [("erf", erf, ()), ("relu", RELU_NP, (0.0,)),
                                                  ("linear", lambda x: x, ())])
def test_grid_matches_closed_forms(name: str, f, kinks) -> None:
    g = GridEngine(f, kinks=kinks)
    q = np.array([1e-6, 0.05, 0.7, 3.0, 45.0, 1e3])
    v, e = g.expect(lambda x: f(x) ** 2, q)
    exact = np.array([float(closed_form(name, "psi2", qq)) for qq in q])
    err = np.abs(v - exact)
    assert np.all(err < 1e-12 * np.maximum(1, exact))
    assert np.all(err <= e + 1e-15 * np.maximum(1, exact))


def test_grid_bivariate_arcsine_and_arccos_kernels() -> None:
    q = np.array([0.5, 3.0, 3.0])
    c = np.array([0.3, -0.8, 0.99])
    v, _ = GridEngine(erf).expect2(erf, erf, q, c)
    ex = [float(closed_form("erf", "kernel", a, c=b)) for a, b in zip(q, c, strict=True)]
    assert np.allclose(v, ex, rtol=0, atol=1e-12)
    v, _ = GridEngine(RELU_NP, kinks=(0.0,)).expect2(RELU_NP, RELU_NP, q, c)
    ex = [float(closed_form("relu", "kernel", a, c=b)) for a, b in zip(q, c, strict=True)]
    assert np.allclose(v, ex, rtol=0, atol=1e-12)


def test_grid_vs_mpmath_steep_sigmoid() -> None:
    """Sigmoid' squared at q = 45.6 (the sigmoid EOC): grid within 1e-13 of mpmath."""
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    v, e = GridEngine(sig).expect(lambda x: (sig(x) * (1 - sig(x))) ** 2, np.array([45.6]))
    with mp.workdps(30):
        r = expect_mp(lambda x: (mp.exp(-x) / (1 + mp.exp(-x)) ** 2) ** 2, "45.6", dps=20)
    assert abs(v[0] - float(r.value)) < 1e-13
    assert e[0] < 1e-12


@pytest.mark.parametrize("q", [0.3, 2.0, 10.0])
@pytest.mark.parametrize(("f", "df"), [(np.tanh, lambda x: 1 - np.tanh(x) ** 2),
                                       (erf, lambda x: 2 / np.sqrt(np.pi) * np.exp(-x * x)),
                                       (np.arctan, lambda x: 1 / (1 + x * x)),
                                       (RELU_NP, lambda x: (x > 0) * 1.0)])
def test_stein_lemma(q: float, f, df) -> None:
    """E[psi(s z) z] = s E psi'(s z): two different integrands, one value (to 1e-13)."""
    s = np.sqrt(q)
    g = GridEngine(f, kinks=(0.0,))
    lhs, _ = g.expect_xz([lambda x, z: f(x) * z], np.array([q]))
    rhs, _ = g.expect(df, np.array([q]))
    assert abs(lhs[0][0] - s * rhs[0]) < 1e-13


def test_hermite_coefficients_reproduce_the_kernel() -> None:
    """Mehler: sum_k b_k^2 c^k / k! = E erf(u1) erf(u2)."""
    g = GridEngine(erf, L=20.0)
    b, _ = g.hermite_coefficients(erf, np.array([1.0]), 40)
    import math

    c = 0.5
    s = sum(b[k, 0] ** 2 * c ** k / math.factorial(k) for k in range(40))
    assert abs(s - float(closed_form("erf", "kernel", 1.0, c=c))) < 1e-12
