"""The hypothesis strategies of theorycheck.claims.strategies: what they promise by construction
(parity, boundedness, smoothness, one-sided derivatives) is checked independently here, and the
generator can reach (and shrinks to) the simple members that break printed claims."""

from __future__ import annotations

import math
import random

import mpmath as mp
import pytest
import sympy as sp
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from theorycheck.claims.strategies import (
    FAMILIES,
    GeneratedActivation,
    X,
    activation_plane_points,
    builtin_activations,
    generated_activations,
    input_dimensions,
    plane_points,
)

FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
POINTS = [sp.Rational(k, 7) for k in (1, 3, 5, 9, 13, 20, 31)]


def _value(expr: sp.Expr, at: sp.Expr) -> mp.mpf:
    with mp.workdps(50):
        return mp.mpf(str(sp.N(expr.subs(X, at), 50)))


@FAST
@given(generated_activations(odd=True))
def test_odd_activations_are_odd(g: GeneratedActivation) -> None:
    assert g.odd
    for t in POINTS:
        assert abs(_value(g.expr, t) + _value(g.expr, -t)) < mp.mpf(10) ** -20


@FAST
@given(generated_activations(odd=False))
def test_non_odd_activations_are_not_odd(g: GeneratedActivation) -> None:
    assert not g.odd
    assert any(abs(_value(g.expr, t) + _value(g.expr, -t)) > mp.mpf(10) ** -12
               for t in [sp.Integer(0), *POINTS])


@FAST
@given(generated_activations(bounded=True))
def test_bounded_activations_stay_bounded_far_out(g: GeneratedActivation) -> None:
    assert g.bounded
    far = [abs(_value(g.expr, s * sp.Integer(10) ** k)) for k in (2, 4, 8) for s in (1, -1)]
    near = [abs(_value(g.expr, s * sp.Integer(10))) for s in (1, -1)]
    # a bounded expression from the grammar is a sum of saturating terms: no growth past |x| = 100
    assert max(far) <= max(far[:2] + near) * 2 + 100


@FAST
@given(generated_activations(bounded=False))
def test_unbounded_activations_grow(g: GeneratedActivation) -> None:
    assert not g.bounded
    assert max(abs(_value(g.expr, s * sp.Integer(10) ** 6)) for s in (1, -1)) > 1e3


@FAST
@given(generated_activations(smooth=True))
def test_smooth_activations_have_no_kinks(g: GeneratedActivation) -> None:
    assert not g.kinked
    assert not g.expr.has(sp.Abs, sp.Max, sp.Min)


@FAST
@given(generated_activations())
def test_one_sided_derivatives_match_difference_quotients(g: GeneratedActivation) -> None:
    left, right = g.one_sided_derivatives_at_0
    h = sp.Rational(1, 10**15)
    with mp.workdps(50):
        f0 = _value(g.expr, sp.Integer(0))
        dq_right = (_value(g.expr, h) - f0) / mp.mpf(str(sp.N(h, 50)))
        dq_left = (f0 - _value(g.expr, -h)) / mp.mpf(str(sp.N(h, 50)))
        assert abs(dq_right - mp.mpf(str(sp.N(right, 50)))) < 1e-10 * (1 + abs(dq_right))
        assert abs(dq_left - mp.mpf(str(sp.N(left, 50)))) < 1e-10 * (1 + abs(dq_left))


def test_known_one_sided_derivatives() -> None:
    def gen(text: str) -> GeneratedActivation:
        return GeneratedActivation(sp.sympify(text, locals={"x": X}), (), False, False, True)

    assert gen("Max(0, x)").one_sided_derivatives_at_0 == (0, 1)
    assert gen("Max(0, x)").dpsi0 is None
    assert gen("Max(0, x) - Abs(x)/2").dpsi0 == sp.Rational(1, 2)
    assert gen("x/(1 + Abs(x))").dpsi0 == 1
    assert gen("Abs(tanh(x))").one_sided_derivatives_at_0 == (-1, 1)


def test_kink_points() -> None:
    pytest.importorskip("theorycheck.activations")

    def gen(text: str) -> GeneratedActivation:
        return GeneratedActivation(sp.sympify(text, locals={"x": X}), (), False, False, True)

    assert gen("Max(0, x) + Abs(x - 1)").kink_points == (0.0, 1.0)
    assert gen("Min(1, Max(-1, 2*x))").kink_points == (-0.5, 0.5)
    # tanh(x/3) never reaches 1: no kink, although 1 - tanh(x/3) rounds to 0 far out
    assert gen("Min(1, Max(-1, tanh(x/3)))").kink_points == ()
    k = gen("Min(1, Max(-1, 3*tanh(x/3)))").kink_points
    assert k == pytest.approx((-3 * math.atanh(1 / 3), 3 * math.atanh(1 / 3)), rel=1e-12)


def test_search_reaches_and_shrinks_to_the_linear_activation() -> None:
    config = settings(max_examples=500, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
    g = find(generated_activations(), lambda g: g.linear_slope is not None, settings=config,
             random=random.Random(0))
    assert g.expr == X
    g = find(generated_activations(odd=True, bounded=True),
             lambda g: g.expr == sp.tanh(X), settings=config,
             random=random.Random(0))
    assert g.expr == sp.tanh(X)


def test_every_family_is_reachable() -> None:
    config = settings(max_examples=2000, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
    for fam in FAMILIES:
        g = find(generated_activations(), lambda g, n=fam.name: any(
            t == n or t.startswith(n + "(") for t in g.terms), settings=config,
            random=random.Random(1))
        assert g is not None


@FAST
@given(plane_points())
def test_plane_points_in_range(p: tuple[float, float]) -> None:
    sw2, sb2 = p
    assert 0.05 <= sw2 <= 5.0
    assert 0.0 <= sb2 <= 2.0


def test_plane_points_reach_the_boundary_and_the_di_point() -> None:
    config = settings(max_examples=300, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
    assert find(plane_points(), lambda p: p == (1.0, 0.0), settings=config,
                random=random.Random(0)) == (1.0, 0.0)
    strat = activation_plane_points(generated_activations(odd=True, smooth=True))

    def at_di(ap: tuple[GeneratedActivation, tuple[float, float]]) -> bool:
        d = ap[0].dpsi0
        return d is not None and d != 0 and ap[1] == (1.0 / float(d) ** 2, 0.0)

    a, p = find(strat, at_di, settings=config, random=random.Random(0))
    assert p[1] == 0.0 and abs(p[0] * float(a.dpsi0) ** 2 - 1) < 1e-15


@FAST
@given(input_dimensions(1, 8))
def test_input_dimensions(n: int) -> None:
    assert 1 <= n <= 8


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(generated_activations())
def test_generated_formulas_parse_and_evaluate_like_sympy(g: GeneratedActivation) -> None:
    pytest.importorskip("theorycheck.activations")
    f = g.activation().numpy(0)
    for t in (-2.5, -0.3, 0.0, 0.7, 3.1):
        want = float(sp.N(g.expr.subs(X, sp.Float(t, 30)), 20))
        assert abs(float(f(t)) - want) <= 1e-10 * (1 + abs(want)), (g.formula, t)


def test_builtin_strategy_draws_activations() -> None:
    acts = pytest.importorskip("theorycheck.activations")
    config = settings(max_examples=30, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
    a = find(builtin_activations(), lambda a: a.name == "tanh", settings=config,
             random=random.Random(0))
    assert a is acts.get_activation("tanh")


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_flags_consistent_with_activation_properties(data: st.DataObject) -> None:
    # Activation.properties costs ~1-3 s per generated expression: a few examples here, more
    # under the slow marker below
    pytest.importorskip("theorycheck.activations")
    g = data.draw(generated_activations(max_terms=2))
    _check_flags(g)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(generated_activations())
def test_flags_consistent_with_activation_properties_many(g: GeneratedActivation) -> None:
    pytest.importorskip("theorycheck.activations")
    _check_flags(g)


def _check_flags(g: GeneratedActivation) -> None:
    props = g.activation().properties
    if g.odd:
        assert props.parity == "odd"
    else:
        assert props.parity != "odd"
    assert props.bounded == g.bounded
