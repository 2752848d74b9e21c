"""Run registered claims and collect their results in the ``verify --json`` schema."""

from __future__ import annotations

import platform
import shlex
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from theorycheck import __version__
from theorycheck.cache import active_cache, code_version, installed_versions
from theorycheck.claims.engine import execute
from theorycheck.claims.model import METHODS, CheckResult, ClaimOutcome, Finding, RunContext, decide
from theorycheck.claims.registry import Claim, discover
from theorycheck.errors import Status, TheoryCheckError

PACKAGES = ("sympy", "mpmath", "numpy", "scipy", "torch", "hypothesis", "matplotlib", "jinja2")


def package_versions() -> dict[str, str]:
    """The versions a run records (``run.packages`` of results.json)."""
    return installed_versions(PACKAGES, "not installed")


def select_claims(ids: Iterable[str] = ()) -> list[Claim]:
    """The claims named by ``ids`` (all registered claims when empty), in registry order."""
    registry = discover()
    wanted = list(ids)
    unknown = [i for i in wanted if i not in registry]
    if unknown:
        raise TheoryCheckError(f"unknown claim id(s): {', '.join(unknown)}; "
                               "run `theorycheck list` for the ids",
                               status=Status.INVALID_ARGUMENT)
    return [c for c in registry.values() if not wanted or c.id in wanted]


class ClaimTimeout(BaseException):
    """Raised inside a claim when its ``--max-seconds`` budget runs out.

    A ``BaseException`` so that no ``except Exception`` inside a check can swallow it.
    """


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Interrupt the enclosed code with :class:`ClaimTimeout` after ``seconds`` (wall clock).

    Uses ``SIGALRM``, so it acts only in the main thread of a POSIX process; elsewhere the budget
    is not enforced (and the run says so in its metadata).
    """
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ClaimTimeout(f"time budget of {seconds} s exceeded")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_claim(claim: Claim, ctx: RunContext) -> dict[str, Any]:
    """Run one claim; an unexpected exception becomes an ``inconclusive`` verdict whose check
    records the error, so one broken claim never stops the run. With ``ctx.max_seconds`` the
    claim is stopped cleanly when its budget runs out and reported ``inconclusive``."""
    start = time.perf_counter()
    try:
        with time_budget(ctx.max_seconds):
            outcome = execute(claim, ctx)
    except ClaimTimeout as err:
        outcome = ClaimOutcome(checks=[CheckResult(
            method="numeric", status="skipped", inconclusive=True, name="claim",
            summary=f"stopped: {err}; re-run with a larger --max-seconds",
            evidence={"error_status": str(Status.TIME_BUDGET)})])
    except TheoryCheckError as err:
        outcome = ClaimOutcome(checks=[CheckResult(
            method="numeric", status="skipped", inconclusive=True, name="claim",
            summary=f"could not run: {err.message}", evidence={"error_status": str(err.status)})])
    except Exception as err:  # recorded and reported, never swallowed silently
        outcome = ClaimOutcome(checks=[CheckResult(
            method="numeric", status="skipped", inconclusive=True, name="claim",
            summary=f"internal error: {type(err).__name__}: {err}",
            evidence={"traceback": traceback.format_exc(limit=6)})])
    ran = {c.method for c in outcome.checks}
    for method in claim.methods:
        if method not in ran:
            outcome.checks.append(CheckResult(method=method, status="skipped",
                                              summary="not run by this claim in this profile"))
    return claim_record(claim, outcome, seconds=time.perf_counter() - start)


def claim_record(claim: Claim, outcome: ClaimOutcome, *, seconds: float) -> dict[str, Any]:
    counts = {s: sum(1 for c in outcome.checks if c.status == s)
              for s in ("passed", "failed", "skipped")}
    return {
        "id": claim.id,
        "source": claim.source,
        "statement": claim.statement,
        "hypotheses": list(claim.hypotheses),
        "printed": list(claim.printed),
        "verdict": decide(outcome),
        "condition": outcome.condition,
        "checks": [c.to_json() for c in sorted(outcome.checks,
                                               key=lambda c: METHODS.index(c.method))],
        "findings": [f.to_json() for f in outcome.findings],
        "per_activation": outcome.per_activation,
        "figures": list(outcome.figures),
        "counts": counts,
        "seconds": round(seconds, 2),
    }


def run(ids: Iterable[str], ctx: RunContext,
        on_claim: Callable[[Claim, dict[str, Any] | None], None] | None = None) -> dict[str, Any]:
    """Run the selected claims under ``ctx``; returns ``{"run": {...}, "claims": [...]}``."""
    claims = select_claims(ids)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    records = []
    for claim in claims:
        if on_claim:
            on_claim(claim, None)
        record = run_claim(claim, ctx)
        records.append(record)
        if on_claim:
            on_claim(claim, record)
    return {
        "run": {
            "version": __version__,
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "profile": ctx.profile,
            "dps": ctx.dps,
            "seed": ctx.seed,
            "device": ctx.device,
            "device_name": ctx.device_name,
            "activations": [act.name for act in ctx.activations],
            "max_seconds": ctx.max_seconds,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": package_versions(),
            "code_version": code_version(),
            "command": ctx.command or shlex.join(["theorycheck", *sys.argv[1:]]),
            "cache": active_cache().stats(),
        },
        "claims": records,
    }


__all__ = ["Finding", "package_versions", "run", "run_claim", "select_claims"]
