"""Run registered claims and collect their results in the ``verify --json`` schema."""

from __future__ import annotations

import dataclasses
import importlib
import platform
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from theorycheck import __version__
from theorycheck.cache import (
    BufferedCache,
    active_cache,
    code_version,
    installed_versions,
    use_cache,
)
from theorycheck.claims.budget import ClaimTimeout, time_budget
from theorycheck.claims.dask_executor import DaskExecutor
from theorycheck.claims.engine import execute
from theorycheck.claims.executors import (
    EXECUTORS,
    WORKER_LOST,
    Executor,
    ProcessExecutor,
    Task,
    TaskResult,
)
from theorycheck.claims.model import METHODS, CheckResult, ClaimOutcome, Finding, RunContext, decide
from theorycheck.claims.pieces import worker_context
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


def make_executor(name: str | None, workers: int = 1, address: str | None = None, *,
                  gpu: bool = False) -> Executor:
    """The executor ``--executor NAME --workers N --address ADDR`` asks for; ``name`` None
    means ``processes`` when ``workers > 1``, else ``serial``. ``gpu``: the run places
    simulations on CUDA (a local Dask cluster then offers one ``GPU`` resource per worker)."""
    if workers < 1:
        raise TheoryCheckError(f"--workers must be >= 1, got {workers}",
                               status=Status.INVALID_ARGUMENT)
    chosen = name or ("processes" if workers > 1 else "serial")
    if chosen not in EXECUTORS:
        raise TheoryCheckError(f"unknown executor {chosen!r}; choose one of "
                               f"{', '.join(EXECUTORS)}", status=Status.INVALID_ARGUMENT)
    if address is not None and chosen != "dask":
        raise TheoryCheckError("--address joins a Dask cluster: use it with --executor dask",
                               status=Status.INVALID_ARGUMENT)
    if chosen == "serial":
        return Executor(workers=1)
    if chosen == "processes":
        return ProcessExecutor(workers=workers)
    return DaskExecutor(workers=workers, address=address, gpu=gpu)


def claim_task(claim_id: str, modules: tuple[str, ...], ctx: RunContext,
               buffered: bool) -> dict[str, Any]:
    """The task of one claim, wherever it runs: its record and, when ``buffered`` (a worker
    process), the cache entries it computed, for the driver to write, and its cache counts.
    ``modules`` define the claim when no entry point does (a claim declared in a script)."""
    claims = discover()
    if claim_id not in claims:
        for module in modules:
            importlib.import_module(module)
        claims = discover()
    if not buffered:
        return {"record": run_claim(claims[claim_id], ctx)}
    cache = BufferedCache(ctx.cache_dir)
    previous = use_cache(cache)
    try:
        record = run_claim(claims[claim_id], ctx)
    finally:
        use_cache(previous)
    return {"record": record, "cache_entries": cache.pending, "cache_stats": cache.stats()}


def claim_modules(claim: Claim) -> tuple[str, ...]:
    """The modules whose import declares ``claim`` (those of its check functions)."""
    return tuple(sorted({check.run.__module__ for check in claim.spec.checks}))


def claim_resources(claim: Claim, ctx: RunContext) -> tuple[tuple[str, float], ...]:
    """What a cluster must give the claim's task: one GPU when it simulates on CUDA."""
    return (("GPU", 1.0),) if ctx.placement.is_cuda and "simulation" in claim.methods else ()


def lost_record(claim: Claim, result: TaskResult) -> dict[str, Any]:
    """The record of a claim whose task did not come back: inconclusive, saying why
    (``worker-lost``: its worker died on both attempts; ``error``: it could not run there)."""
    status = WORKER_LOST if result.status == WORKER_LOST else Status.INTERNAL_ERROR.value
    summary = (f"worker lost: {result.error}; re-run to retry" if result.status == WORKER_LOST
               else f"could not run in a worker: {result.error.splitlines()[0]}")
    outcome = ClaimOutcome(checks=[CheckResult(
        method="numeric", status="skipped", inconclusive=True, name="claim", summary=summary,
        evidence={"error_status": status, "attempts": result.attempts,
                  "traceback": result.error})])
    for method in claim.methods:
        if method != "numeric":
            outcome.checks.append(CheckResult(method=method, status="skipped", summary=summary))
    return claim_record(claim, outcome, seconds=0.0)


def run(ids: Iterable[str], ctx: RunContext,
        on_claim: Callable[[Claim, dict[str, Any] | None], None] | None = None,
        executor: Executor | None = None,
        on_task: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Run the selected claims under ``ctx`` through ``executor`` (default: serial); returns
    ``{"run": {...}, "claims": [...]}`` with the claims in registry order, whatever order they
    finished in. The driver writes to the active cache what the workers computed, as each
    claim comes back (so an interrupted run keeps every finished claim's entries).

    With workers, a claim declared ``splits=True`` runs here, first, with its pieces on the
    workers (``on_task(claim_id, done, total)`` hears of each); every other claim is one task.
    """
    claims = select_claims(ids)
    executor = executor or Executor()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    task_ctx = (dataclasses.replace(ctx, on_task=on_task) if executor.in_process
                else worker_context(ctx))
    by_key = {f"claim:{c.id}": c for c in claims}
    records: dict[str, dict[str, Any]] = {}
    split = [] if executor.in_process else [c for c in claims if c.spec.splits]
    driver_ctx = dataclasses.replace(ctx, executor=executor, on_task=on_task)
    for claim in split:
        if on_claim:
            on_claim(claim, None)
        records[claim.id] = run_claim(claim, driver_ctx)
        if on_claim:
            on_claim(claim, records[claim.id])

    def tasks() -> Iterator[Task]:
        for claim in claims:  # pulled as the executor starts them: the progress sees that
            if claim.id in records:
                continue
            if on_claim:
                on_claim(claim, None)
            yield Task(f"claim:{claim.id}", claim_task,
                       (claim.id, claim_modules(claim), task_ctx, not executor.in_process),
                       resources=claim_resources(claim, ctx))

    cache = active_cache()
    for result in executor.run(tasks()):
        claim = by_key[result.task.key]
        if result.status != "done":
            record = lost_record(claim, result)
        else:
            record = result.value["record"]
            for key, value in result.value.get("cache_entries", {}).items():
                cache.put(key, value)
            cache.absorb(result.value.get("cache_stats", {}))
        records[claim.id] = record
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
            **executor.describe(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": package_versions(),
            "code_version": code_version(),
            "command": ctx.command or shlex.join(["theorycheck", *sys.argv[1:]]),
            "cache": cache.stats(),
        },
        "claims": [records[c.id] for c in claims],
    }


__all__ = ["Finding", "claim_task", "make_executor", "package_versions", "run", "run_claim",
           "select_claims"]
