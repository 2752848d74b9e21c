"""The EOC at sb2 = 0 of relu is a continuum (every q is a neutral fixed point at sw2 = 2): it is
reported as not unique, not as a list of spurious roots; selu's sb2(q) only vanishes as q -> 0,
which is not a continuum."""

from __future__ import annotations

import pytest

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import MeanField


def test_relu_eoc_at_zero_bias_is_non_unique() -> None:
    with pytest.raises(TheoryCheckError) as err:
        MeanField("relu", dps=15).eoc_sw2(0)
    assert err.value.status == Status.NON_UNIQUE_FIXED_POINT


def test_selu_eoc_at_zero_bias_is_not_called_a_continuum() -> None:
    with pytest.raises(TheoryCheckError) as err:
        MeanField("selu", dps=15).eoc_sw2(0)
    assert err.value.status == Status.NO_ROOT_IN_RANGE
