"""The one exception type a user of theorycheck can cause, and its named statuses.

Every mistake a researcher can make (an unsafe formula, a divergent integral, a map with
no finite fixed point, a simulation too large for memory) raises :class:`TheoryCheckError`
with a one-line ``message`` and a machine-readable ``status`` that reports show.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Named failure modes, shown verbatim in reports and JSON output."""

    INVALID_FORMULA = "invalid-formula"
    UNSAFE_FORMULA = "unsafe-formula"
    UNKNOWN_ACTIVATION = "unknown-activation"
    INVALID_ARGUMENT = "invalid-argument"
    DIVERGENT_INTEGRAL = "divergent-integral"
    PRECISION_NOT_REACHED = "precision-not-reached"
    NO_FINITE_FIXED_POINT = "no-finite-fixed-point"
    NON_UNIQUE_FIXED_POINT = "non-unique-fixed-point"
    UNSTABLE_FIXED_POINT = "unstable-fixed-point"
    NO_ROOT_IN_RANGE = "no-root-in-range"
    NOT_FINITE = "not-finite"
    ILL_CONDITIONED = "ill-conditioned"
    TOO_LARGE = "too-large-for-memory"
    DEVICE_UNAVAILABLE = "device-unavailable"
    TIME_BUDGET = "time-budget-exceeded"
    NOT_CERTIFIED = "not-certified"
    WORKER_LOST = "worker-lost"
    INTERNAL_ERROR = "internal-error"


class TheoryCheckError(ValueError):
    """A user-facing error: ``status`` names the failure, ``str(err)`` explains it in one line."""

    def __init__(self, message: str, *, status: Status | str = Status.INVALID_ARGUMENT,
                 **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.status = Status(status) if status in Status._value2member_map_ else status
        self.details = details

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, object]:
        return {"status": str(self.status), "message": self.message,
                "details": {k: str(v) for k, v in self.details.items()}}


def require(condition: bool, message: str, *, status: Status = Status.INVALID_ARGUMENT,
            **details: object) -> None:
    """Raise :class:`TheoryCheckError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise TheoryCheckError(message, status=status, **details)
