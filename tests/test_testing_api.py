"""theorycheck.testing, the public API for a user's own test suite: its strategies deliver what
their filters promise (checked here by evaluating psi, not by reading the same properties), and
its assertions pass on values from an independent reference (scipy quadrature and brentq,
tests/_mf_reference.py) and fail, with a readable message, on wrong ones."""

from __future__ import annotations

import math
import re

import mpmath as mp
import pytest
import sympy as sp
from _mf_reference import dtanh, expect, q_star, tanh
from _mf_reference import eoc_sw2 as reference_eoc_sw2
from hypothesis import HealthCheck, given, settings
from scipy.optimize import brentq

from theorycheck.activations import Activation, get_activation
from theorycheck.errors import TheoryCheckError
from theorycheck.testing import (
    activations,
    assert_claim,
    assert_edge_of_chaos,
    assert_finite,
    assert_fixed_point,
    critical_points,
    has_properties,
    plane_points,
)

FEW = settings(max_examples=8, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow])
KINKED = (sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.Heaviside, sp.sign)
POINTS = (0.3, 1.0, 2.5, 7.0)
#: tanh's EOC at sb2 = 0.05 by scipy (brentq of chi1(sw2) - 1 with q* by brentq; 1e-13)
TANH_EOC_SW2 = reference_eoc_sw2(tanh, dtanh, 0.05, 1.2, 2.5)


def _psi(act: Activation, t: float) -> mp.mpf:
    with mp.workdps(30):
        return act.mpmath(0)(mp.mpf(t))


@FEW
@given(activations(odd=True))
def test_odd_activations_are_odd(act: Activation) -> None:
    assert isinstance(act, Activation)
    assert all(abs(_psi(act, t) + _psi(act, -t)) < 1e-20 for t in POINTS)


@FEW
@given(activations(odd=False))
def test_non_odd_activations_are_not_odd(act: Activation) -> None:
    assert any(abs(_psi(act, t) + _psi(act, -t)) > 1e-12 for t in (0.0, *POINTS))


@FEW
@given(activations(bounded=True, odd=True))
def test_bounded_activations_saturate(act: Activation) -> None:
    far = [abs(_psi(act, s * 10.0 ** k)) for k in (3, 6) for s in (1, -1)]
    near = [abs(_psi(act, s * 10.0)) for s in (1, -1)]
    assert max(far) <= 2 * max(near) + 10


@FEW
@given(activations(bounded=False, generated=False))
def test_unbounded_builtins_grow(act: Activation) -> None:
    assert act.builtin
    assert max(abs(_psi(act, s * 1e6)) for s in (1, -1)) > 1e3


@FEW
@given(activations(smooth=True))
def test_smooth_activations_have_no_kinked_node(act: Activation) -> None:
    assert not act.expr.has(*KINKED), act.expr


@settings(FEW, max_examples=6)
@given(activations(smooth=False, builtin=False))
def test_kinked_activations_have_a_kink(act: Activation) -> None:
    assert not act.builtin and act.expr.has(*KINKED)
    assert act.properties.kinks


def test_property_filter_against_known_activations() -> None:
    assert has_properties(get_activation("tanh"), odd=True, bounded=True, smooth=True)
    assert has_properties(get_activation("relu"), odd=False, bounded=False, smooth=False)
    assert not has_properties(get_activation("softsign"), smooth=True)
    with pytest.raises(TheoryCheckError, match="cannot both be False"):
        activations(builtin=False, generated=False)


@FEW
@given(plane_points(sw2=(0.5, 2.0), sb2=(0.0, 0.3)))
def test_plane_points_stay_in_range(point: tuple[float, float]) -> None:
    sw2, sb2 = point
    assert 0.5 <= sw2 <= 2.0 and 0.0 <= sb2 <= 0.3


@settings(max_examples=6, deadline=None, database=None)
@given(critical_points("tanh", sb2=(0.0, 0.05, 0.2)))
def test_critical_points_of_tanh_are_critical(point: tuple[float, float]) -> None:
    sw2, sb2 = point
    if sb2 == 0.0:                      # the DI point (1/psi'(0)^2, 0) with psi'(0) = 1
        assert point == (1.0, 0.0)
        return
    q = q_star(tanh, sw2, sb2)
    assert abs(sw2 * expect(lambda u: dtanh(u) ** 2, q) - 1) < 1e-10


def test_edge_of_chaos_of_tanh_against_scipy() -> None:
    pt = assert_edge_of_chaos("tanh", sb2=0.05)
    assert abs(float(pt.sw2.value) - TANH_EOC_SW2) < 1e-10
    assert_edge_of_chaos("tanh", sb2=0.05, sw2=TANH_EOC_SW2, rel=1e-10)
    # given sw2 only: E tanh'(sqrt(q) z)^2 = 1/sw2 by brentq, sb2 = q - sw2 E tanh^2
    q = brentq(lambda v: expect(lambda u: dtanh(u) ** 2, v) - 1 / 1.5, 1e-6, 5, xtol=1e-15)
    pt = assert_edge_of_chaos("tanh", sw2=1.5)
    assert abs(float(pt.sb2.value) - (q - 1.5 * expect(lambda u: tanh(u) ** 2, q))) < 1e-11
    # the DI point: sw2 = 1/psi'(0)^2 = pi/4 for erf, at sb2 = 0 (q* = 0)
    assert abs(float(assert_edge_of_chaos("erf", sb2=0.0).sw2.value) - math.pi / 4) < 1e-15


def test_edge_of_chaos_fails_readably_on_a_wrong_point() -> None:
    with pytest.raises(AssertionError, match=r"not on the edge of chaos") as info:
        assert_edge_of_chaos("tanh", sb2=0.05, sw2=1.7)
    message = str(info.value)
    for part in ("tanh (psi = tanh(x))", "expected sw2             1.7 (given)",
                 "ordered (chi1 < 1)"):
        assert part in message
    computed = re.search(r"computed sw2 +([0-9.]+) ± ([0-9.e-]+)", message)
    assert computed is not None and abs(float(computed.group(1)) - TANH_EOC_SW2) < 1e-10
    with pytest.raises(AssertionError, match=r"relu .* no EOC point\n  reason  \[no-root"):
        assert_edge_of_chaos("relu", sb2=0.05)
    with pytest.raises(TheoryCheckError, match="give sb2, sw2 or both"):
        assert_edge_of_chaos("tanh")


def test_fixed_point_and_finite_against_scipy() -> None:
    ref = q_star(tanh, 1.5, 0.05)
    q = assert_fixed_point("tanh", 1.5, 0.05, q_star=ref, rel=1e-12)
    assert abs(float(q.value) - ref) < 1e-12
    with pytest.raises(AssertionError, match=r"wrong q\*\n  expected q\*   0.41 \(given\)"):
        assert_fixed_point("tanh", 1.5, 0.05, q_star=0.41)
    with pytest.raises(AssertionError, match=r"none\n  reason  \[no-finite-fixed-point\]"):
        assert_fixed_point("relu", 3.0, 0.05)
    chi = assert_finite("tanh", 1.5, 0.05)["chi1"]
    assert abs(float(chi.value) - 1.5 * expect(lambda u: dtanh(u) ** 2, ref)) < 1e-12
    with pytest.raises(AssertionError, match=r"sign\(x\).*chi1 is not finite\n  chi1    \+inf"):
        assert_finite("sign(x)", 1.5, 0.05)
    with pytest.raises(TheoryCheckError, match="unknown quantities"):
        assert_finite("tanh", 1.5, 0.05, quantities=("chi2",))


def test_assert_claim_returns_the_record_and_fails_with_the_counterexample() -> None:
    record = assert_claim("sylvester-cholesky")
    assert record["verdict"] == "holds" and record["id"] == "sylvester-cholesky"
    with pytest.raises(AssertionError, match="verdict 'holds', expected one of fails"):
        assert_claim("sylvester-cholesky", verdict_in=("fails",))
    with pytest.raises(AssertionError) as info:
        assert_claim("mi-monotone-in-beta", verdict_in=("holds",))
    message = str(info.value)
    assert "verdict 'conditional', expected one of holds" in message
    assert "failed property check" in message
    assert "counterexample beta2_over_beta_max  -1.0" in message
    assert "repeat with" in message and "theorycheck verify mi-monotone-in-beta" in message
    with pytest.raises(TheoryCheckError, match="unknown verdict"):
        assert_claim("sylvester-cholesky", verdict_in=("passes",))
    with pytest.raises(TheoryCheckError, match="unknown claim id"):
        assert_claim("no-such-claim")
