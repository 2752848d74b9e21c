"""Pieces: the independent parts of one claim (the widths, activations, grid points or seeds
of an experiment), run as tasks through the run's executor.

A claim declared with ``splits=True`` runs in the driver process; its checks hand their
pieces to :meth:`ClaimRun.map <theorycheck.claims.declare.ClaimRun.map>`, which sends them to
the workers and gives back their values by key, in the order asked (never the order they
finished). A piece is a top-level function of picklable inputs; its seed is part of those
inputs (:func:`theorycheck.claims.executors.task_seed`, or a seed the claim already derives
from the piece's own parameters). What a piece computes for the cache comes back with its
value and the driver writes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from theorycheck.cache import BufferedCache, active_cache, use_cache
from theorycheck.claims.executors import WORKER_LOST, Executor, Task
from theorycheck.claims.model import RunContext
from theorycheck.errors import Status, TheoryCheckError


def piece_call(fn: Callable[..., Any], args: tuple[Any, ...],
               cache_dir: str | None) -> dict[str, Any]:
    """Run one piece in a worker: its value, and the cache entries it computed (for the driver
    to write) with its cache counts."""
    cache = BufferedCache(cache_dir)
    previous = use_cache(cache)
    try:
        value = fn(*args)
    finally:
        use_cache(previous)
    return {"value": value, "cache_entries": cache.pending, "cache_stats": cache.stats()}


def worker_context(ctx: RunContext) -> RunContext:
    """``ctx`` as a worker receives it: without the driver's progress callbacks and executor."""
    return dataclasses.replace(ctx, progress=None, executor=None, on_task=None)


def run_pieces(ctx: RunContext, claim_id: str, fn: Callable[..., Any],
               pieces: Mapping[str, tuple[Any, ...]],
               resources: tuple[tuple[str, float], ...] = ()) -> dict[str, Any]:
    """``{key: fn(*args)}`` for every piece, through ``ctx.executor`` when it runs pieces in
    other processes, else here one after the other (the same values either way). A piece
    whose worker died twice raises :class:`TheoryCheckError` with status ``worker-lost``
    (the check that asked for it is then skipped with that status, never a silent gap)."""
    executor: Executor | None = ctx.executor
    total, done = len(pieces), 0
    if executor is None or executor.in_process:
        values = {}
        for key, args in pieces.items():
            values[key] = fn(*args)
            done += 1
            if ctx.on_task is not None:
                ctx.on_task(claim_id, done, total)
        return values
    by_key = {f"{claim_id}/{key}": key for key in pieces}
    tasks = [Task(task_key, piece_call, (fn, pieces[key], ctx.cache_dir), resources)
             for task_key, key in by_key.items()]
    cache = active_cache()
    out: dict[str, Any] = {}
    for result in executor.run(tasks):
        if result.status != "done":
            status = Status.WORKER_LOST if result.status == WORKER_LOST else Status.INTERNAL_ERROR
            raise TheoryCheckError(f"piece {result.task.key}: {result.error.splitlines()[0]}",
                                   status=status)
        for key, value in result.value["cache_entries"].items():
            cache.put(key, value)
        cache.absorb(result.value["cache_stats"])
        out[by_key[result.task.key]] = result.value["value"]
        done += 1
        if ctx.on_task is not None:
            ctx.on_task(claim_id, done, total)
    return {key: out[key] for key in pieces}


__all__ = ["piece_call", "run_pieces", "worker_context"]
