"""Running a declared claim: its checks guarded and timed, the condition re-run with one rule,
findings in a fixed order. The verdict follows from the outcome (:mod:`.verdict`).

Order of a claim's findings: those its checks recorded (in check order), the condition's,
the static ones it declared, then those its ``derive`` step computes from the evidence.
"""

from __future__ import annotations

import traceback

from theorycheck.claims.checks import guarded
from theorycheck.claims.declare import Check, ClaimRun, Condition
from theorycheck.claims.model import CheckResult, CheckStatus, ClaimOutcome, RunContext
from theorycheck.claims.registry import Claim
from theorycheck.errors import TheoryCheckError


def run_check(check: Check, run: ClaimRun) -> CheckResult:
    """One check, guarded and timed: a :class:`TheoryCheckError` skips it with its status and
    reason; any other exception (a bug) skips it as an internal error with the traceback, and
    the claim's other checks still run. Neither is ever a pass."""

    def body() -> CheckResult:
        try:
            return check.run(run)
        except TheoryCheckError:
            raise
        except Exception as err:  # recorded in the check, never swallowed silently
            return CheckResult(method=check.method, status=CheckStatus.SKIPPED, name=check.name,
                               summary=f"internal error: {type(err).__name__}: {err}",
                               evidence={"traceback": traceback.format_exc(limit=6)},
                               inconclusive=True)

    return rests_on_proof(guarded(check.method, check.name, body))


def rests_on_proof(result: CheckResult) -> CheckResult:
    """A pass that claims a certificate the run did not prove is not decisive: it becomes
    inconclusive, with what was not proved in its summary (seed-independent rule: a verdict
    never rests on a certified statement that was not proved)."""
    cert = result.certificate
    if (cert is not None and not cert.proved and result.status == CheckStatus.PASSED
            and not result.inconclusive):
        result.inconclusive = True
        result.summary += f" -- not proved: {cert.unproved or 'part of the region'}"
    return result


def apply_condition(condition: Condition, run: ClaimRun,
                    ran: dict[str, CheckResult]) -> None:
    """The condition rule, the same for every claim.

    When the declared check named ``condition.search`` failed with a counterexample outside
    the condition, the ``inside`` search runs; when it passes and no check other than the
    search failed, the outcome is conditional on ``condition.text`` with its finding.
    ``ran`` maps each declared check's name to its result.
    """
    search = ran.get(condition.search)
    if search is None or search.status != CheckStatus.FAILED:
        return
    counterexample = search.counterexample or {}
    if not condition.outside(counterexample):
        return
    checks = run.outcome.checks
    inside = run_check(condition.inside, run)
    checks.append(inside)
    others_failed = any(c.status == CheckStatus.FAILED for c in checks if c is not search)
    if inside.status == CheckStatus.PASSED and not others_failed:
        run.outcome.condition = condition.text
        run.outcome.findings.append(condition.finding(counterexample))


def execute(claim: Claim, ctx: RunContext) -> ClaimOutcome:
    """Run every check ``claim`` declares under ``ctx`` and collect the outcome."""
    spec = claim.spec
    run = ClaimRun(ctx=ctx, default_activations=spec.activations, claim_id=claim.id)
    ran: dict[str, CheckResult] = {}
    for check in spec.checks:
        if check.when is None or check.when(run):
            ran[check.name] = run_check(check, run)
            run.outcome.checks.append(ran[check.name])
    if spec.condition is not None:
        apply_condition(spec.condition, run, ran)
    run.outcome.findings.extend(spec.findings)
    if spec.derive is not None:
        run.outcome.findings.extend(spec.derive(run) or ())
    return run.outcome


__all__ = ["apply_condition", "execute", "run_check"]
