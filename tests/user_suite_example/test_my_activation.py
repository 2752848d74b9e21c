"""A researcher's own tests for a new activation, psi(x) = x / (1 + |x|) (softsign), written
the way a user would: only ``theorycheck.testing`` and hypothesis, nothing internal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from theorycheck.testing import (
    assert_claim,
    assert_edge_of_chaos,
    assert_finite,
    plane_points,
)

MY_ACTIVATION = "x/(1+Abs(x))"


@settings(max_examples=6, deadline=None)
@given(plane_points(sw2=(0.1, 3.0), sb2=(0.01, 1.0)))
def test_q_star_exists_and_chi1_is_finite(point: tuple[float, float]) -> None:
    sw2, sb2 = point
    found = assert_finite(MY_ACTIVATION, sw2, sb2, quantities=("q_star", "chi1"))
    assert found["q_star"].value > 0           # sb2 > 0 keeps the fixed point off zero


def test_edge_of_chaos_exists_at_small_bias() -> None:
    pt = assert_edge_of_chaos(MY_ACTIVATION, sb2=0.05)
    assert 1.0 < pt.sw2.value < 10.0           # psi'(0) = 1, so the EOC sits right of sw2 = 1


def test_a_wrong_point_is_reported() -> None:
    with pytest.raises(AssertionError, match=r"not on the edge of chaos(.|\n)*expected sw2"):
        assert_edge_of_chaos(MY_ACTIVATION, sb2=0.05, sw2=2.0)


def test_the_claim_my_paper_uses_holds() -> None:
    record = assert_claim("sylvester-cholesky", verdict_in=("holds",))
    assert record["counts"]["failed"] == 0
