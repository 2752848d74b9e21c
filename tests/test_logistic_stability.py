"""Derivatives of logistic-type activations stay finite where exp overflows, and the phase plane
of those activations agrees with the mpmath engine.

SymPy writes sigmoid' as exp(-x)/(1+exp(-x))**2: evaluated as written it is inf/inf = NaN for
x < -709 although the value is ~0; such NaNs once made the grid engine call the expectation
divergent for sigmoid, swish and softplus.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from theorycheck.activations import get_activation
from theorycheck.meanfield import MeanField, phase_plane

LOGISTIC = ("sigmoid", "swish", "softplus")


@pytest.mark.parametrize("name", LOGISTIC)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_derivatives_finite_and_accurate_far_out(name: str, k: int) -> None:
    act = get_activation(name)
    x = np.array([-1e5, -800.0, -40.0, -3.0, 0.0, 2.5, 40.0, 800.0, 1e5])
    values = act.numpy(k)(x)
    assert np.all(np.isfinite(values))
    exact = mp.diff(act.mpmath(0), 0, k)  # touch the mpmath route once (it must not fail)
    assert mp.isfinite(exact)
    with mp.workdps(40):
        for xi, vi in zip(x[2:-2], values[2:-2], strict=True):
            reference = float(mp.diff(act.mpmath(0), mp.mpf(xi), k))
            # absolute 1e-13: what Gaussian integrals of these derivatives need (cancellation in
            # expit(x) - expit(x)^2 near x = 40 loses relative, not absolute, accuracy)
            assert abs(vi - reference) <= 1e-13 + 1e-12 * abs(reference)


@pytest.mark.parametrize("name", LOGISTIC)
def test_phase_plane_of_logistic_activations_matches_mpmath(name: str) -> None:
    plane = phase_plane(get_activation(name), np.linspace(0.5, 4, 8), np.linspace(0, 0.5, 5))
    i, j = 1, 3  # sw2 = 1, sb2 = 0.375: a finite stable fixed point for all three
    assert not plane.no_fixed_point[i, j]
    mf = MeanField(name, dps=20)
    chi1 = mf.chi1(plane.sw2[i], plane.sb2[j])
    assert abs(plane.chi1[i, j] - float(chi1.value)) < 1e-10
