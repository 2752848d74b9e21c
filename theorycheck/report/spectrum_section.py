"""The activation report's Jacobian-spectrum section: the law of J J^T (free probability,
:func:`theorycheck.spectra.spectrum`, float64 route) at the DI point and at one edge-of-chaos
point, with Gaussian and orthogonal weights: support, atoms, m1..m3 with errors, figures."""

from __future__ import annotations

from typing import Any

from theorycheck.claims.model import RunContext
from theorycheck.errors import TheoryCheckError
from theorycheck.report import present
from theorycheck.report.spectrum_figures import spectrum_density
from theorycheck.spectra import SpectrumResult, spectrum

#: network depth of the section, per profile
DEPTH = {"quick": 10, "full": 50}
#: the EOC point shown: the one with sb2 nearest this
EOC_SB2 = 0.05


def _row(where: str, law: SpectrumResult) -> dict[str, Any]:
    row: dict[str, Any] = {"point": where, "weights": law.weights, "L": law.depth,
                           "sw2": f"{law.sw2:.10g}", "sb2": f"{law.sb2:g}",
                           "q_star": f"{law.q_star:.10g}",
                           "support": f"[{law.support[0]:.4g}, {law.support[1]:.6g}]",
                           "atoms": "; ".join(f"{m:.6g} at {a:.6g}" for a, m in law.atoms)
                           or "none"}
    for k, v in law.moments.items():
        row[k], row[f"{k}_err"] = f"{v['value']:.12g}", f"{v['error']:.2e}"
    row["mass"] = f"{law.normalisation['total']:.12g}"
    row["mass_err"] = f"{law.normalisation['error']:.2e}"
    return row


def spectrum_section(act: Any, eoc: dict[str, Any], di: dict[str, Any] | None,
                     ctx: RunContext) -> dict[str, Any]:
    """``{"rows": [...], "figures": [...], "notes": [...]}`` for the report."""
    depth = DEPTH.get(ctx.profile, 10)
    points: list[tuple[str, float, float]] = []
    if di:
        points.append(("DI point", float(di["sw2"]), float(di["sb2"])))
    eoc_points = [p for p in eoc.get("points", []) if float(p["sb2"]) > 0]
    if eoc_points:
        best = min(eoc_points, key=lambda p: abs(float(p["sb2"]) - EOC_SB2))
        points.append((f"EOC, sb2 = {float(best['sb2']):g}", float(best["sw2"]),
                       float(best["sb2"])))
    rows, figs, notes = [], [], []
    stem = "activation_" + present.slug(str(act.name)).replace(".", "_")[:40]
    for where, sw2, sb2 in points:
        for weights in ("gaussian", "orthogonal"):
            ctx.note(f"spectrum of J J^T at {where}, {weights}")
            try:
                law = spectrum(act, sw2, sb2, depth, weights=weights, points=200,
                               reference=False)
            except TheoryCheckError as err:
                notes.append(f"spectrum at {where} ({weights}): [{err.status}] {err.message}")
                continue
            rows.append(_row(where, law))
            tag = "di" if where == "DI point" else "eoc"
            if law.x.size:
                figs += spectrum_density(ctx.figure_dir, f"{stem}_spectrum_{tag}_{weights}",
                                         law.x, law.density_log_x, atoms=law.atoms,
                                         setting=f"{act.name}, {where}, L={depth}, {weights}")
    if not points:
        notes.append("no DI or edge-of-chaos point: no spectrum shown")
    notes.append(f"Jacobian spectrum: S-transform equation (free probability), depth {depth}, "
                 "float64 law of psi'(h)^2 at q*; m1, m2 = seed 000 Eqs. (64)-(65)")
    return {"rows": rows, "figures": figs, "notes": notes}
