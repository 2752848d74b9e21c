"""Claims engine: declaring claims, the registry, running checks, findings and verdicts.

A claim is declared with :func:`claim` -- its :class:`Check` list, static findings and an
optional :class:`Condition` -- and the engine runs it; see :mod:`theorycheck.claims.declare`.
"""

from theorycheck.claims.declare import Check, ClaimRun, Condition
from theorycheck.claims.model import (
    METHODS,
    CheckResult,
    CheckStatus,
    ClaimOutcome,
    DerivationStep,
    FigureSpec,
    Finding,
    RunContext,
    Verdict,
    decide,
)
from theorycheck.claims.registry import ENTRY_POINT_GROUP, Claim, claim, discover, get_claim

__all__ = [
    "ENTRY_POINT_GROUP",
    "METHODS",
    "Check",
    "CheckResult",
    "CheckStatus",
    "Claim",
    "ClaimOutcome",
    "ClaimRun",
    "Condition",
    "DerivationStep",
    "FigureSpec",
    "Finding",
    "RunContext",
    "Verdict",
    "claim",
    "decide",
    "discover",
    "get_claim",
]
