"""Tasks for the executor tests, light to import (a worker process imports this module and
:mod:`theorycheck.tasks` only): a worker that dies, one that dies only on its first attempt,
draws seeded by the task key."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from theorycheck.tasks import task_seed


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
