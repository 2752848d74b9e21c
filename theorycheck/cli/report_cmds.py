"""`theorycheck report` (re-render a report from its JSON) and `theorycheck activation` (the
property-test report of one activation)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from theorycheck.activations import get_activation
from theorycheck.claims.model import RunContext
from theorycheck.cli.app import DeviceChoice, Profile, app, dps_option, emit_json, user_errors
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import resolve_placement
from theorycheck.report import (
    ReportStaging,
    figures,
    parse_formats,
    write_activation_report,
    write_report,
)
from theorycheck.report import activation as activation_report
from theorycheck.report.compare import diff_results

DEFAULT_OUT = Path("reports/quick")


def load_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; a missing file or bad JSON is a user error."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TheoryCheckError(f"no such file: {path}", status=Status.INVALID_ARGUMENT) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TheoryCheckError(f"cannot read {path} as JSON: {err}",
                               status=Status.INVALID_ARGUMENT) from None
    if not isinstance(doc, dict):
        raise TheoryCheckError(f"{path} does not hold a JSON object",
                               status=Status.INVALID_ARGUMENT)
    return doc


def _pages(out: Path, page: str, formats: tuple[str, ...], data: str) -> str:
    names = [f"{page}.{f}" for f in formats if f != "json"]
    names += [data] if "json" in formats else []
    return ", ".join(str(out / n) for n in names)


@app.command()
@user_errors
def report(
    source: Annotated[Path | None, typer.Option(
        "--from", help="results.json (or activation.json) to render "
                       "(default: OUT/results.json).")] = None,
    formats: Annotated[str, typer.Option(
        "--format", help="Comma-separated formats: md, html, json.")] = "md,html,json",
    out: Annotated[Path | None, typer.Option(
        help="Report folder, replaced atomically (default: the folder of --from, "
             "else reports/quick).")] = None,
) -> None:
    """Render the report (index, one page per claim, results.json) from a results document."""
    chosen = parse_formats(formats)
    if source is None:
        out = out or DEFAULT_OUT
        source = out / "results.json"
    out = out or source.parent
    doc = load_json(source)
    if "activation" in doc:
        written = write_activation_report(doc, out, chosen, source_dir=source.parent)
        typer.echo(f"report written: {_pages(written, 'activation', chosen, 'activation.json')}")
    else:
        written = write_report(doc, out, chosen, source_dir=source.parent)
        typer.echo(f"report written: {_pages(written, 'index', chosen, 'results.json')}")


@app.command()
@user_errors
def activation(
    act: Annotated[str, typer.Argument(help="A built-in name or a formula in x, "
                                            "e.g. \"tanh(x) + 0.1*x\".")],
    out: Annotated[Path | None, typer.Option(
        help="Write activation.md/html/json (+ claim pages, figures) here, atomically.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    profile: Annotated[Profile, typer.Option(help="quick or full.")] = Profile.quick,
    dps: Annotated[int, typer.Option(help="Decimal digits of every reported number.")] = 30,
    seed: Annotated[int, typer.Option(help="Seed for hypothesis and simulations.")] = 0,
    device: Annotated[DeviceChoice, typer.Option(help="Simulation device.")] = DeviceChoice.auto,
    formats: Annotated[str, typer.Option(
        "--format", help="Formats written under --out: md, html, json.")] = "md,html,json",
) -> None:
    """Property-test an activation: properties, edge of chaos, DI point, per-activation claims.

    Also draws its phase planes of beta and chi1 (with --out), and runs every claim registered
    with per_activation=True with this activation.
    """
    precision = dps_option(dps)
    chosen = parse_formats(formats)
    activation = get_activation(act)  # parsed once, here: a bad formula fails before any work
    quiet = as_json or not sys.stderr.isatty()
    ctx = RunContext(profile=profile.value, precision=precision, seed=seed,
                     placement=resolve_placement(device.value), activations=(activation,),
                     progress=None if quiet else (lambda m: typer.echo(f"  {m}", err=True)))
    if out is None:
        doc = activation_report.build_activation_report(activation, ctx)
    else:
        with ReportStaging(out) as staging:
            # the report's own planes and the figures of the claims it runs, as `verify --out`
            ctx.figure_dir, ctx.draw_figure = str(staging.figure_dir), figures.draw
            doc = activation_report.build_activation_report(activation, ctx)
            staging.commit_activation(doc, chosen)
    if as_json:
        emit_json(doc)
        return
    _print_summary(doc, out, chosen)


def _print_summary(doc: dict[str, Any], out: Path | None, formats: tuple[str, ...]) -> None:
    console = Console()
    act, run = doc["activation"], doc["run"]
    console.print(f"[bold]{act['name']}[/bold]  psi(x) = {act['formula']}   "
                  f"(dps {run['dps']}, seed {run['seed']}, device {run['device']})")
    props = Table(title="properties")
    for column in ("property", "value", "decided"):
        props.add_column(column)
    for name, p in act["properties"].items():
        props.add_row(name, str(p["value"]), p["decided_by"])
    console.print(props)
    eoc = Table(title="edge of chaos (chi1 = 1)")
    for column in ("sb2", "sw2", "± error"):
        eoc.add_column(column)
    for point in doc["eoc"]["points"]:
        eoc.add_row(point["sb2"], point["sw2"], str(point.get("sw2_err", "")))
    console.print(eoc)
    for item in doc["eoc"]["errors"]:
        console.print(f"  sb2 = {item['sb2']}: [{item['status']}] {item['message']}",
                      markup=False)
    di = doc.get("di_point")
    console.print(f"DI point: sw2 = {di['sw2']}, sb2 = {di['sb2']}" if di
                  else f"DI point: none ({doc.get('di_note', '')})")
    if doc["claims"]:
        claims = Table(title="claims run with this activation")
        for column in ("claim", "verdict", "passed", "failed", "skipped"):
            claims.add_column(column)
        for c in doc["claims"]:
            n = c["counts"]
            claims.add_row(c["id"], c["verdict"], str(n["passed"]), str(n["failed"]),
                           str(n["skipped"]))
        console.print(claims)
    for note in doc.get("notes", []):
        console.print(f"note: {note}", markup=False)
    if out is not None:
        console.print(f"report written: {_pages(out, 'activation', formats, 'activation.json')}")


@app.command()
@user_errors
def compare(
    old: Annotated[Path, typer.Argument(help="The earlier results.json.")],
    new: Annotated[Path, typer.Argument(help="The later results.json.")],
    subset: Annotated[bool, typer.Option(
        "--subset", help="NEW ran only some of OLD's claims: compare those.")] = False,
) -> None:
    """Diff two results.json files, ignoring timings and run provenance.

    Prints one line per difference in a verdict, finding, check or number; exit status 0 when
    there is none, 1 otherwise (the safety net of a redesign: the same numbers before and after).
    """
    lines = diff_results(load_json(old), load_json(new), subset=subset)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} difference(s) between {old} and {new}", err=True)
    if lines:
        raise typer.Exit(code=1)
