"""`theorycheck meanfield`, `eoc` and `phase`: the mean-field layer from the command line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import mpmath as mp
import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from theorycheck.cli.app import (
    ActivationArg,
    Sb2Text,
    Sw2Text,
    app,
    dps_option,
    emit_json,
    user_errors,
)
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.enclosure import Enclosure
from theorycheck.meanfield import MeanField, phase_plane
from theorycheck.meanfield.certified import certify_eoc_sb2, certify_eoc_sw2, certify_point
from theorycheck.meanfield.point_arb import compare_routes
from theorycheck.report.phase_figures import eoc_from_plane, plot_plane


def _mf(act: str, dps: int) -> Any:
    return MeanField(act, dps=dps_option(dps, most=200).dps)


def _check_number(name: str, v: str) -> str:
    try:
        x = mp.mpf(v)
    except (ValueError, TypeError):
        raise TheoryCheckError(f"{name} must be a number, got {v!r}") from None
    if not mp.isfinite(x) or x < 0:
        raise TheoryCheckError(f"{name} must be finite and >= 0, got {v}")
    return v


def _add_certified(doc: dict[str, Any], proved: dict[str, Any], digits: int) -> None:
    """``<name>_enclosure: [lo, hi]`` (decimal strings, rounded outward) and
    ``<name>_certified: true`` for every quantity the Arb backend proved; ``certified`` says
    whether all of them were, ``certified_notes`` why one was not."""
    names = []
    for name, value in proved.items():
        if isinstance(value, Enclosure):
            doc[f"{name}_enclosure"] = value.to_json(digits)
            doc[f"{name}_certified"] = True
            names.append(name)
        elif isinstance(value, bool):
            doc[name] = value
    doc["certified"] = bool(names) and not proved.get("notes")
    doc["certified_quantities"] = names
    if proved.get("notes"):
        doc["certified_notes"] = dict(proved["notes"])


def _table(title: str, doc: dict[str, Any]) -> None:
    t = Table(title=title)
    t.add_column("quantity")
    t.add_column("value")
    t.add_column("error")
    for k, v in doc.items():
        if k.endswith(("_err", "_certified")) or k in ("notes", "certified_notes") \
                or isinstance(v, dict):
            continue
        t.add_row(k, "-" if v is None else str(v), str(doc.get(f"{k}_err") or ""))
    Console().print(t)
    for k, why in (doc.get("notes") or {}).items():
        Console().print(f"[dim]{k}: {why}[/dim]")


@app.command()
@user_errors
def meanfield(
    act: ActivationArg,
    sw2: Sw2Text,
    sb2: Sb2Text,
    dps: Annotated[int, typer.Option("--dps", help="decimal digits")] = 30,
    certify: Annotated[bool, typer.Option(
        "--certify", help="also prove enclosures [lo, hi] in ball arithmetic (Arb)")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="also compute the point by the mpmath path (the second method) and "
        "say whether each number agrees within the two stated errors")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """q*, chi1, beta, mu1, mu2, c*, xi_q, xi_c at one (sw2, sb2) (seed 000 Sec. II).

    The numbers are midpoints of Arb enclosures, each error the radius, where that route
    applies (see ``theorycheck.meanfield.point_arb``); else the mpmath path."""
    started = time.perf_counter()
    sw2 = _check_number("--sw2", sw2)
    sb2 = _check_number("--sb2", sb2)
    mf = _mf(act, dps)
    pt = mf.point(sw2, sb2)
    if pt.q_star is None:
        # no usable fixed point: a user-facing failure, with the reason
        why = pt.notes.get("q_star", "no fixed point")
        status = why[1:why.index("]")] if why.startswith("[") else Status.NO_FINITE_FIXED_POINT
        raise TheoryCheckError(why.split("] ", 1)[-1], status=status)
    doc = pt.to_json()
    if certify:
        # the point's own enclosures when it proved all of them, else prove (or refuse) anew
        proved = pt.certified if pt.certified and not pt.certified["notes"] else \
            certify_point(mf.act, sw2, sb2, dps)
        _add_certified(doc, proved, dps)
    if check:
        doc["check"] = compare_routes(pt, mf.point(sw2, sb2, method="mpmath"))
    doc["seconds"] = round(time.perf_counter() - started, 3)
    if as_json:
        emit_json(doc)
    else:
        _table(f"mean field of {mf.name} at sw2={sw2}, sb2={sb2} ({dps} digits)", doc)


@app.command()
@user_errors
def eoc(
    act: Annotated[str, typer.Argument(help="activation name or formula in x")],
    sb2: Annotated[str | None, typer.Option("--sb2", help="bias variance sigma_b^2")] = None,
    sw2: Annotated[str | None, typer.Option(
        "--sw2", help="weight variance sigma_w^2 (instead of --sb2: solve for sb2)")] = None,
    dps: Annotated[int, typer.Option("--dps", help="decimal digits")] = 30,
    certify: Annotated[bool, typer.Option(
        "--certify", help="also prove enclosures [lo, hi] in ball arithmetic (Arb)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """The edge-of-chaos point (chi1 = 1) at bias variance sb2 (or weight variance sw2):
    sw2, sb2, q*, beta, mu1, mu2."""
    started = time.perf_counter()
    if (sb2 is None) == (sw2 is None):
        raise TheoryCheckError("give exactly one of --sb2 and --sw2")
    mf = _mf(act, dps)
    if sb2 is not None:
        sb2 = _check_number("--sb2", sb2)
        e, where = mf.eoc_sw2(sb2), f"sb2={sb2}"
    else:
        sw2 = _check_number("--sw2", str(sw2))
        e, where = mf.eoc_sb2(sw2), f"sw2={sw2}"
    doc = e.to_json()
    if certify:
        proved = certify_eoc_sw2(mf.act, sb2, dps) if sb2 is not None else \
            certify_eoc_sb2(mf.act, sw2, dps)
        _add_certified(doc, proved, dps)
    doc["seconds"] = round(time.perf_counter() - started, 3)
    if as_json:
        emit_json(doc)
    else:
        _table(f"edge of chaos of {mf.name} at {where} ({dps} digits)", doc)


def default_sw2_range(mf: Any) -> tuple[float, float]:
    """0.5x to 4x the EOC's sw2 at sb2 = 0, so the plane shows the critical line (sigmoid's is
    near sw2 = 103); 0.5 to 4 when the activation has no EOC point there."""
    try:
        centre = float(mf.eoc_sw2(0).sw2.value)
    except TheoryCheckError:
        return 0.5, 4.0
    return (0.5 * centre, 4.0 * centre) if centre > 0 else (0.5, 4.0)


@app.command()
@user_errors
def phase(
    act: Annotated[str, typer.Argument(help="activation name or formula in x")],
    grid: Annotated[int, typer.Option("--grid", help="points per axis")] = 200,
    sw2_range: Annotated[tuple[float, float] | None, typer.Option(
        "--sw2-range", help="default: around the activation's EOC at sb2 = 0 "
        "(0.5x to 4x its sw2; 0.5 to 4 when it has none)")] = None,
    sb2_range: Annotated[tuple[float, float], typer.Option("--sb2-range")] = (0.0, 0.5),
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("phase_out"),
) -> None:
    """Planes of q*, chi1, beta, xi_c over (sw2, sb2): an .npz and PNGs with EOC and DI point."""
    if not 2 <= grid <= 2000:
        raise TheoryCheckError(f"--grid must be in 2..2000, got {grid}")
    mf = MeanField(act, dps=15)
    lo, hi = sw2_range if sw2_range is not None else default_sw2_range(mf)
    blo, bhi = sb2_range
    if not (0 < lo < hi) or not (0 <= blo < bhi):
        raise TheoryCheckError("need 0 < sw2 min < sw2 max and 0 <= sb2 min < sb2 max")
    sw2 = np.linspace(lo, hi, grid)
    sb2 = np.linspace(blo, bhi, grid)
    plane = phase_plane(act, sw2, sb2)
    di = mf.di_point()
    out.mkdir(parents=True, exist_ok=True)
    npz = out / f"{plane.activation}_phase.npz"
    np.savez_compressed(npz, **plane.arrays())  # type: ignore[arg-type]
    line = eoc_from_plane(plane)
    files = [str(npz)]
    for qty in ("q_star", "chi1", "beta", "xi_c"):
        p = plot_plane(plane, qty, out / f"{plane.activation}_{qty}.png", eoc=line,
                       di=None if di is None else (di.sw2, di.sb2))
        files.append(str(p))
    emit_json({"activation": plane.activation, "grid": grid, "files": files,
               "no_fixed_point": int(plane.no_fixed_point.sum()),
               "non_unique": int(plane.non_unique.sum()),
               "di_point": None if di is None else [di.sw2, di.sb2],
               "notes": plane.notes})
