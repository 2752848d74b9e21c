"""``--executor dask``: tasks on a Dask distributed cluster, local or at ``--address``.

Without an address a :class:`distributed.LocalCluster` starts with ``workers`` worker processes
of one task thread each, every process limited to ``cpu_count // workers`` compute threads
(its environment, as for ``processes``); with ``gpu`` each worker also offers one ``GPU``
resource, so tasks asking ``{"GPU": 1}`` run one per worker. With an address the run joins
that scheduler (``dask scheduler``; workers started with ``dask worker ADDR --nthreads 1``,
GPU workers with ``--resources GPU=1``); the figures and the cache folder are then those of
the worker machines (the driver still writes every cache entry the workers return).

Worker death: the local cluster is told to give up on a task at its first worker death
(``distributed.scheduler.allowed-failures = 0``), so the task comes back as
:class:`distributed.KilledWorker`; it is then resubmitted once, and a second death gives it
the status ``worker-lost``. A remote scheduler applies its own ``allowed-failures`` first.

``--max-seconds`` holds here too: Dask runs a claim in a worker thread, where the budget is
raised in that thread instead of by ``SIGALRM`` (:mod:`theorycheck.claims.budget`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from theorycheck.claims.executors import (
    WORKER_LOST,
    Executor,
    Task,
    TaskResult,
    call,
    thread_environment,
    threads_per_worker,
)
from theorycheck.errors import Status, TheoryCheckError


@dataclass
class DaskExecutor(Executor):
    """A Dask client and, without ``address``, the local cluster it owns."""

    gpu: bool = False
    name: str = field(default="dask", init=False)
    in_process: bool = field(default=False, init=False)
    _client: Any = field(default=None, init=False, repr=False)
    _cluster: Any = field(default=None, init=False, repr=False)
    _dd: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            import dask  # lazy: dask is needed only by --executor dask
            import distributed  # lazy: distributed is needed only by --executor dask
        except ImportError as err:
            raise TheoryCheckError(
                f"--executor dask needs Dask ({err.name} is not installed): "
                "pip install 'theorycheck[dask]'", status=Status.INVALID_ARGUMENT) from err

        self._dd = distributed
        if self.address:
            self._client = distributed.Client(self.address)
            self.workers = len(self._client.scheduler_info().get("workers", {})) or self.workers
            return
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            self._cluster = distributed.LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
                env=thread_environment(threads_per_worker(self.workers)),
                resources={"GPU": 1} if self.gpu else None)
        self._client = distributed.Client(self._cluster)

    def _submit(self, task: Task) -> Any:
        return self._client.submit(call, task, key=f"{task.key}-{uuid.uuid4().hex[:8]}",
                                   pure=False, retries=0,
                                   resources=dict(task.resources) or None)

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        attempts: dict[Any, tuple[Task, int]] = {}
        for task in tasks:
            attempts[self._submit(task)] = (task, 1)
        pending = self._dd.as_completed(list(attempts))
        for future in pending:
            task, attempt = attempts.pop(future)
            if future.status == "finished":
                result: TaskResult = future.result()
                result.attempts = attempt
                yield result
                continue
            err = future.exception()
            if isinstance(err, self._dd.KilledWorker):
                if attempt == 1:
                    again = self._submit(task)
                    attempts[again] = (task, 2)
                    pending.add(again)
                    continue
                yield TaskResult(task, status=WORKER_LOST, attempts=2,
                                 error="its worker process died on both attempts")
            else:
                yield TaskResult(task, status="error", error=f"{type(err).__name__}: {err}",
                                 attempts=attempt)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


__all__ = ["DaskExecutor"]
