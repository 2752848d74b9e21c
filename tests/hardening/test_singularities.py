"""Poles, logarithms of zero and non-real branches between the parser's sample points."""

from __future__ import annotations

import math
import re

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.activations import parse_formula
from theorycheck.activations.parse import X
from theorycheck.activations.singularities import real_singularity
from theorycheck.errors import Status, TheoryCheckError

# (formula, where the singularity nearest 0 is, kind)
SINGULAR = [
    ("1/(x-0.3)", 0.3, "pole"),
    ("1/(x**2-0.3)", math.sqrt(0.3), "pole"),
    ("1/(x**3-0.2*x+5)", -1.7489603, "pole"),
    ("1/cos(x)", math.pi / 2, "pole"),
    ("1/(cos(x)+1)", math.pi, "pole"),  # touching zero: no sign change
    ("exp(x)/(exp(x)-2)", math.log(2), "pole"),
    ("1/(Abs(x-0.3)+Abs(x-0.3))", 0.3, "pole"),
    ("log(Abs(x-0.3))", 0.3, "logarithm of zero"),
    ("Piecewise((1/(x-0.3), x>0.3),(x,True))", 0.3, "pole"),  # approached from the branch side
    ("tanh(x) + 1/sqrt(Abs(x - 1.7))", 1.7, "pole"),
]

REGULAR = [
    "x/(1+Abs(x))", "tanh(x)", "x*sigmoid(x)", "softplus(x)", "sqrt(x**2+1)",
    "x/sqrt(1+x**2)", "1/(sign(x)+0.5)",  # a jump through zero is not a zero
    "1/(1e-8+(x-0.3)**2)",  # steep but finite
    "Piecewise((1/(x-0.3), x>1),(x,True))",  # the pole lies where its branch is not in force
    "Piecewise((sqrt(x - 0.2), x > 0.5), (x, True))",
]


def _location(message: str) -> float:
    match = re.search(r"x = (-?[0-9.]+(?:e[+-]?[0-9]+)?)", message)
    assert match is not None, message
    return float(match.group(1))


@pytest.mark.parametrize(("text", "where", "kind"), SINGULAR, ids=[s[0] for s in SINGULAR])
def test_rejects_singularities_between_sample_points(text: str, where: float, kind: str) -> None:
    with pytest.raises(TheoryCheckError) as e:
        parse_formula(text)
    msg = str(e.value)
    assert e.value.status == Status.INVALID_FORMULA
    assert "\n" not in msg and kind in msg
    assert abs(abs(_location(msg)) - abs(where)) < 1e-5, msg


def test_locations_to_full_precision() -> None:
    """The points themselves, not their 6-digit rendering."""
    cases = [(1 / (X - sp.Rational(3, 10)), 0.3, 1e-12), (1 / sp.cos(X), math.pi / 2, 1e-12),
             (sp.log(sp.Abs(X - sp.Rational(1, 3))), 1 / 3, 1e-12),
             (1 / (sp.exp(X) - 2), math.log(2), 1e-12),
             (1 / ((X + 3) * (X - sp.Rational(1, 7))), 1 / 7, 1e-12),  # nearest 0 of two
             (1 / (sp.cos(X) + 1), math.pi, 1e-7)]  # a double zero: sqrt(eps) resolution
    for expr, where, tol in cases:
        found = real_singularity(expr, X)
        assert found is not None
        assert abs(abs(found.where) - where) < tol, (expr, found)
    assert real_singularity(sp.tanh(X) / (1 + X**2), X) is None


@pytest.mark.parametrize("text", REGULAR)
def test_accepts_regular_formulas(text: str) -> None:
    parse_formula(text)


def test_removable_singularity_is_named() -> None:
    with pytest.raises(TheoryCheckError, match=r"0/0 at x = 1\.2 .*Piecewise"):
        parse_formula("sin(x - 1.2)/(x - 1.2)")


def test_non_real_branch_between_sample_points() -> None:
    with pytest.raises(TheoryCheckError, match="non-real"):
        parse_formula("sqrt(Abs(x - 0.7) - 0.05)")  # negative only on (0.65, 0.75)


@settings(max_examples=40, deadline=None)
@given(num=st.integers(-4999, 4999), c=st.sampled_from([0, 1, 2]))
def test_simple_poles_found_exactly(num: int, c: int) -> None:
    """1/(x - a), 1/((x - a)(x + 7)), tanh(x)/(e^x - e^a) for a = num/1000: the pole at a,
    the one nearest 0, is found."""
    a = num / 1000
    text = [f"1/(x - {a})", f"1/((x - {a})*(x + 7))", f"tanh(x)/(exp(x) - exp({a}))"][c]
    with pytest.raises(TheoryCheckError) as e:
        parse_formula(text)
    assert e.value.status == Status.INVALID_FORMULA
    if "pole" in str(e.value):
        assert abs(_location(str(e.value)) - a) < 1e-5 * (1 + abs(a))


@settings(max_examples=30, deadline=None)
@given(num=st.integers(-3000, 3000), c=st.integers(1, 6))
def test_finite_peaks_are_not_poles(num: int, c: int) -> None:
    """1/((x - a)^2 + 10^-c) is finite everywhere and is accepted."""
    parse_formula(f"1/((x - {num / 1000})**2 + 1e-{c})")
