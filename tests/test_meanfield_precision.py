"""MeanField takes the run's Precision (validated once, in theorycheck.numbers) or a bare dps."""

from __future__ import annotations

import mpmath as mp
import pytest

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import MeanField
from theorycheck.numbers import GUARD_DIGITS, Precision


def test_precision_and_dps_give_the_same_numbers() -> None:
    a = MeanField("tanh", dps=15).q_star(1.5, 0.05)
    b = MeanField("tanh", precision=Precision(15)).q_star(1.5, 0.05)
    assert a.value == b.value and a.error == b.error
    # q* of tanh at (1.5, 0.05): an independent fixed-point iteration of the variance map with
    # mpmath's own quadrature, q <- 1.5 E tanh(sqrt(q) z)^2 + 0.05 (a contraction)
    with mp.workdps(25):
        q = mp.mpf(1)
        for _ in range(80):
            s = mp.sqrt(q)
            q = 1.5 * mp.quad(lambda z, s=s: mp.tanh(s * z) ** 2 * mp.npdf(z),
                              [-mp.inf, 0, mp.inf]) + mp.mpf("0.05")
        assert abs(a.value - q) < mp.mpf(10) ** -13


def test_working_precision_is_dps_plus_the_guard_digits() -> None:
    mf = MeanField("tanh", dps=20)
    assert mf.precision == Precision(20)
    assert mf.precision.working_dps == 20 + GUARD_DIGITS


@pytest.mark.parametrize("dps", [5, 9, 1001])
def test_dps_outside_the_range_is_refused_once(dps: int) -> None:
    with pytest.raises(TheoryCheckError) as err:
        MeanField("tanh", dps=dps)
    assert err.value.status == Status.INVALID_ARGUMENT


def test_dps_and_precision_must_agree() -> None:
    with pytest.raises(TheoryCheckError):
        MeanField("tanh", dps=20, precision=Precision(30))
    assert MeanField("tanh", dps=30, precision=Precision(30)).dps == 30
