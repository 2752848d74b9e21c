"""`theorycheck cmap`: the correlation map c -> c' on a grid, its iterate, fixed points, kernel."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from theorycheck.cli.app import ActivationArg, Sb2Text, Sw2Text, app, emit_json, user_errors
from theorycheck.errors import TheoryCheckError
from theorycheck.meanfield.cmap import CMap, correlation_map
from theorycheck.report.cmap_figures import correlation_figure


def _number(name: str, text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise TheoryCheckError(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise TheoryCheckError(f"{name} must be finite, got {text}")
    return v


def json_document(res: CMap) -> dict[str, Any]:
    """The JSON object of ``theorycheck cmap`` (keys documented on the command)."""
    doc: dict[str, Any] = {
        "activation": res.activation, "sw2": res.sw2, "sb2": res.sb2, "q_star": res.q_star,
        "c": res.c.tolist(), "c_next": res.c_next.tolist(), "c_next_err": res.c_next_err.tolist(),
        "chi_c": res.chi_c.tolist(), "chi_c_err": res.chi_c_err.tolist(),
        "fixed_points": [{"c": p.c, "slope": p.slope, "stable": p.stable, "error": p.error}
                         for p in res.fixed_points],
    }
    if res.c_L is not None and res.c_L_err is not None and res.kernel_L is not None:
        doc.update({"depth": res.depth, "q0": res.q0, "q_L": res.q_L, "c_L": res.c_L.tolist(),
                    "c_L_err": res.c_L_err.tolist(), "kernel_L": res.kernel_L.tolist()})
    doc["error"] = res.error
    doc["seconds"] = round(res.seconds, 4)
    return doc


@app.command("cmap")
@user_errors
def correlations_command(
    act: ActivationArg,
    sw2: Sw2Text,
    sb2: Sb2Text,
    points: Annotated[int, typer.Option("--points", help="grid points on [-1, 1]")] = 201,
    depth: Annotated[int | None, typer.Option("--depth", help="layers L of the iterate")] = None,
    q0: Annotated[str | None, typer.Option(
        "--q0", help="input variance of the iterate (default q*)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="write a figure here")] = None,
) -> None:
    """The correlation map c -> c' at q*(sw2, sb2) (seed 000 Eq. (15)), its L-fold iterate and
    the depth-L NNGP kernel q_L c_L, its fixed points with slopes chi_c (stable iff |slope| < 1)
    and chi_c at each point.  JSON keys: c, c_next, c_L (with --depth), fixed_points
    ([{c, slope, stable}]), error (the largest error estimate of c' and c_L), seconds; also
    q_star, chi_c, chi_c_err, c_next_err, c_L_err, kernel_L, q_L."""
    res = correlation_map(act, _number("--sw2", sw2), _number("--sb2", sb2), points=points,
                          depth=depth, q0=None if q0 is None else _number("--q0", q0))
    doc = json_document(res)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        files = correlation_figure(
            out, f"{res.activation}_cmap".replace(" ", "_"), res.c, res.c_next, c_L=res.c_L,
            depth=res.depth, fixed_points=[(p.c, p.slope, p.stable) for p in res.fixed_points],
            title=f"{res.activation}: sw2 = {res.sw2:g}, sb2 = {res.sb2:g}, q* = {res.q_star:.6g}")
        doc["files"] = [str(out.parent / f) for f in files]
    if as_json:
        emit_json(doc)
        return
    table = Table(title=f"correlation map of {res.activation} at sw2={res.sw2:g}, sb2={res.sb2:g}"
                        f" (q* = {res.q_star:.12g})")
    for col in ("fixed point c", "slope chi_c", "stable", "error"):
        table.add_column(col)
    for p in res.fixed_points:
        table.add_row(f"{p.c:.15g}", f"{p.slope:.12g}", str(p.stable), f"{p.error:.1e}")
    Console().print(table)
    idx = np.linspace(0, res.c.size - 1, min(res.c.size, 9)).round().astype(int)
    lines = [f"  c = {res.c[i]:+.4f}  c' = {res.c_next[i]:+.15f}" +
             ("" if res.c_L is None else f"  c_{res.depth} = {res.c_L[i]:+.15f}") for i in idx]
    print("\n".join(lines))
    print(f"max error estimate {res.error:.1e}; {res.seconds:.3f} s"
          + ("".join(f"; files: {', '.join(doc['files'])}" for _ in [0] if "files" in doc)))
