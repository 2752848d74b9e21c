"""Claims for the executor tests, importable by worker processes (which import this module by
name to find them): one whose worker dies, one that uses the run's cache, one that never ends."""

from __future__ import annotations

import time

from _executor_tasks import die, square

from theorycheck.cache import disk_cached
from theorycheck.claims import Check, ClaimRun, claim
from theorycheck.claims.model import CheckResult, CheckStatus


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


def _squares(run: ClaimRun) -> CheckResult:
    values = run.map(square, {f"x={x}": (x,) for x in (3, 1, 2)})
    return CheckResult(method="numeric", status=CheckStatus.of(
        list(values.items()) == [("x=3", 9), ("x=1", 1), ("x=2", 4)]), summary=str(values))


claim("executor-test-pieces", source="test", statement="squares, one piece each",
      checks=[Check("numeric", "squares", _squares)], splits=True)


def _hangs(run: ClaimRun) -> CheckResult:
    while True:  # pure Python, so a budget can stop it between two bytecodes
        time.sleep(0.01)


claim("executor-test-hangs", source="test", statement="a check that never ends",
      checks=[Check("numeric", "hangs", _hangs)])
