"""Numbers with their uncertainty, and their rendering as decimal strings.

Every real number theorycheck reports leaves as a decimal string carrying the run's precision
(``Estimate.value``), with its error estimate beside it (``Estimate.error``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp

from theorycheck.cache import register_json_type
from theorycheck.errors import Status, TheoryCheckError


@register_json_type
@dataclass(frozen=True)
class Estimate:
    """A computed value and an absolute error estimate (both mpmath ``mpf`` or floats).

    ``method`` says how the error was estimated (e.g. "two precisions", "two rules",
    "standard error over 64 draws").
    """

    value: mp.mpf
    error: mp.mpf
    method: str = ""

    def __float__(self) -> float:
        return float(self.value)

    def digits(self) -> float:
        """Correct significant digits implied by the error estimate (inf when error is 0)."""
        if self.error == 0:
            return math.inf
        if self.value == 0:
            return 0.0
        return max(0.0, float(-mp.log10(abs(self.error / self.value))))

    def to_json(self, dps: int) -> dict[str, str]:
        return {"value": to_decimal(self.value, dps), "error": to_decimal(self.error, 3)}


def to_decimal(x: object, dps: int) -> str:
    """``x`` as a decimal string with ``dps`` significant digits; refuses NaN and inf."""
    if x is None:
        raise TheoryCheckError("internal: a missing number reached the formatter",
                               status=Status.NOT_FINITE)
    v = mp.mpf(x) if not isinstance(x, mp.mpf) else x
    if not mp.isfinite(v):
        raise TheoryCheckError(f"a non-finite number ({v}) would have been reported",
                               status=Status.NOT_FINITE)
    return mp.nstr(v, dps, strip_zeros=False, min_fixed=-5, max_fixed=dps + 1)


def check_finite(x: float | mp.mpf, what: str) -> None:
    """Raise a ``not-finite`` :class:`TheoryCheckError` if ``x`` is NaN or infinite."""
    if not mp.isfinite(mp.mpf(x)):
        raise TheoryCheckError(f"{what} is not finite ({x})", status=Status.NOT_FINITE)
