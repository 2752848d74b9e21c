"""The "property-test a new activation" report: what is known about psi, its edge of chaos and
dynamical-isometry point, its phase planes, its correlation maps with their iterates, and the
verdict of every per-activation claim.

:func:`build_activation_report` computes it (writing figures into ``ctx.figure_dir`` when set);
``ReportStaging.commit_activation`` / :func:`~theorycheck.report.write_activation_report` write
it. The document is plain JSON (``activation.json``): numbers as decimal strings, ``*_err``
beside them, and the ``run``/``claims`` parts exactly as ``claims.runner.run`` returns them.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sympy as sp

from theorycheck import __version__, meanfield
from theorycheck.activations import Activation, get_activation
from theorycheck.claims.model import RunContext
from theorycheck.claims.registry import discover
from theorycheck.claims.runner import package_versions, run
from theorycheck.errors import TheoryCheckError
from theorycheck.meanfield import cmap
from theorycheck.meanfield.eoc import di_reason
from theorycheck.report import figures, present
from theorycheck.report.spectrum_section import spectrum_section

#: sb2 values of the EOC table, per profile
EOC_SB2 = {"quick": (0.0, 0.05, 0.1, 0.2, 0.5, 1.0),
           "full": (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0)}
#: phase-plane grid size (sw2 points, sb2 points), per profile
PLANE_GRID = {"quick": (81, 51), "full": (201, 121)}
#: correlation maps: (points on [-1, 1], depth of the drawn iterate), per profile
CMAP_GRID = {"quick": (201, 20), "full": (401, 50)}


def _jsonable(value: Any) -> Any:
    """SymPy objects as strings, non-finite floats as ``"inf"``/``"-inf"``/``"nan"`` strings
    (a property such as an unbounded variance limit, never a computed result), tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, sp.Basic):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def describe_activation(act: Any) -> dict[str, Any]:
    """Name, formula (text and LaTeX) and the decided properties of ``act``, each with how it
    was decided (symbolic / numeric)."""
    props = act.properties
    values = props.as_dict() if hasattr(props, "as_dict") else dict(vars(props))
    decided = dict(values.pop("decided_by", {}) or {})
    groups = {"dpsi0_left": "dpsi0", "dpsi0_right": "dpsi0", "limit_neg": "limits",
              "limit_pos": "limits", "growth_neg": "growth", "growth_pos": "growth",
              "gaussian_c": "growth"}
    properties = {name: {"value": _jsonable(v),
                         "decided_by": decided.get(name, decided.get(groups.get(name, ""), ""))}
                  for name, v in values.items()}
    return {"name": str(act.name), "formula": str(getattr(act, "formula", act.expr)),
            "latex": sp.latex(act.expr), "builtin": bool(getattr(act, "builtin", False)),
            "properties": properties}


def eoc_section(mf: Any, sb2_values: Sequence[float],
                note: Callable[[str], None]) -> dict[str, Any]:
    """EOC points ``sw2(sb2)`` at the run's precision; a value of ``sb2`` without a point is
    listed with the reason (``no-root-in-range``, ``no-finite-fixed-point``, ...)."""
    points, errors = [], []
    for sb2 in sb2_values:
        note(f"edge of chaos at sb2 = {sb2:g}")
        try:
            record = mf.eoc_sw2(sb2).to_json()
        except TheoryCheckError as err:
            errors.append({"sb2": f"{sb2:g}", "status": str(err.status), "message": err.message})
            continue
        notes = record.pop("notes", {}) or {}
        record.pop("activation", None)
        record.pop("dps", None)
        order = ["sb2", "sb2_err", "sw2", "sw2_err"]
        points.append({k: record[k] for k in order if k in record}
                      | {k: v for k, v in record.items() if k not in order})
        errors.extend({"sb2": f"{sb2:g}", "status": "note", "message": f"{k}: {v}"}
                      for k, v in notes.items())
    return {"points": points, "errors": errors}


def di_section(act: Any, mf: Any, dps: int) -> tuple[dict[str, Any] | None, str]:
    """The dynamical-isometry point ``(1/psi'(0)^2, 0)``, exact where SymPy gives ``psi'(0)``;
    or None and the reason."""
    point = mf.di_point()
    if point is None:
        return None, di_reason(mf) or "no dynamical-isometry point"
    out: dict[str, Any] = {"sw2": f"{point.sw2!r}", "sb2": f"{point.sb2!r}"}
    dpsi0 = getattr(act.properties, "dpsi0", None)
    if isinstance(dpsi0, sp.Expr) and dpsi0 != 0:
        exact = sp.simplify(1 / dpsi0**2)
        out = {"sw2": str(exact) if exact.is_Rational else str(sp.N(exact, dps)),
               "sw2_exact": str(exact), "sb2": "0"}
    return out, getattr(point, "reason", "")


def plane_section(act: Any, eoc: dict[str, Any], di: dict[str, Any] | None, ctx: RunContext,
                  sb2_max: float) -> tuple[list[str], list[str]]:
    """Phase planes of ``beta`` and ``chi1`` (float64 grid engine) with the mpmath EOC points and
    the DI point drawn on them; returns (figure paths, notes)."""
    eoc_sw2 = [float(p["sw2"]) for p in eoc["points"]]
    sw2_max = max([2.0, *(1.25 * s for s in eoc_sw2),
                   *([1.25 * float(di["sw2"])] if di else [])])
    n_sw2, n_sb2 = PLANE_GRID[ctx.profile]
    sw2 = np.linspace(sw2_max / n_sw2, sw2_max, n_sw2)
    sb2 = np.linspace(0.0, sb2_max, n_sb2)
    ctx.note(f"phase plane {n_sw2} x {n_sb2}")
    try:
        plane = meanfield.phase_plane(act, sw2, sb2, with_xi_c=False)  # xi_c is not drawn
    except TheoryCheckError as err:
        return [], [f"phase planes: [{err.status}] {err.message}"]
    line = ((eoc_sw2, [float(p["sb2"]) for p in eoc["points"]]) if len(eoc_sw2) > 1 else None)
    dipt = (float(di["sw2"]), float(di["sb2"])) if di else None
    stem = "activation_" + present.slug(str(act.name)).replace(".", "_")[:40]
    paths = figures.beta_plane(ctx.figure_dir, f"{stem}_beta", plane.sw2, plane.sb2,
                               np.asarray(plane.beta), eoc=line, di=dipt,
                               activation=str(act.name))
    paths += figures.plane(ctx.figure_dir, f"{stem}_chi1", plane.sw2, plane.sb2,
                           np.asarray(plane.chi1), label=r"$\chi_1$", eoc=line, di=dipt,
                           title=rf"$\chi_1(\sigma_w^2, \sigma_b^2)$, {act.name}", levels=(1.0,))
    notes = [f"phase planes: float64 grid engine, {n_sw2} x {n_sb2} points; blank where no "
             "unique stable q* exists; contours of the plane itself, EOC line from the "
             f"{ctx.dps}-digit points above"]
    notes += [f"phase planes: {k}: {v}" for k, v in (getattr(plane, "notes", {}) or {}).items()]
    return paths, notes


def correlation_section(act: Any, eoc: dict[str, Any], ctx: RunContext
                 ) -> tuple[list[str], list[str]]:
    """The correlation map c -> c' with its depth-L iterate (meanfield.cmap) at an EOC point
    with sb2 > 0 and at 0.8x (ordered) and 1.25x (chaotic) its sw2; (figure paths, notes)."""
    pts = [p for p in eoc.get("points", []) if float(p["sb2"]) > 0]
    if not pts:
        return [], ["correlation maps: no edge-of-chaos point with sb2 > 0 to draw them at"]
    eoc_pt = min(pts, key=lambda p: abs(float(p["sb2"]) - 0.05))
    sw2, sb2 = float(eoc_pt["sw2"]), float(eoc_pt["sb2"])
    n_points, depth = CMAP_GRID[ctx.profile]
    stem = "activation_" + present.slug(str(act.name)).replace(".", "_")[:40]
    paths: list[str] = []
    notes: list[str] = []
    for label, factor in (("ordered", 0.8), ("edge of chaos", 1.0), ("chaotic", 1.25)):
        ctx.note(f"correlation map ({label})")
        try:
            res = cmap.correlation_map(act, factor * sw2, sb2, points=n_points, depth=depth)
        except TheoryCheckError as err:
            notes.append(f"correlation map ({label}, sw2 = {factor * sw2:.6g}, sb2 = {sb2:g}):"
                         f" [{err.status}] {err.message}")
            continue
        fps = ", ".join(f"c = {p.c:.12g} (slope {p.slope:.10g}, "
                        f"{'stable' if p.stable else 'unstable'})" for p in res.fixed_points)
        paths += figures.correlation_figure(
            ctx.figure_dir, f"{stem}_cmap_{label.replace(' ', '_')}", res.c, res.c_next,
            c_L=res.c_L, depth=depth, fixed_points=[(p.c, p.slope, p.stable)
                                                    for p in res.fixed_points],
            title=f"{act.name}, {label}: sw2 = {res.sw2:.6g}, sb2 = {sb2:g}")
        notes.append(f"correlation map ({label}, sw2 = {res.sw2:.10g}, sb2 = {sb2:g}, q* = "
                     f"{res.q_star:.12g}): fixed points {fps}; {n_points} points and the "
                     f"{depth}-layer iterate, max error estimate {res.error:.1e}")
    return paths, notes


def per_activation_claim_ids() -> list[str]:
    """Ids of the registered claims that take a user activation (``per_activation=True``)."""
    return [c.id for c in discover().values() if c.per_activation]


def run_metadata(ctx: RunContext, started: str) -> dict[str, Any]:
    """The ``run`` block for an activation report that ran no claim (same keys as the runner's)."""
    return {"version": __version__, "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"), "profile": ctx.profile,
            "dps": ctx.dps, "seed": ctx.seed, "device": ctx.device,
            "device_name": ctx.device_name, "activations": [a.name for a in ctx.activations],
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": package_versions()}


def build_activation_report(activation: str | Activation, ctx: RunContext, *,
                            claim_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """Everything the activation report shows, for ``activation`` (a built-in name or a formula).

    ``ctx.activations`` is replaced by ``(activation,)``; ``claim_ids`` defaults to every claim
    registered with ``per_activation=True``. Raises :class:`TheoryCheckError` for an unknown or
    unsafe activation.
    """
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    act = get_activation(activation)
    ctx.activations = (act,)
    ctx.note(f"properties of {act.name}")
    report: dict[str, Any] = {"activation": describe_activation(act), "notes": [],
                              "figures": []}
    mf = meanfield.MeanField(act, dps=ctx.dps)
    sb2_values = EOC_SB2[ctx.profile]
    report["eoc"] = eoc_section(mf, sb2_values, ctx.note)
    report["di_point"], report["di_note"] = di_section(act, mf, ctx.dps)
    paths, notes = plane_section(act, report["eoc"], report["di_point"], ctx,
                                 max(sb2_values) or 1.0)
    report["figures"] += paths
    report["notes"] += notes
    report["spectrum"] = spectrum_section(act, report["eoc"], report["di_point"], ctx)
    paths, notes = correlation_section(act, report["eoc"], ctx)
    report["figures"] += paths
    report["notes"] += notes
    ids = list(per_activation_claim_ids() if claim_ids is None else claim_ids)
    if ids:
        results = run(ids, ctx, on_claim=lambda c, r: ctx.note(
            f"claim {c.id}" + (f": {r['verdict']}" if r else "")))
        report["run"], report["claims"] = results["run"], results["claims"]
    else:
        report["run"], report["claims"] = run_metadata(ctx, started), []
        report["notes"].append("no registered claim takes a user activation (per_activation)")
    report["seconds"] = round(time.perf_counter() - t0, 2)
    return report


__all__ = ["build_activation_report", "correlation_section", "describe_activation",
           "per_activation_claim_ids"]
