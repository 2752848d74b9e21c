"""Tasks: the unit a run hands to its executor, and what runs inside a worker process.

The ground floor of the house (no mathematics of the field, nothing heavy imported), so that a
worker process that receives a task imports only this module before the task's own function
(:mod:`theorycheck.claims.executors` runs the tasks). A :class:`Task` is a top-level function
of picklable inputs with a ``key`` and the ``resources`` it needs; its seed travels in its
inputs (:func:`task_seed`), never in the order it runs.
"""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from theorycheck.errors import Status

#: the status of a task whose worker died on both attempts
WORKER_LOST = Status.WORKER_LOST.value
#: the environment variables that size a process's BLAS, OpenMP and torch thread pools
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def task_seed(run_seed: int, claim_id: str, key: str) -> int:
    """A seed for the piece ``key`` of claim ``claim_id`` in a run seeded ``run_seed``: the
    first 63 bits of SHA-256 of the three, so it depends on what the piece is and never on
    when or where it runs. (Claims that predate executors derive their seeds from the run
    seed and the piece's own parameters, e.g. ``seed + width``, which is equally
    order-free and is kept so that their numbers do not change.)"""
    digest = hashlib.sha256(f"{run_seed}\x00{claim_id}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True)
class Task:
    """One independent piece of a run: ``fn(*args)``, named ``key``; ``resources`` are what a
    cluster must give it (``(("GPU", 1.0),)`` for a CUDA simulation)."""

    key: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    resources: tuple[tuple[str, float], ...] = ()


@dataclass
class TaskResult:
    """What became of a task: ``status`` is ``done`` (``value`` holds its return value),
    ``error`` (it raised: ``error`` holds the traceback) or ``worker-lost`` (its worker died
    on each of its ``attempts``)."""

    task: Task
    status: str = "done"
    value: Any = None
    error: str = ""
    attempts: int = 1


def threads_per_worker(workers: int) -> int:
    """The cores of this machine shared out among ``workers`` (at least one thread each)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def thread_environment(threads: int) -> dict[str, str]:
    """The environment that limits a worker process to ``threads`` compute threads (read by
    OpenMP, MKL, OpenBLAS and torch when they load)."""
    return dict.fromkeys(THREAD_VARIABLES, str(threads))


def configure_worker(threads: int) -> None:
    """Worker initialiser: ``threads`` compute threads for what this process loads later."""
    os.environ.update(thread_environment(threads))


def call(task: Task) -> TaskResult:
    """Run ``task`` here: an exception becomes an ``error`` result with its traceback."""
    try:
        return TaskResult(task, value=task.fn(*task.args))
    except Exception as err:  # recorded in the result, never swallowed silently
        return TaskResult(task, status="error",
                          error=f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}")


__all__ = ["THREAD_VARIABLES", "WORKER_LOST", "Task", "TaskResult", "call", "configure_worker",
           "task_seed", "thread_environment", "threads_per_worker"]
