"""`theorycheck spectrum ACT`: the spectral law of J J^T at the fixed point (free probability),
optionally against the eigenvalues of finite networks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from theorycheck.cli.app import ActivationArg, Sb2Value, Sw2Value, app, emit_json, user_errors
from theorycheck.placement import resolve_placement
from theorycheck.report.jsonsafe import json_safe
from theorycheck.report.spectrum_figures import spectrum_density
from theorycheck.spectra import spectrum as spectral_law


@app.command()
@user_errors
def spectrum(
    act: ActivationArg,
    sw2: Sw2Value,
    sb2: Sb2Value,
    depth: Annotated[int, typer.Option("--depth", help="depth L")],
    weights: Annotated[str, typer.Option("--weights", help="gaussian | orthogonal")] = "gaussian",
    points: Annotated[int, typer.Option("--points", help="log-spaced density points")] = 400,
    simulate: Annotated[bool, typer.Option("--simulate",
                                           help="add finite networks' eigenvalues")] = False,
    width: Annotated[int, typer.Option("--width", help="--simulate: layer width N")] = 400,
    samples: Annotated[int, typer.Option("--samples", help="--simulate: networks")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda | cuda:N")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="write the figure and spectrum.json")]
    = None,
) -> None:
    """The spectral density of J J^T (its support, atoms and moments m1..m3) at q*."""
    result = spectral_law(act, sw2, sb2, depth, weights=weights, points=points)
    eigenvalues = None
    if simulate:
        from theorycheck.simulate.spectrum import simulate_spectrum  # lazy: torch

        sim = simulate_spectrum(result, act, width=width, samples=samples, seed=seed,
                                placement=resolve_placement(device))
        eigenvalues = sim["eigenvalues"]
        result.simulation = sim
    doc = result.to_dict()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        setting = f"{result.activation}, L={depth}, {weights}" + (
            f", N={width}" if simulate else "")
        doc["figures"] = spectrum_density(out, "spectrum", result.x, result.density_log_x,
                                          atoms=result.atoms, eigenvalues=eigenvalues,
                                          setting=setting)
        (out / "spectrum.json").write_text(json.dumps(json_safe(doc)[0], indent=2))
    if as_json:
        emit_json(doc)
        return
    typer.echo(result._repr_markdown_())
    if out is not None:
        typer.echo(f"figures: {', '.join(doc['figures'])} (in {out})")
