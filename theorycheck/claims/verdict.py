"""How a verdict follows from checks and findings (CLAIMS.md, "Verdicts")."""

from __future__ import annotations

from theorycheck.claims.model import CheckResult, CheckStatus, ClaimOutcome, Verdict


def decide(outcome: ClaimOutcome) -> Verdict:
    """The verdict of a claim from what its checks found.

    - any check ``failed`` -> ``fails`` (a counterexample to the claim as stated), unless the claim
      set ``outcome.condition`` (the failures lie outside a condition the source does not state,
      and every check inside it passed) -> ``conditional``;
    - no failure, but a finding that a printed formula or number is wrong -> ``holds-corrected``;
    - no failure and at least one decisive pass -> ``holds``;
    - nothing decided (all skipped or inconclusive) -> ``inconclusive``.
    """
    checks: list[CheckResult] = outcome.checks
    decisive = [c for c in checks if c.status != CheckStatus.SKIPPED and not c.inconclusive]
    if not decisive:
        return Verdict.INCONCLUSIVE
    if any(c.status == CheckStatus.FAILED for c in decisive):
        return Verdict.CONDITIONAL if outcome.condition else Verdict.FAILS
    if any(f.kind == "misprint" for f in outcome.findings):
        return Verdict.HOLDS_CORRECTED
    if any(f.kind == "unstated-condition" and f.affects_conclusion for f in outcome.findings):
        return Verdict.CONDITIONAL
    return Verdict.HOLDS
