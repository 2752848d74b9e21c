"""The claims engine: it must be able to say no, and verdicts follow from checks alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import (
    Check,
    CheckResult,
    CheckStatus,
    ClaimOutcome,
    ClaimRun,
    Condition,
    DerivationStep,
    Finding,
    RunContext,
    claim,
    registry,
)
from theorycheck.claims.checks import property_result
from theorycheck.claims.declare import ClaimSpec
from theorycheck.claims.model import decide
from theorycheck.claims.registry import Claim, discover
from theorycheck.claims.runner import run_claim
from theorycheck.errors import Status, TheoryCheckError

ROOT = Path(__file__).resolve().parents[1]


def _identity(run: ClaimRun) -> CheckResult:
    """A planted false identity: (a + b)^2 = a^2 + b^2."""
    a, b = sp.symbols("a b", real=True)
    difference = sp.expand((a + b) ** 2 - (a**2 + b**2))
    holds = difference == 0
    return CheckResult(method="symbolic", status=CheckStatus.of(holds),
                       summary=f"(a+b)^2 - (a^2+b^2) = {difference}",
                       steps=[DerivationStep(sp.latex(difference), "expand", holds)],
                       counterexample=None if holds else {"a": "1", "b": "1"})


def _sin_le_square(run: ClaimRun) -> CheckResult:
    """A planted false inequality: |sin x| <= x^2."""
    return property_result("sin-le-square", "|sin x| <= x^2",
                           st.floats(-10, 10, allow_nan=False),
                           lambda x: abs(sp.sin(x)) <= x * x, max_examples=300, seed=run.seed)


def _declared(cid: str, *checks: Check, **spec: object) -> Claim:
    return Claim(id=cid, source="test", statement=cid,
                 spec=ClaimSpec(checks=tuple(checks), **spec),  # type: ignore[arg-type]
                 methods=tuple(dict.fromkeys(c.method for c in checks)))


def test_engine_reports_planted_false_claim_as_failing_with_counterexample() -> None:
    false_claim = _declared("planted-false", Check("symbolic", "identity", _identity),
                            Check("property", "inequality", _sin_le_square))
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
    def cos_bounded(run: ClaimRun) -> CheckResult:
        return property_result(
            "cos-bounded", "|cos x| <= 1", st.floats(-1e6, 1e6, allow_nan=False),
            lambda x: abs(float(sp.cos(x))) <= 1 + 1e-15, max_examples=50, seed=run.seed)

    true_claim = Claim(id="planted-true", source="test", statement="|cos| <= 1",
                       spec=ClaimSpec(checks=(Check("property", "cos", cos_bounded),)),
                       methods=("property", "simulation"))
    record = run_claim(true_claim, RunContext())
    assert record["verdict"] == "holds"
    sim = next(c for c in record["checks"] if c["method"] == "simulation")
    assert sim["status"] == "skipped"


def _search_x_squared_ge_x(*, positive_only: bool) -> Check:
    """x^2 >= x over [-2, 2] (false on (0, 1)), or only over x >= 1 (true); the check is
    declared as "search" / "inside" and its result is named "x2-ge-x"."""
    lo = 1.0 if positive_only else -2.0
    return Check("property", "inside" if positive_only else "search",
                 lambda run: property_result("x2-ge-x", "x^2 >= x",
                                             st.floats(lo, 2.0, allow_nan=False),
                                             lambda x: x * x >= x, max_examples=200,
                                             seed=run.seed))


def _condition(outside: bool) -> Condition:
    return Condition(text="x >= 1", search="search",
                     inside=_search_x_squared_ge_x(positive_only=True),
                     finding=lambda ce: Finding("unstated-condition", "test", "x^2 >= x",
                                                "x^2 >= x for x >= 1", str(ce),
                                                affects_conclusion=True),
                     outside=lambda ce: outside)


def test_condition_rule_reruns_the_search_inside_the_condition() -> None:
    claim = _declared("conditional", _search_x_squared_ge_x(positive_only=False),
                      condition=_condition(outside=True),
                      findings=(Finding("note", "static", "-", "-"),))
    record = run_claim(claim, RunContext())
    assert record["verdict"] == "conditional" and record["condition"] == "x >= 1"
    assert [c["name"] for c in record["checks"]] == ["x2-ge-x", "x2-ge-x"]
    # the condition's finding comes before the static one
    assert [f["kind"] for f in record["findings"]] == ["unstated-condition", "note"]
    # a counterexample that lies inside the condition is a plain failure: nothing re-runs
    plain = run_claim(_declared("fails", _search_x_squared_ge_x(positive_only=False),
                                condition=_condition(outside=False)), RunContext())
    assert plain["verdict"] == "fails" and len(plain["checks"]) == 1


def test_condition_does_not_rescue_a_claim_another_check_refutes() -> None:
    claim = _declared("refuted", Check("symbolic", "identity", _identity),
                      _search_x_squared_ge_x(positive_only=False),
                      condition=_condition(outside=True))
    record = run_claim(claim, RunContext())
    assert record["verdict"] == "fails" and record["condition"] == ""


def test_derive_sees_the_checks_record_and_when_filters_checks() -> None:
    def leave(run: ClaimRun) -> CheckResult:
        run.record["value"] = 2
        return CheckResult(method="numeric", status=CheckStatus.PASSED, summary="ok")

    def derive(run: ClaimRun) -> list[Finding]:
        return [Finding("misprint", "Eq. (1)", "1", str(run.record["value"]))]

    claim = _declared("derived", Check("numeric", "leave", leave),
                      Check("numeric", "full only", leave, when=lambda run: not run.quick),
                      derive=derive)
    record = run_claim(claim, RunContext(profile="quick"))
    assert [c["name"] for c in record["checks"]] == ["leave"]
    assert record["verdict"] == "holds-corrected"
    assert record["findings"][0]["corrected"] == "2"


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
    def crashes(run: ClaimRun) -> CheckResult:
        raise ZeroDivisionError("boom")

    def refuses(run: ClaimRun) -> CheckResult:
        raise TheoryCheckError("integral diverges", status=Status.DIVERGENT_INTEGRAL)

    for fn in (crashes, refuses):
        record = run_claim(_declared("x", Check("numeric", "body", fn)), RunContext())
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
    for declared in registered.values():
        assert declared.source and declared.statement, declared.id


def test_time_budget_stops_a_hanging_claim_as_inconclusive() -> None:
    import time

    def hangs(run: ClaimRun) -> CheckResult:
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    record = run_claim(_declared("hang", Check("numeric", "hangs", hangs)),
                       RunContext(max_seconds=0.3))
    assert time.perf_counter() - start < 5
    assert record["verdict"] == "inconclusive"
    stopped = next(c for c in record["checks"] if c["name"] == "claim")
    assert stopped["evidence"]["error_status"] == "time-budget-exceeded"


def test_time_budget_stops_a_hanging_claim_outside_the_main_thread() -> None:
    """As in a Dask worker: no SIGALRM there, the budget is raised in the claim's thread."""
    import threading
    import time

    def hangs(run: ClaimRun) -> CheckResult:
        while True:
            time.sleep(0.01)

    records: list[dict[str, object]] = []
    worker = threading.Thread(target=lambda: records.append(run_claim(
        _declared("hang", Check("numeric", "hangs", hangs)), RunContext(max_seconds=0.3))))
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive() and len(records) == 1
    stopped = next(c for c in records[0]["checks"] if c["name"] == "claim")  # type: ignore[union-attr]
    assert stopped["evidence"]["error_status"] == "time-budget-exceeded"
    assert stopped["summary"] == ("stopped: time budget of 0.3 s exceeded; "
                                  "re-run with a larger --max-seconds")


def test_a_thread_budget_that_was_not_used_never_fires_later() -> None:
    import threading
    import time

    from theorycheck.claims.budget import ClaimTimeout, time_budget

    def busy(seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            pass

    late: list[BaseException] = []

    def blocks_that_end_near_their_budget() -> None:
        try:
            for _ in range(60):
                try:
                    with time_budget(0.002):
                        busy(0.0019)  # ends just before its budget, or (when slow) just after
                except ClaimTimeout:
                    pass  # fired inside its own block: allowed
                busy(0.004)  # a timeout arriving here would have escaped its block
        except ClaimTimeout as err:
            late.append(err)

    worker = threading.Thread(target=blocks_that_end_near_their_budget)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert late == []


def test_a_crashing_check_is_skipped_and_the_others_still_run() -> None:
    def crashes(run: ClaimRun) -> CheckResult:
        return 1 / 0  # type: ignore[return-value]

    claim = _declared("half-broken", Check("numeric", "crashes", crashes),
                      Check("symbolic", "identity", _identity))
    record = run_claim(claim, RunContext())
    by_name = {c["name"]: c for c in record["checks"]}
    assert by_name["crashes"]["status"] == "skipped"
    assert by_name["crashes"]["summary"].startswith("internal error: ZeroDivisionError")
    assert "ZeroDivisionError" in by_name["crashes"]["evidence"]["traceback"]
    assert by_name["identity"]["status"] == "failed"
    assert record["verdict"] == "fails"


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Claims a test declares leave the registry when it ends."""
    discover()  # the entry points load first, so that they stay registered
    before = dict(registry._REGISTRY), dict(registry._OWNERS)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(before[0])
    registry._OWNERS.clear()
    registry._OWNERS.update(before[1])


@pytest.mark.usefixtures("scratch_registry")
def test_checks_declared_by_decorator_run_in_order_and_ids_are_unique() -> None:
    declared = claim(id="decorated-test-claim", source="test", statement="2 + 2 = 4")

    @declared.check("symbolic", "sum")
    def _sum(run: ClaimRun) -> CheckResult:
        return CheckResult(method="symbolic", status=CheckStatus.of(2 + 2 == 4), summary="4")

    @declared.check("numeric", "product")
    def _product(run: ClaimRun) -> CheckResult:
        return CheckResult(method="numeric", status=CheckStatus.of(2 * 2 == 5), summary="4")

    registered = discover()["decorated-test-claim"]
    assert registered.methods == ("symbolic", "numeric")
    record = run_claim(registered, RunContext())
    assert [c["name"] for c in record["checks"]] == ["sum", "product"]
    assert record["verdict"] == "fails"
    with pytest.raises(TheoryCheckError, match="declared twice"):
        claim(id="decorated-test-claim", source="elsewhere", statement="2 + 2 = 5")
