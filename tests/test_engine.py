"""The claims engine: it must be able to say no, and verdicts follow from checks alone."""

from __future__ import annotations

import re
from pathlib import Path

import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import CheckResult, ClaimOutcome, DerivationStep, Finding, RunContext
from theorycheck.claims.checks import guarded, property_result
from theorycheck.claims.registry import Claim, discover
from theorycheck.claims.runner import run_claim
from theorycheck.claims.verdict import decide
from theorycheck.errors import Status, TheoryCheckError

ROOT = Path(__file__).resolve().parents[1]


def _square_of_sum(ctx: RunContext) -> ClaimOutcome:
    """A planted false identity and a false inequality: (a + b)^2 = a^2 + b^2; |sin x| <= x^2."""
    a, b = sp.symbols("a b", real=True)

    def symbolic() -> CheckResult:
        difference = sp.expand((a + b) ** 2 - (a**2 + b**2))
        holds = difference == 0
        return CheckResult(method="symbolic", status="passed" if holds else "failed",
                           summary=f"(a+b)^2 - (a^2+b^2) = {difference}",
                           steps=[DerivationStep(sp.latex(difference), "expand", holds)],
                           counterexample=None if holds else {"a": "1", "b": "1"})

    def prop() -> CheckResult:
        return property_result("sin-le-square", "|sin x| <= x^2",
                               st.floats(-10, 10, allow_nan=False),
                               lambda x: abs(sp.sin(x)) <= x * x,
                               max_examples=300, seed=ctx.seed)

    return ClaimOutcome(checks=[guarded("symbolic", "identity", symbolic),
                                guarded("property", "inequality", prop)])


def test_engine_reports_planted_false_claim_as_failing_with_counterexample() -> None:
    false_claim = Claim(id="planted-false", source="test", statement="(a+b)^2 = a^2+b^2",
                        run=_square_of_sum, methods=("symbolic", "property"))
    record = run_claim(false_claim, RunContext(seed=3))
    assert record["verdict"] == "fails"
    failed = [c for c in record["checks"] if c["status"] == "failed"]
    assert {c["method"] for c in failed} == {"symbolic", "property"}
    prop = next(c for c in failed if c["method"] == "property")
    x = float(prop["counterexample"]["example"])
    # the shrunk counterexample really violates the inequality, and is small
    assert abs(__import__("math").sin(x)) > x * x
    assert 0 < abs(x) < 1


def test_true_claim_holds_and_skips_are_not_passes() -> None:
    def true_claim(ctx: RunContext) -> ClaimOutcome:
        return ClaimOutcome(checks=[guarded("property", "cos", lambda: property_result(
            "cos-bounded", "|cos x| <= 1", st.floats(-1e6, 1e6, allow_nan=False),
            lambda x: abs(float(sp.cos(x))) <= 1 + 1e-15, max_examples=50, seed=ctx.seed))])

    record = run_claim(Claim(id="planted-true", source="test", statement="|cos| <= 1",
                             run=true_claim, methods=("property", "simulation")),
                       RunContext())
    assert record["verdict"] == "holds"
    sim = next(c for c in record["checks"] if c["method"] == "simulation")
    assert sim["status"] == "skipped"


def test_verdict_logic_covers_every_case() -> None:
    passed = CheckResult(method="numeric", status="passed", summary="")
    failed = CheckResult(method="property", status="failed", summary="", counterexample={"x": 1})
    skipped = CheckResult(method="simulation", status="skipped", summary="")
    misprint = Finding(kind="misprint", where="Eq. (27)", printed="s_w = 16",
                       corrected="s_w^2 = 16")
    assert decide(ClaimOutcome(checks=[skipped])) == "inconclusive"
    assert decide(ClaimOutcome(checks=[passed, skipped])) == "holds"
    assert decide(ClaimOutcome(checks=[passed, failed])) == "fails"
    conditional = ClaimOutcome(checks=[passed, failed], condition="psi not linear")
    assert decide(conditional) == "conditional"
    assert decide(ClaimOutcome(checks=[passed], findings=[misprint])) == "holds-corrected"


def test_a_crashing_or_refusing_claim_is_inconclusive_not_passed() -> None:
    def crashes(ctx: RunContext) -> ClaimOutcome:
        raise ZeroDivisionError("boom")

    def refuses(ctx: RunContext) -> ClaimOutcome:
        raise TheoryCheckError("integral diverges", status=Status.DIVERGENT_INTEGRAL)

    for fn in (crashes, refuses):
        record = run_claim(Claim(id="x", source="t", statement="s", run=fn), RunContext())
        assert record["verdict"] == "inconclusive"
        assert all(c["status"] == "skipped" for c in record["checks"])


def _ids_in_claims_md(text: str) -> list[str]:
    core = re.findall(r"^### ([a-z0-9-]+) ", text, flags=re.M)
    table = re.findall(r"^\| ([a-z0-9-]+) \| (?:000|001|002|003)", text, flags=re.M)
    return core + table


def test_every_claim_id_is_registered() -> None:
    expected = (ROOT / "docs" / "claim_ids.txt").read_text().split()
    claims_md = ROOT.parent / "shared" / "CLAIMS.md"
    if claims_md.exists():  # the catalogue beside the checkout is the source of truth
        assert _ids_in_claims_md(claims_md.read_text()) == expected
    registered = discover()
    assert sorted(registered) == sorted(expected)
    for claim in registered.values():
        assert claim.source and claim.statement, claim.id


def test_time_budget_stops_a_hanging_claim_as_inconclusive() -> None:
    import time

    def hangs(ctx: RunContext) -> ClaimOutcome:
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    record = run_claim(Claim(id="hang", source="t", statement="s", run=hangs),
                       RunContext(max_seconds=0.3))
    assert time.perf_counter() - start < 5
    assert record["verdict"] == "inconclusive"
    stopped = next(c for c in record["checks"] if c["name"] == "claim")
    assert stopped["evidence"]["error_status"] == "time-budget-exceeded"
