"""Executors: where the tasks of a run execute, with the same numbers everywhere.

A :class:`Task` is a plain top-level function of picklable inputs returning a picklable value,
named by a ``key`` (``"claim:qmap"``, ``"finite-width-ratio/width=64"``) and carrying the
resources it needs (``{"GPU": 1}`` for a simulation placed on CUDA). An executor runs tasks and
yields a :class:`TaskResult` for each as it completes; the caller orders results by key, never
by completion, and every seed travels inside the task's inputs (:func:`task_seed`), so the
scheduling order never reaches a number.

- ``serial``: in this process, one after the other (the behaviour before executors existed).
- ``processes``: ``--workers N`` local worker processes (joblib's loky), the default for
  ``--workers > 1``. Each worker gets ``cpu_count // N`` BLAS/OpenMP/torch threads (set in its
  environment before anything is imported), so N workers do not oversubscribe the cores.
- ``dask``: a Dask distributed cluster (:mod:`.dask_executor`): a local one with N worker
  processes, or the scheduler at ``--address``. Tasks that need a GPU ask the cluster for the
  worker resource ``GPU`` (start GPU workers with ``dask worker ADDR --resources GPU=1``).

A task whose worker process dies is retried once, alone (so that a second death is its own);
dying twice gives it the status ``worker-lost``. It is never a silent gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from joblib.externals.loky import ProcessPoolExecutor

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.tasks import (
    WORKER_LOST,
    Task,
    TaskResult,
    call,
    configure_worker,
    task_seed,
    thread_environment,
    threads_per_worker,
)

#: the ``--executor`` choices
EXECUTORS = ("serial", "processes", "dask")


@dataclass
class Executor:
    """Runs tasks in this process, one after the other (``--executor serial``). Subclasses run
    them elsewhere; ``in_process`` says whether tasks share this process (and its cache)."""

    workers: int = 1
    address: str | None = None
    name: str = field(default="serial", init=False)
    in_process: bool = field(default=True, init=False)

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        """Each task's result as it completes (completion order; callers order by key)."""
        for task in tasks:
            yield call(task)

    def close(self) -> None:
        """Stop the workers (nothing to stop here)."""

    def describe(self) -> dict[str, Any]:
        """``run.executor``, ``run.workers`` and ``run.address`` of results.json."""
        return {"executor": self.name, "workers": self.workers, "address": self.address}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class ProcessExecutor(Executor):
    """``--executor processes``: ``workers`` local loky worker processes, each limited to
    ``threads`` compute threads. At most ``workers`` tasks are in flight, so a dying worker
    (which breaks the whole pool) takes at most that many tasks with it; those are retried one
    at a time in a fresh pool."""

    threads: int = 0
    name: str = field(default="processes", init=False)
    in_process: bool = field(default=False, init=False)
    _pool: ProcessPoolExecutor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise TheoryCheckError(f"--workers must be >= 1, got {self.workers}",
                                   status=Status.INVALID_ARGUMENT)
        self.threads = self.threads or threads_per_worker(self.workers)

    def _submit(self, task: Task) -> Future[TaskResult]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=configure_worker,
                initargs=(self.threads,), env=thread_environment(self.threads))
        return self._pool.submit(call, task)

    def _restart(self) -> None:
        self.close()

    @staticmethod
    def _outcome(future: Future[TaskResult], task: Task, attempt: int) -> TaskResult | None:
        """The task's result, or None when its worker (hence the pool) died under it."""
        err = future.exception()
        if isinstance(err, BrokenProcessPool):
            return None
        if err is not None:  # it could not be sent or its value could not come back
            return TaskResult(task, status="error", error=f"{type(err).__name__}: {err}",
                              attempts=attempt)
        result = future.result()
        result.attempts = attempt
        return result

    def _retry_alone(self, task: Task) -> TaskResult:
        """The second attempt of a task lost with its pool, in a fresh pool and alone."""
        self._restart()
        result = self._outcome(wait_one(self._submit(task)), task, 2)
        if result is None:
            self._restart()
            return TaskResult(task, status=WORKER_LOST, attempts=2,
                              error="its worker process died on both attempts")
        return result

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        queue = iter(tasks)  # pulled only when a worker is free (the caller sees starts)
        in_flight: dict[Future[TaskResult], Task] = {}
        lost: list[Task] = []
        exhausted = False
        while not exhausted or in_flight:
            while not exhausted and not lost and len(in_flight) < self.workers:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                else:
                    try:
                        in_flight[self._submit(task)] = task
                    except BrokenProcessPool:  # a worker died before we saw its task fail
                        lost.append(task)
            done = wait(in_flight, return_when=FIRST_COMPLETED)[0] if in_flight else set()
            for future in done:
                task = in_flight.pop(future)
                result = self._outcome(future, task, 1)
                if result is None:
                    lost.append(task)
                else:
                    yield result
            if lost and not in_flight:
                for task in lost:
                    yield self._retry_alone(task)
                lost = []

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, kill_workers=True)
            self._pool = None


def wait_one(future: Future[TaskResult]) -> Future[TaskResult]:
    """``future`` once it has completed."""
    wait([future])
    return future


__all__ = ["EXECUTORS", "WORKER_LOST", "Executor", "ProcessExecutor", "Task", "TaskResult",
           "call", "task_seed", "thread_environment", "threads_per_worker"]
