"""Helpers that proofs use to run one check: timing, error capture, and hypothesis searches
whose failures are shrunk to a minimal counterexample."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from theorycheck.claims.model import CheckResult, Method
from theorycheck.errors import TheoryCheckError


def guarded(method: Method, name: str, body: Callable[[], CheckResult]) -> CheckResult:
    """Run ``body``; a :class:`TheoryCheckError` becomes a ``skipped`` check with its status and
    reason (never a pass), and the elapsed time is recorded."""
    start = time.perf_counter()
    try:
        result = body()
    except TheoryCheckError as err:
        result = CheckResult(method=method, status="skipped", name=name,
                             summary=f"could not run: {err.message}",
                             evidence={"error_status": str(err.status)}, inconclusive=True)
    result.name = result.name or name
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def search_counterexample(strategy: st.SearchStrategy[Any], holds: Callable[[Any], bool], *,
                          max_examples: int, seed: int) -> tuple[Any | None, int]:
    """Search ``strategy`` for an example where ``holds`` is False; shrink it to a minimal one.

    Returns ``(counterexample or None, examples tried)``. Deterministic under ``seed``; uses no
    example database. ``holds`` raising :class:`TheoryCheckError` counts as "not applicable" for
    that example, not as a counterexample.
    """
    tried = 0

    def violates(example: Any) -> bool:
        nonlocal tried
        tried += 1
        try:
            return not holds(example)
        except TheoryCheckError:
            return False

    config = settings(max_examples=max_examples, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
    try:
        example = find(strategy, violates, settings=config, random=random.Random(seed))
    except (NoSuchExample, Unsatisfiable):
        return None, tried
    return example, tried


def property_result(name: str, statement: str, strategy: st.SearchStrategy[Any],
                    holds: Callable[[Any], bool], *, max_examples: int, seed: int,
                    describe: Callable[[Any], dict[str, Any]] | None = None) -> CheckResult:
    """A ``property`` check: ``statement`` searched over ``strategy``; failed with the shrunk
    counterexample if one is found."""
    example, tried = search_counterexample(strategy, holds, max_examples=max_examples, seed=seed)
    evidence = {"examples": tried, "max_examples": max_examples, "seed": seed,
                "property": statement}
    if example is None:
        return CheckResult(method="property", status="passed", name=name, evidence=evidence,
                           summary=f"{statement}: no counterexample in {tried} examples")
    shown = describe(example) if describe else {"example": repr(example)}
    return CheckResult(method="property", status="failed", name=name, evidence=evidence,
                       counterexample=shown,
                       summary=f"{statement}: counterexample {shown}")
