"""`theorycheck simulate KIND ACT`: finite random networks against infinite-width theory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from theorycheck.cli.app import ActivationArg, Sb2Value, Sw2Value, app, emit_json, user_errors
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import resolve_placement

KIND_HELP = "variance | correlation | jacobian | input-correlation | mi | kurtosis"


def _floats(name: str, text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise TheoryCheckError(f"{name} must be comma-separated numbers, got {text!r}",
                               status=Status.INVALID_ARGUMENT) from None
    if not vals:
        raise TheoryCheckError(f"{name} is empty", status=Status.INVALID_ARGUMENT)
    return vals


def _ints(name: str, text: str | None) -> list[int] | None:
    vals = _floats(name, text)
    if vals is None:
        return None
    if any(v != int(v) or v < 1 for v in vals):
        raise TheoryCheckError(f"{name} must be positive integers", status=Status.INVALID_ARGUMENT)
    return [int(v) for v in vals]


@app.command()
@user_errors
def simulate(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    act: ActivationArg,
    sw2: Sw2Value,
    sb2: Sb2Value,
    width: Annotated[int | None, typer.Option("--width", help="layer width N")] = None,
    depth: Annotated[int | None, typer.Option("--depth", help="depth L")] = None,
    weights: Annotated[str, typer.Option("--weights", help="gaussian | orthogonal")] = "gaussian",
    samples: Annotated[int | None, typer.Option("--samples",
                                                help="independent network draws")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda | cuda:N")] = "auto",
    precision: Annotated[str, typer.Option("--precision",
                                           help="auto | float32 | float64")] = "auto",
    noise2: Annotated[float, typer.Option("--noise2",
                                          help="variance of noise added before psi")] = 0.0,
    in_dim: Annotated[int | None, typer.Option("--in-dim", help="input dimension N0")] = None,
    method: Annotated[str | None, typer.Option(
        "--method", help="jacobian: auto|exact|probe; kurtosis: weights|marginal")] = None,
    probes: Annotated[int, typer.Option("--probes", help="jacobian probe vectors")] = 64,
    inputs: Annotated[int | None, typer.Option(
        "--inputs", help="inputs per draw (input-correlation, mi)")] = None,
    grid_sw2: Annotated[str | None, typer.Option("--grid-sw2", help="mi: sw2 values, a,b,c")]
    = None,
    grid_sb2: Annotated[str | None, typer.Option("--grid-sb2", help="mi: sb2 values")] = None,
    input_kind: Annotated[str, typer.Option("--inputs-kind", help="mi: stable | unit")]
    = "stable",
    widths: Annotated[str | None, typer.Option("--widths", help="kurtosis: n values")] = None,
    depths: Annotated[str | None, typer.Option("--depths", help="kurtosis: L values")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="write plots and result.json")]
    = None,
) -> None:
    """Measure finite random networks and compare with the infinite-width prediction."""
    from theorycheck.simulate import measure  # lazy: torch (keeps `theorycheck list` fast)

    placement = resolve_placement(device)
    opts: dict[str, Any] = {}
    if kind == "jacobian":
        opts.update(method=method or "auto", probes=probes)
    elif kind == "kurtosis":
        opts.update(method=method or "weights", widths=_ints("--widths", widths),
                    depths=_ints("--depths", depths))
    elif kind == "mi":
        opts.update(sw2_values=_floats("--grid-sw2", grid_sw2),
                    sb2_values=_floats("--grid-sb2", grid_sb2), inputs=inputs,
                    input_kind=input_kind)
    elif kind == "input-correlation":
        opts.update(inputs=inputs)
    elif method is not None:
        raise TheoryCheckError(f"--method does not apply to {kind}",
                               status=Status.INVALID_ARGUMENT)
    m = measure(kind, act, sw2=sw2, sb2=sb2, width=width, depth=depth, weights=weights,
                samples=samples, seed=seed, placement=placement, precision=precision, noise2=noise2,
                in_dim=in_dim, **opts)
    doc = m.to_json()
    if out is not None:
        from theorycheck.simulate.plots import save_plots  # lazy: torch (theorycheck.simulate)

        paths = save_plots(m, out)
        doc["plots"] = [str(p) for p in paths]
        (out / f"simulate_{m.kind}.json").write_text(json.dumps(doc, indent=2))
    if as_json:
        emit_json(doc)
        return
    verdict = "agrees" if m.agree else "DISAGREES"
    typer.echo(f"{m.kind} {m.quantity}: theory {m.theory:.6g}, measured {m.measured:.6g} "
               f"± {m.stderr:.2g} (tolerance {m.tolerance:.2g}) -> {verdict}")
    typer.echo(f"device {m.device}, seed {m.seed}; tolerance: {m.tolerance_derivation}")
    if out is not None:
        typer.echo(f"plots: {', '.join(doc['plots'])}")
