"""`theorycheck list` and `theorycheck verify`: the claims catalogue and the verification run."""

from __future__ import annotations

import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from theorycheck.activations import get_activation
from theorycheck.cache import DEFAULT_DIR, DiskCache, use_cache
from theorycheck.claims.model import RunContext
from theorycheck.claims.registry import LOAD_ERRORS, Claim, discover
from theorycheck.claims.runner import make_executor
from theorycheck.claims.runner import run as run_claims
from theorycheck.cli.app import DeviceChoice, Profile, app, dps_option, emit_json, user_errors
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import resolve_placement
from theorycheck.report import ReportStaging, figures

#: exit status of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it)
EXIT_INTERRUPTED = 130


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`KeyboardInterrupt` like Ctrl-C does, so that a
    terminated run unwinds the same way (staging report discarded, cache entries complete)."""
    if not threading_main():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def threading_main() -> bool:
    """Whether this is the main thread (only it may install signal handlers)."""
    return threading.current_thread() is threading.main_thread()


def reproducing_command(ids: list[str] | None, profile: str, dps: int,
                        activations: tuple[str, ...], device: str, seed: int,
                        max_seconds: float | None) -> str:
    """The ``verify`` command line that repeats this run's numbers (from the parsed options,
    not ``sys.argv``, so it is right however the command was invoked)."""
    words = ["theorycheck", "verify", *(ids or []), "--profile", profile, "--dps", str(dps),
             "--seed", str(seed), "--device", device]
    for act in activations:
        words += ["--activation", act]
    if max_seconds is not None:
        words += ["--max-seconds", str(max_seconds)]
    return shlex.join(words)


@app.command("list")
@user_errors
def list_claims(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """List the claims: id, source, statement (and entry points that failed to load)."""
    claims = discover()
    broken = [{"entry_point": name, "error": why} for name, why in LOAD_ERRORS]
    if as_json:
        emit_json({"claims": [c.to_json() for c in claims.values()], "load_errors": broken})
        return
    table = Table(title=f"{len(claims)} claims", show_lines=True)
    for column in ("id", "source", "statement"):
        table.add_column(column, overflow="fold")
    for c in claims.values():
        table.add_row(c.id + (" (core)" if c.core else ""), c.source, c.statement)
    Console().print(table)
    for row in broken:
        Console(stderr=True).print(f"entry point {row['entry_point']!r} of "
                                   f"theorycheck.claims did not load: {row['error']}")


class ExecutorChoice(StrEnum):
    """``--executor``: where the claims run (default: processes when --workers > 1)."""

    serial = "serial"
    processes = "processes"
    dask = "dask"


def _progress_runner(claims_total: int, quiet: bool,
                     label: str) -> tuple[Any, Any, Any, Any]:
    """One rich progress display on stderr, for any executor: a bar of claims done out of
    the total, and a row per claim in flight with its elapsed time and, for a claim whose
    pieces run on the workers, its pieces done out of its total; each finished claim prints
    its verdict (nothing under --json or when stderr is not a terminal)."""
    if quiet or not sys.stderr.isatty():
        return None, None, None, None
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=False)
    overall = progress.add_task(f"claims ({label})", total=claims_total)
    rows: dict[str, Any] = {}

    def on_claim(claim: Claim, record: dict[str, Any] | None) -> None:
        if record is None:
            rows[claim.id] = progress.add_task(f"  {claim.id}", total=1)
            return
        if claim.id in rows:
            progress.remove_task(rows.pop(claim.id))
        progress.advance(overall)
        progress.console.print(f"  {claim.id}: [bold]{record['verdict']}[/bold] "
                               f"({record['seconds']} s)")

    def on_task(claim_id: str, done: int, total: int) -> None:
        if claim_id in rows:
            progress.update(rows[claim_id], completed=done, total=total)

    def note(message: str) -> None:
        progress.update(overall, description=f"claims ({label}): {message}")

    return progress, on_claim, on_task, note


@app.command()
@user_errors
def verify(
    ids: Annotated[list[str] | None, typer.Argument(help="Claim ids (default: all).")] = None,
    profile: Annotated[Profile, typer.Option(help="quick (CI-sized) or full.")] = Profile.quick,
    dps: Annotated[int, typer.Option(help="Decimal digits for mpmath checks.")] = 30,
    activation: Annotated[list[str] | None, typer.Option(
        "--activation", help="Activation name or formula in x (repeatable).")] = None,
    device: Annotated[DeviceChoice, typer.Option(help="Simulation device.")] = DeviceChoice.auto,
    seed: Annotated[int, typer.Option(help="Seed for hypothesis and simulations.")] = 0,
    out: Annotated[Path | None, typer.Option(
        help="Write the report (md, html, json) here.")] = None,
    max_seconds: Annotated[float | None, typer.Option(
        help="Time budget per claim; a check past it is reported inconclusive.")] = None,
    cache_dir: Annotated[Path, typer.Option(
        help="Folder of the on-disk cache of expensive results (reused by the next run).")]
    = Path(DEFAULT_DIR),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    executor: Annotated[ExecutorChoice | None, typer.Option(
        help="serial, processes (local workers) or dask (a local or remote Dask cluster); "
             "default: processes when --workers > 1.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (processes, local dask).")]
    = 1,
    address: Annotated[str | None, typer.Option(
        help="Scheduler address of a running Dask cluster (with --executor dask).")] = None,
) -> None:
    """Run the checks of the named claims (all by default) and report their verdicts.

    Exit status 0 when the run completed, whatever the verdicts; 2 on a bad argument; 130 when
    interrupted (Ctrl-C or SIGTERM), leaving the previous report and the cache intact.
    """
    precision = dps_option(dps)
    if max_seconds is not None and not max_seconds > 0:
        raise TheoryCheckError(f"--max-seconds must be > 0, got {max_seconds}",
                               status=Status.INVALID_ARGUMENT)
    # each name or formula parsed once, here: a bad formula fails fast with a clear message
    activations = tuple(get_activation(act) for act in activation or ())
    placement = resolve_placement(device.value)
    claims = [c for c in discover().values() if not ids or c.id in ids]
    pool = make_executor(None if executor is None else executor.value, workers, address,
                         gpu=placement.is_cuda)
    label = pool.name + (f" x{pool.workers}" if pool.workers > 1 else "")
    progress, on_claim, on_task, note = _progress_runner(len(claims) or len(ids or []),
                                                          quiet=as_json, label=label)
    staging = ReportStaging(out) if out is not None else None
    cache = DiskCache(None if no_cache else cache_dir.expanduser().resolve())
    ctx = RunContext(profile=profile.value, precision=precision, seed=seed, placement=placement,
                     activations=activations, max_seconds=max_seconds, progress=note,
                     figure_dir=str(staging.figure_dir) if staging else None,
                     draw_figure=figures.draw if staging else None,
                     cache_dir=None if cache.directory is None else str(cache.directory),
                     command=reproducing_command(ids, profile.value, dps, tuple(activation or ()),
                                                 device.value, seed, max_seconds))
    previous_cache = use_cache(cache)
    try:
        with sigterm_as_interrupt(), pool:
            if progress is not None:
                with progress:
                    results = run_claims(ids or (), ctx, on_claim=on_claim, executor=pool,
                                         on_task=on_task)
            else:
                results = run_claims(ids or (), ctx, executor=pool)
            if staging is not None:
                staging.commit(results)
    except KeyboardInterrupt as stop:
        if staging is not None:
            staging.abort()
        why = str(stop) or "SIGINT"
        kept = f"the previous report in {out} is unchanged; " if out is not None else ""
        typer.echo(f"theorycheck: interrupted ({why}); {kept}{cache.writes} new cache "
                   f"entr{'y' if cache.writes == 1 else 'ies'} kept; re-run to resume",
                   err=True)
        raise typer.Exit(code=EXIT_INTERRUPTED) from None
    except BaseException:
        if staging is not None:
            staging.abort()
        raise
    finally:
        use_cache(previous_cache)
    if as_json:
        emit_json(results)
        return
    _print_summary(results, out)


def _print_summary(results: dict[str, Any], out: Path | None) -> None:
    run = results["run"]
    table = Table(title=f"theorycheck {run['version']} — profile {run['profile']}, "
                        f"dps {run['dps']}, seed {run['seed']}, device {run['device']}")
    for column in ("claim", "verdict", "passed", "failed", "skipped", "s"):
        table.add_column(column)
    for record in results["claims"]:
        counts = record["counts"]
        table.add_row(record["id"], record["verdict"], str(counts["passed"]),
                      str(counts["failed"]), str(counts["skipped"]), str(record["seconds"]))
    console = Console()
    console.print(table)
    cache = run.get("cache") or {}
    if cache.get("dir"):
        console.print(f"cache {cache['dir']}: {cache['hits']} hit(s), {cache['writes']} new "
                      "entr(ies)")
    if out is not None:
        console.print(f"report written to {out}/index.html, {out}/index.md, {out}/results.json")
