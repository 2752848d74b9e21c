"""Claims engine: claim registry, checks, findings, verdicts and the runner."""

from theorycheck.claims.model import (
    METHODS,
    CheckResult,
    ClaimOutcome,
    DerivationStep,
    Finding,
    RunContext,
)
from theorycheck.claims.registry import Claim, claim, discover, get_claim
from theorycheck.claims.verdict import decide

__all__ = [
    "METHODS",
    "CheckResult",
    "Claim",
    "ClaimOutcome",
    "DerivationStep",
    "Finding",
    "RunContext",
    "claim",
    "decide",
    "discover",
    "get_claim",
]
