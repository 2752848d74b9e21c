"""Checks on the whole spectrum of J J^T that claims share (issue 13): finite networks against
the free-probability law by the KS distance (jacobian-moments), and the law at the DI point
and on the edge of chaos (beta-max-at-di).

The law comes from :func:`theorycheck.spectra.spectrum` (S-transform equation; its float64 route
in the quick profile), the eigenvalues from :func:`theorycheck.simulate.spectrum.simulate_spectrum`
(tolerance derived there: DKW + (L + 1)/N + the CDF's error).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import mpmath as mp

from theorycheck.claims.declare import ClaimRun
from theorycheck.claims.evidence import passed_if
from theorycheck.claims.model import CheckResult
from theorycheck.meanfield import MeanField
from theorycheck.spectra import SpectrumResult, spectrum

EOC_SB2 = "0.05"


@lru_cache(maxsize=1)
def _tanh_on_the_edge() -> float:
    """sw2 of tanh's EOC at sb2 = 0.05 (MeanField, 20 digits), once per process."""
    return float(MeanField("tanh", dps=20).eoc_sw2(mp.mpf(EOC_SB2)).sw2.value)


def _summary(law: SpectrumResult) -> dict[str, Any]:
    return {"support": [f"{law.support[0]:.6g}", f"{law.support[1]:.10g}"],
            "atoms": [[f"{a:.10g}", f"{m:.10g}"] for a, m in law.atoms],
            **{k: f"{v['value']:.12g}" for k, v in law.moments.items()},
            **{f"{k}_from_density": f"{v['value']:.12g}" for k, v in
               law.density_moments.items()},
            "total_mass": f"{law.normalisation['total']:.12g}",
            "total_mass_err": f"{law.normalisation['error']:.2e}"}


def density_vs_networks(run: ClaimRun) -> CheckResult:
    """The whole density of J J^T against the eigenvalues of finite networks (Gaussian and
    orthogonal weights): KS distance within the derived tolerance."""
    from theorycheck.simulate.spectrum import simulate_spectrum  # lazy: torch

    sw2 = _tanh_on_the_edge()
    cases = [("tanh", sw2, 0.05, 4, "gaussian"), ("tanh", sw2, 0.05, 4, "orthogonal"),
             ("relu", 2.0, 0.0, 3, "gaussian")]
    if not run.quick:
        cases += [("tanh", sw2, 0.05, 16, "gaussian"), ("tanh", sw2, 0.05, 16, "orthogonal"),
                  ("relu", 2.0, 0.0, 3, "orthogonal"), ("erf", 2.0, 0.05, 8, "orthogonal")]
    width, networks = run.pick(400, 800), run.pick(2, 4)
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    figs: list[str] = []
    for name, s2, b2, depth, weights in cases:
        law = spectrum(name, s2, b2, depth, weights=weights, points=300, reference=not run.quick)
        sim = simulate_spectrum(law, name, width=width, samples=networks, seed=run.seed,
                                placement=run.ctx.placement)
        row = {"activation": name, "sw2": f"{s2:.10g}", "sb2": f"{b2:g}", "depth": depth,
               "weights": weights, "width": width, "networks": networks,
               "ks_distance": f"{sim['ks_distance']:.4g}",
               "ks_tolerance": f"{sim['ks_tolerance']:.4g}", "agree": sim["agree"],
               "tolerance_derivation": sim["tolerance_derivation"], **_summary(law)}
        rows.append(row)
        if not sim["agree"]:
            bad.append(row)
        if not figs and run.ctx.figure_dir:
            figs = run.figure("spectrum_density", f"jacobian-moments-{name}-density", law.x,
                              law.density_log_x, atoms=law.atoms, eigenvalues=sim["eigenvalues"],
                              setting=f"{name}, L={depth}, N={width}, {weights}")
    run.outcome.figures.extend(figs)
    return passed_if(
        not bad, "simulation",
        f"{len(rows) - len(bad)}/{len(rows)} finite-network spectra of J J^T agree with the "
        "free-probability density (S-transform, Eq. (60)) in KS distance within the derived "
        "tolerance (tanh on the EOC with Gaussian and orthogonal weights; relu with its atom "
        "1/2 at 0)", {"runs": rows}, counterexample=bad[0] if bad else None, figures=figs)


def spectrum_at_di_and_eoc(run: ClaimRun) -> CheckResult:
    """The law of J J^T for tanh at the DI point (q* = 0: D = I, so orthogonal weights give the
    atom 1 at 1 -- exact isometry -- and Gaussian weights the Fuss-Catalan law of order L) and
    on the EOC at sb2 = 0.05 (q* > 0: the law spreads; its density's moments against (64)-(65))."""
    depth = run.pick(10, 50)
    ref = not run.quick
    di = {w: spectrum("tanh", 1.0, 0.0, depth, weights=w, points=120, reference=ref)
          for w in ("gaussian", "orthogonal")}
    sw2 = _tanh_on_the_edge()
    eoc = {w: spectrum("tanh", sw2, float(EOC_SB2), depth, weights=w, points=120, reference=ref)
           for w in ("gaussian", "orthogonal")}
    fuss = [math.comb((depth + 1) * k, k) / (depth * k + 1) for k in (1, 2, 3)]
    bad = []
    g = di["gaussian"].density_moments
    for k, want in zip(("m1", "m2", "m3"), fuss, strict=True):
        if abs(g[k]["value"] - want) > 1e-8 * want + g[k]["error"]:
            bad.append(f"DI Gaussian {k} = {g[k]['value']:.12g}, Fuss-Catalan {want:.12g}")
    if di["orthogonal"].atoms != [(1.0, 1.0)]:
        bad.append(f"DI orthogonal atoms {di['orthogonal'].atoms}, expected [(1, 1)]")
    for w, law in eoc.items():
        for k in ("m1", "m2"):
            a, b = law.moments[k], law.density_moments[k]
            if abs(a["value"] - b["value"]) > 1e-8 * abs(a["value"]) + a["error"] + b["error"]:
                bad.append(f"EOC {w} {k}: (64)-(65) {a['value']:.12g}, density {b['value']:.12g}")
        if not law.moments["m2"]["value"] > di[w].moments["m2"]["value"]:
            bad.append(f"EOC {w}: m2 not above the DI point's")
    figs: list[str] = []
    if run.ctx.figure_dir:
        for tag, law in (("di", di["gaussian"]), ("eoc", eoc["gaussian"]),
                         ("eoc-orthogonal", eoc["orthogonal"])):
            figs += run.figure("spectrum_density", f"beta-max-at-di-spectrum-{tag}", law.x,
                               law.density_log_x, atoms=law.atoms,
                               setting=f"tanh, {tag}, L={depth}, sw2={law.sw2:.6g}")
    run.outcome.figures.extend(figs)
    ev = {f"di_{w}": _summary(law) for w, law in di.items()}
    ev |= {f"eoc_sb2_{EOC_SB2}_{w}": _summary(law) for w, law in eoc.items()}
    ev["depth"] = depth
    return passed_if(
        not bad, "numeric",
        f"tanh, L = {depth}: at the DI point (q* = 0) orthogonal weights give exactly the atom "
        "1 at 1 and Gaussian weights the Fuss-Catalan moments; on the EOC (sb2 = 0.05) the "
        "law spreads (m2 above the DI point's) with its density's moments equal to (64)-(65)",
        ev, counterexample={"where": bad} if bad else None, figures=figs)
