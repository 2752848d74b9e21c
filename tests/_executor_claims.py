"""Tasks and claims for the executor tests, importable by worker processes (which import this
module by name to find them): a worker that dies, one that dies only on its first attempt, and
draws seeded by the task key."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from theorycheck.cache import disk_cached
from theorycheck.claims import Check, ClaimRun, claim
from theorycheck.claims.executors import task_seed
from theorycheck.claims.model import CheckResult, CheckStatus


def die() -> None:
    """Kill the worker process running this task (no exception, no cleanup)."""
    os._exit(3)


def die_once(marker: str) -> str:
    """Kill the worker on the first attempt (``marker`` absent), succeed on the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died once")
        os._exit(3)
    return "second attempt"


def draw(run_seed: int, claim_id: str, key: str) -> float:
    """One uniform draw seeded by (run seed, claim id, task key) only."""
    return float(np.random.default_rng(task_seed(run_seed, claim_id, key)).random())


def square(x: int) -> int:
    return x * x


def _dies(run: ClaimRun) -> CheckResult:
    die()
    raise AssertionError("unreachable")


claim("executor-test-dies", source="test", statement="a worker that always dies",
      checks=[Check("numeric", "dies", _dies)])


@disk_cached("executor-test-cube", lambda x: {"x": x})
def cached_cube(x: int) -> int:
    """x^3, served from the run's cache when a previous run stored it."""
    return x * x * x


def _cached(run: ClaimRun) -> CheckResult:
    return CheckResult(method="numeric", status=CheckStatus.of(cached_cube(3) == 27),
                       summary="3^3 from the cache or computed")


claim("executor-test-cached", source="test", statement="3^3 = 27",
      checks=[Check("numeric", "cached cube", _cached)])
