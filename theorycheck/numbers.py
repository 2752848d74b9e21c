"""Numbers with their uncertainty, and their rendering as decimal strings.

Every real number theorycheck reports leaves as a decimal string carrying the run's precision
(``Estimate.value``), with its error estimate beside it (``Estimate.error``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


#: the digits a user may ask for (``--dps``); below 10 the two-method error estimates are
#: meaningless, above 1000 a single tanh-sinh quadrature takes minutes
DPS_RANGE = (10, 1000)
#: guard digits every mpmath computation adds on top of the requested ``dps``
GUARD_DIGITS = 10


@dataclass(frozen=True)
class Precision:
    """The run's decimal precision, validated once at the edge (CLI or public API).

    ``dps``: the digits reported; ``guard``: the extra digits computations work at
    (:meth:`work` enters ``mp.workdps(dps + guard)``). Construction refuses a ``dps`` outside
    :data:`DPS_RANGE` with an ``invalid-argument`` error, so no layer below re-validates it.
    """

    dps: int = 30
    guard: int = GUARD_DIGITS

    def __post_init__(self) -> None:
        lo, hi = DPS_RANGE
        if isinstance(self.dps, bool) or not isinstance(self.dps, int) \
                or not lo <= self.dps <= hi:
            raise TheoryCheckError(f"--dps must be between {lo} and {hi}, got {self.dps}",
                                   status=Status.INVALID_ARGUMENT)

    @property
    def working_dps(self) -> int:
        """``dps + guard``: the digits intermediate results carry."""
        return self.dps + self.guard

    def work(self) -> mp.workdps:
        """``with precision.work():`` computes at :attr:`working_dps` digits."""
        return mp.workdps(self.working_dps)


def richardson(hs: Sequence[Any], values: Sequence[Any], power: float,
               levels: int | None = None) -> tuple[Any, Any]:
    """The limit h -> 0 of D(h) = D0 + a1 h^p + a2 h^(2p) + ... from D at the steps ``hs``.

    Neville's Richardson table: level k combines neighbours i, i + k with
    r = (h_i / h_{i+k})^p as (r D_{k-1}[i+1] - D_{k-1}[i]) / (r - 1), eliminating h^(k p).
    ``levels`` (default: all, ``len(values) - 1``) caps the table; the result is the last entry
    of the last level, the error estimate its distance to the last entry of the level before.
    Works in the number type it is given (float, or mpf at the caller's precision).
    Used for lim_{s->0} E[psi(s z) z]/s (seed 000, Eq. (57)) and for the slope of the
    correlation map at c = 1 (powers of (1 - c)^(1/2) after a kink). Cost: O(n^2) operations.
    """
    n = len(values)
    if n < 2:
        raise TheoryCheckError("Richardson extrapolation needs at least 2 values",
                               status=Status.INVALID_ARGUMENT)
    depth = n - 1 if levels is None else min(levels, n - 1)
    table = [list(values)]
    for k in range(1, depth + 1):
        prev = table[-1]
        row = []
        for i in range(len(prev) - 1):
            r = (hs[i] / hs[i + k]) ** power
            row.append((r * prev[i + 1] - prev[i]) / (r - 1))
        table.append(row)
    best = table[-1][-1]
    return best, abs(best - table[-2][-1])
