"""The whole-grid bivariate engine (gaussian.grid2) against closed forms and two other routes.

References: the relu arc-cosine kernel (Cho & Saul 2009), the erf arcsine kernel (Williams 1997)
and the linear kernel q c, evaluated by ``gaussian.closed_form`` at 30 digits (a float64 closed
form loses ~1e-15 x q to cancellation near c = -1, so it is not a reference at this level);
for tanh the older nested ``GridEngine.expect2`` and the engine's own two routes (the Mehler
series and the product rule) against each other, and ``expect2_mp`` (slow).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.special import erf

from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine, closed_form, expect2_mp
from theorycheck.gaussian.grid2 import BivariateGrid

Q = np.array([1e-2, 0.5, 3.0, 30.0, 1e3])
C = np.array([-1.0, -0.999999, 0.0, 0.5, 0.999999, 1.0])
FAMILIES = [("relu", lambda x: np.maximum(x, 0.0), [0.0]), ("erf", erf, []),
            ("linear", lambda x: x, [])]


def _exact(name: str, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.array([float(closed_form(name, "kernel", float(a), c=float(b)))
                     for a, b in zip(q.ravel(), c.ravel(), strict=True)]).reshape(q.shape)


@pytest.mark.parametrize(("name", "f", "kinks"), FAMILIES)
@pytest.mark.parametrize("route", ["auto", "quadrature"])
def test_closed_forms_on_the_grid(name: str, f, kinks, route: str) -> None:
    qq, cc = np.meshgrid(Q, C, indexing="ij")
    v, e = BivariateGrid(f, kinks_f=kinks).expect2(qq, cc, route=route)
    exact = _exact(name, qq, cc)
    scale = np.maximum(1.0, qq)
    assert np.all(np.abs(v - exact) <= 1e-15 * scale + 4e-16 * np.abs(exact))
    assert np.all(e <= 2e-13 * scale)                     # the estimates are small too ...
    assert np.all(np.abs(v - exact) <= e + 4e-16 * scale)  # ... and not below the errors


@pytest.mark.parametrize(("name", "f", "kinks"), FAMILIES[:2])
def test_cmap_grid_of_1000_points(name: str, f, kinks) -> None:
    c = np.linspace(-1, 1, 1000)
    eng = BivariateGrid(f, kinks_f=kinks)
    v, _e = eng.expect2(2.0, c)
    exact = _exact(name, np.full(c.shape, 2.0), c)
    assert np.max(np.abs(v - exact)) < 1e-14
    assert eng.last_routes["mehler"] > 900      # the series carries the bulk of the c-map


def test_unequal_variances() -> None:
    # erf: E erf(u1) erf(u2) = (2/pi) asin(2 c sqrt(q1 q2) / sqrt((1 + 2 q1)(1 + 2 q2)))
    q1, q2 = np.array([0.3, 5.0, 200.0]), np.array([4.0, 0.1, 1.0])
    c = np.array([0.9, -0.4, 0.999999])
    v, e = BivariateGrid(erf).expect2(q1, c, q2)
    exact = 2 / np.pi * np.arcsin(2 * c * np.sqrt(q1 * q2) / np.sqrt((1 + 2 * q1) * (1 + 2 * q2)))
    assert np.max(np.abs(v - exact)) < 1e-14
    assert np.all(np.abs(v - exact) <= e + 1e-15)


def test_tanh_routes_agree_with_each_other_and_the_nested_engine() -> None:
    eng = BivariateGrid(np.tanh)
    q = np.array([0.7, 3.0, 40.0, 40.0])
    c = np.array([0.3, -0.8, 0.6, 0.95])
    vm, _em = eng.expect2(q, c, route="mehler")
    vq, _eq = eng.expect2(q, c, route="quadrature")
    assert np.max(np.abs(vm - vq)) < 1e-14
    ref, rerr = GridEngine(np.tanh).expect2(np.tanh, np.tanh, q, c)
    assert np.max(np.abs(vq - ref)) < 1e-13 + np.max(rerr)


def test_zero_variance_and_exact_endpoints() -> None:
    eng = BivariateGrid(np.tanh)
    v, _e = eng.expect2(np.array([0.0, 0.0]), np.array([0.4, 1.0]))
    assert np.all(v == 0.0)
    one, _ = eng.expect2(2.0, 1.0)
    minus, _ = eng.expect2(2.0, -1.0)
    assert abs(one + minus) < 1e-16                      # tanh is odd
    sig = BivariateGrid(lambda x: 1 / (1 + np.exp(-x)))
    v0, _ = sig.expect2(0.0, 0.3)
    assert abs(v0 - 0.25) < 1e-16


@pytest.mark.parametrize(("q", "c"), [(np.nan, 0.5), (1.0, 1.5), (-1.0, 0.2), (1.0, np.inf)])
def test_bad_input_is_refused(q: float, c: float) -> None:
    with pytest.raises(TheoryCheckError):
        BivariateGrid(np.tanh).expect2(q, c)


def test_divergent_integrand_is_refused() -> None:
    with pytest.raises(TheoryCheckError, match="diverges"):
        BivariateGrid(lambda x: np.exp(x * x)).expect2(1.0, 0.99999999)


@pytest.mark.slow
def test_tanh_against_expect2_mp() -> None:
    v, _e = BivariateGrid(np.tanh).expect2(np.array([2.0, 1e3]), np.array([0.7, 0.999999]))
    for val, q, c in zip(v, (2.0, 1e3), (0.7, 0.999999), strict=True):
        ref = expect2_mp(mp.tanh, mp.tanh, q, q, c, dps=15)
        assert abs(val - float(ref.value)) < 1e-14
