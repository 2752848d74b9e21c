r"""beta-max-at-di -- seed 000, Eqs. (56)-(59), Appendix B.

Checks: the symbolic ones of :mod:`theorycheck.claims.symbolic_di` (Stein's lemma and series,
the printed convexity, the variance map near q = 0); the limit by Richardson extrapolation of
mpmath values (a kink at 0 gives the mean of the one-sided derivatives); per activation, whether
q* = 0 attracts every q > 0 at its DI point and how beta approaches 1 along the EOC; a search
over generated odd bounded activations for a DI point where q* = 0 is not attracting (without
the concavity the proof needs; then inside it); finite tanh networks at the DI point.

Source:
    seed 000, Eqs. (56)-(59), Appendix B
Statement:
    (a) lim_{s->0} Int psi(s z) z Dz / s = psi'(0) (Eq. 57, B1-B3); (b) s* -> 0 is a
    stable fixed point only if sw <= 1/psi'(0) and sb = 0 (Eq. 56; psi odd, convex in
    [0, inf), bounded); (c) beta = 1 exactly at (sw, sb) = (1/psi'(0), 0), the
    dynamical-isometry point.
Hypotheses:
    - psi odd
    - psi convex in [0, inf) (as printed)
    - psi bounded
    - lim_{z->inf} psi(z) = c finite
Printed:
    - (\sigma^{(l)})^2 = \int (\sigma^{(l)})^2 z^2 \mathsf{D}z \ge \sigma_w^2 \int \psi(\s
      igma^{(l)} z)^2 \mathsf{D}z \ \text{when } \sigma_w \le 1/\psi'(0) \quad (56)
    - \psi'(0) = \lim_{\sigma^*\to 0} \int \frac{\psi(\sigma^* z)}{\sigma^*} z\, \mathsf{D
      }z \quad (57)
    - \sigma_w = 1/\psi'(0) \quad (58), \qquad \sigma_b = 0 \quad (59)
    - \psi \text{ odd, convex in } [0,\infty] \Rightarrow |\psi'(0)| > |\psi'(z)|,\ z \n
      e 0 \quad \text{(App. B, before (B2))}
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from theorycheck.claims import Check, CheckResult, ClaimRun, Condition, claim
from theorycheck.claims.evidence import (
    dec,
    hypothesis_not_met,
    note,
    passed_if,
    put,
    unstated_condition,
)
from theorycheck.claims.search_checks import search
from theorycheck.claims.spectrum_checks import spectrum_at_di_and_eoc as spectrum_di_eoc
from theorycheck.claims.strategies import generated_activations
from theorycheck.claims.symbolic_di import convexity, map_at_zero, stein_limit
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import expect_mp
from theorycheck.meanfield.eoc_beta import eoc_beta_mp
from theorycheck.meanfield.jumps import continuous_at_zero
from theorycheck.meanfield.search import FastMeanField
from theorycheck.numbers import Estimate, richardson

CONDITION = ("sign(psi'(0)) psi concave on [0, inf) and bounded (so |psi(x)| <= |psi'(0)| |x|), "
             "psi odd and differentiable at 0 -- the source prints 'convex'")
QUICK_RICHARDSON = ("tanh", "erf", "relu", "selu", "sigmoid")


BETA_MAX_AT_DI = claim(
    "beta-max-at-di", __doc__,
    per_activation=True, core=True,
    checks=[  # the symbolic checks live in theorycheck.claims.symbolic_di
        Check("symbolic", "(57): Stein's lemma and series", stein_limit),
        Check("symbolic", "convex vs concave (Sec. IV C, App. B)", convexity),
        Check("symbolic", "variance map at q = 0 (56)", map_at_zero),
    ],
    condition=Condition(
        text=CONDITION, search="sufficiency without concavity",
        inside=Check("property", "sufficiency inside the condition",
                     lambda run: _property(run, inside=True)),
        outside=lambda ce: ce.get("concave_on_positive_signed") == "False",
        finding=lambda ce: unstated_condition(
            "seed 000, Eq. (56)",
            r"\sigma_w \le 1/\psi'(0),\ \sigma_b = 0 \Rightarrow \sigma^{(l)} \to 0",
            r"\text{needs } |\psi(x)| \le |\psi'(0)||x| \text{, e.g. } "
            r"\operatorname{sign}(\psi'(0))\psi \text{ concave on } [0,\infty)",
            f"odd bounded psi = {ce.get('psi')} at its DI point: V(q) - q = "
            f"{ce.get('V(q) - q')} > 0 at q = {ce.get('q')}; q* = 0 does not "
            "attract, so beta -> 1 is not reached there",
            affects_conclusion=True)),
)

@BETA_MAX_AT_DI.check("numeric", "(57) by Richardson extrapolation")
def _limit_numeric(run: ClaimRun) -> CheckResult:
    """Eq. (57) by Richardson extrapolation of mpmath values of E[psi(s z) z]/s, s -> 0."""
    acts = run.activations()
    chosen = acts if not run.quick or run.ctx.activations else \
        [a for a in acts if a.name in QUICK_RICHARDSON]
    ks = list(range(2, run.pick(7, 12)))
    rows: dict[str, Any] = {}
    bad: list[dict[str, str]] = []
    for act in continuous_at_zero(chosen, "(57)"):
        props = act.properties
        p = act.mpmath(0)
        kinks = [float(k) for k in act.kinks]
        # smooth at 0: a series in s^2 (odd Taylor terms survive); a kink at 0: every power of s
        smooth0 = not any(float(k) == 0.0 for k in act.kinks)
        hs, vals = [], []
        with mp.workdps(run.dps + 10):
            for k in ks:
                s_k = mp.mpf(2) ** -k
                e = expect_mp(lambda u, p=p: u * p(u), s_k * s_k, dps=run.dps + 5,
                              breakpoints=kinks)
                hs.append(s_k * s_k if smooth0 else s_k)
                vals.append(e.value / (s_k * s_k))
            lim = Estimate(*richardson(hs, vals, 1), "Richardson extrapolation in h^1")
            left, right = mp.mpf(sp.N(props.dpsi0_left, run.dps + 10)), \
                mp.mpf(sp.N(props.dpsi0_right, run.dps + 10))
            target = (left + right) / 2
            err = lim.error + mp.mpf(10) ** (-run.dps)
            agrees = abs(lim.value - target) <= 10 * err
        row: dict[str, Any] = {"s_values": f"2^-{ks[0]} .. 2^-{ks[-1]}",
                               "extrapolated_in": "s^2" if smooth0 else "s",
                               "psi_prime_0": "undefined" if props.dpsi0 is None else
                               sp.sstr(props.dpsi0),
                               "one_sided": f"({sp.sstr(props.dpsi0_left)}, "
                                            f"{sp.sstr(props.dpsi0_right)})"}
        put(row, "limit", lim.value, err, run.dps)
        row["limit_equals"] = ("psi'(0)" if props.dpsi0 is not None else
                               "mean of one-sided derivatives") if agrees else "NEITHER"
        rows[act.name] = row
        run.outcome.per_activation.setdefault(act.name, {})["limit_57"] = row
        if props.dpsi0 is None:
            run.finding(hypothesis_not_met(
                "seed 000, Eq. (57) / App. B",
                r"\lim_{\sigma^*\to 0}\int \psi(\sigma^* z) z\,\mathsf{D}z/\sigma^* = "
                r"\psi'(0)",
                r"= \tfrac12(\psi'(0^-)+\psi'(0^+)) \text{ when } \psi' \text{ jumps"
                r" at } 0",
                f"{act.name}: psi'(0) undefined (one-sided {row['one_sided']}); "
                f"Richardson limit {row['limit']} +- {row['limit_err']}"))
        if not agrees:
            bad.append({"activation": act.name, "limit": row["limit"],
                        "expected": dec(target, 20)})
    return passed_if(
        not bad, "numeric",
        f"Richardson extrapolation of E[psi(s z) z]/s over s = 2^-{ks[0]}..2^-{ks[-1]} "
        f"(mpmath, {run.dps} digits) for {len(rows)} activation(s): the limit is psi'(0) "
        "where psi' is continuous at 0, the mean of the one-sided derivatives where it "
        "jumps" + ("" if not bad else f"; MISMATCH {bad[0]}"),
        {"per_activation": rows,
         "activations": "quick-profile subset" if len(chosen) < len(acts) else "all"},
        counterexample=bad[0] if bad else None)


@BETA_MAX_AT_DI.check("numeric",
                      "DI point per activation: attraction of q* = 0, beta along the EOC")
def _di_numeric(run: ClaimRun) -> CheckResult:
    """Per activation: hypotheses, global attraction of q* = 0 at its DI point, beta along the
    EOC as q -> 0 (float64), confirmed for tanh with mpmath (Eqs. (56)-(59))."""
    acts = run.activations()
    rows: dict[str, Any] = {}
    inside_bad: list[dict[str, str]] = []
    q_eoc = np.logspace(-1, -4, run.pick(7, 13))
    for act in acts:
        props = act.properties
        row: dict[str, Any] = {
            "odd": props.parity == "odd", "bounded": props.bounded,
            "convex_on_positive (printed hypothesis)": props.convex_on_positive,
            "concave_on_positive": props.concave_on_positive}
        row["meets_printed_hypotheses"] = bool(row["odd"] and props.bounded
                                               and props.convex_on_positive)
        d0 = props.dpsi0
        if props.psi0 != 0 or d0 is None or d0 == 0:
            row["di_point"] = ("none: psi(0) != 0" if props.psi0 != 0 else
                               "none: psi'(0) undefined" if d0 is None else "none: psi'(0) = 0")
            rows[act.name] = row
            continue
        d = float(d0)
        sw2 = 1.0 / (d * d)
        row["di_point"] = f"({sw2:.15g}, 0)"
        fmf = FastMeanField(act, kinks=[float(k) for k in act.kinks], q_lo=1e-6, q_hi=1e4,
                            n_q=run.pick(200, 600))
        p, dp = fmf.psi, fmf.dpsi
        # V(q) - q = sw2 E[psi^2 - psi'(0)^2 u^2] at sw2 = 1/psi'(0)^2 (one integrand, no
        # cancellation between V(q) and q)
        (gap,), (gerr,) = fmf.expect([lambda u, zz, p=p, d=d: p(u) ** 2 - d * d * u * u],
                                     fmf.q)
        rel, tol = sw2 * gap / fmf.q, sw2 * gerr / fmf.q + 1e-13
        above, below = rel > tol, rel < -tol
        # attracting: V(q) < q for all q > 0 -- no q resolved above the identity, and the map is
        # not the identity (a q-range where V(q) = q to the resolution would be a continuum)
        attracting = bool(not above.any() and below.any())
        worst = int(np.argmax(rel))
        row["q_star_0_attracts_all_q"] = attracting
        row["q_grid_points_above_identity"] = int(above.sum())
        row["q_grid_points_at_identity_to_resolution"] = int((~above & ~below).sum())
        row["max_(V(q)-q)/q"] = dec(float(rel[worst]), 6) + f" at q = {fmf.q[worst]:.4g}"
        # along the EOC: sw2(q) = 1/E psi'^2, sb2(q) = q - sw2(q) E psi^2, beta = sw E psi'
        (m1, g2, m2), _ = fmf.expect([lambda u, zz, dp=dp: dp(u),
                                      lambda u, zz, p=p: p(u) ** 2,
                                      lambda u, zz, dp=dp: dp(u) ** 2], q_eoc)
        sw2_q = 1 / m2
        sb2_q = q_eoc - sw2_q * g2
        beta_q = np.sqrt(sw2_q) * m1
        row["eoc_q"] = [f"{v:.3g}" for v in q_eoc]
        row["eoc_sb2"] = [f"{v:.6g}" for v in sb2_q]
        row["eoc_one_minus_beta"] = [f"{v:.6g}" for v in 1 - beta_q]
        row["eoc_beta_increasing_as_q_to_0"] = bool(np.all(np.diff(beta_q) > -1e-14))
        row["eoc_reaches_DI_with_sb2_ge_0"] = bool(np.all(sb2_q >= -1e-14))
        inside = bool(row["odd"] and props.bounded and props.concave_on_positive)
        row["meets_corrected_hypotheses"] = inside
        if inside and not attracting:
            inside_bad.append({"activation": act.name, **{k: str(v) for k, v in row.items()
                                                          if k.startswith("max")}})
        rows[act.name] = row
        run.outcome.per_activation.setdefault(act.name, {})["di_point"] = row
    # mpmath along the EOC for tanh (or the first activation with a DI point)
    tanh = next((a for a in acts if a.name == "tanh"), None) or next(
        (a for a in acts if "q_star_0_attracts_all_q" in rows.get(a.name, {})), None)
    ev: dict[str, Any] = {"per_activation": rows}
    if tanh is not None:
        qs, betas, lim = eoc_beta_mp(tanh, range(2, run.pick(6, 10)), run.dps)
        put(ev, f"{tanh.name}_beta_limit_at_DI_along_EOC", lim.value, lim.error, run.dps)
        ev[f"{tanh.name}_eoc_beta_mp"] = {dec(qv, 6): dec(b, run.dps) for qv, b in
                                          zip(qs, betas, strict=True)}
        run.finding(note(
            "seed 000, Eqs. (57)-(59)",
            r"\beta = 1 \text{ at } (\sigma_w, \sigma_b) = (1/\psi'(0), 0)",
            r"q^* = 0 \text{ there, so } \beta \text{ (38) is } 0/0; \ \beta \to 1 "
            r"\text{ as a limit (57), e.g. along the EOC as } q^* \to 0",
            f"{tanh.name}: beta on the EOC at q* = 2^-4 .. : "
            f"{list(ev[f'{tanh.name}_eoc_beta_mp'].values())[:3]} ...; "
            f"Richardson limit {ev[f'{tanh.name}_beta_limit_at_DI_along_EOC']}"))
    outside_printed = [k for k, r in rows.items() if r.get("q_star_0_attracts_all_q")
                       and not r["meets_printed_hypotheses"]]
    if outside_printed:
        run.finding(hypothesis_not_met(
            "seed 000, Sec. IV C (before Eq. (56))",
            r"\psi \text{ odd, convex in } [0,\infty],\ \lim_{z\to\infty}\psi(z) = c",
            r"\psi \text{ odd, concave in } [0,\infty) \text{ and bounded}",
            f"{', '.join(outside_printed)}: do not meet the printed hypotheses (not "
            "convex on [0, inf), or not odd), yet q* = 0 attracts every q at their DI "
            "point; the source's own example tanh is concave there"))
    ok = not inside_bad
    n_attr = sum(1 for r in rows.values() if r.get("q_star_0_attracts_all_q"))
    n_di = sum(1 for r in rows.values() if "q_star_0_attracts_all_q" in r)
    n_printed = sum(1 for r in rows.values() if r["meets_printed_hypotheses"])
    return passed_if(
        ok, "numeric",
        f"{n_di} activation(s) have a DI point; q* = 0 attracts every q in [1e-6, 1e4] "
        f"at it for {n_attr}; every activation meeting the corrected hypotheses (odd, "
        f"bounded, concave on [0, inf)) is among them: {ok}; {n_printed} built-in(s) meet "
        "the printed ones (convex)",
        ev,
        counterexample=inside_bad[0] if inside_bad else None)


# -- property ------------------------------------------------------------------------------------
def _not_attracting(gen: Any, dps: int) -> dict[str, str] | None:
    """At psi's DI point: a q > 0 with V(q) >= q (q* = 0 does not attract it), confirmed with
    mpmath; None when V(q) < q on the whole grid."""
    d0 = gen.dpsi0
    if d0 is None or d0 == 0:
        raise TheoryCheckError("no DI point", status=Status.INVALID_ARGUMENT)
    d = float(d0)
    act = gen.activation()
    fmf = FastMeanField(act, kinks=gen.kink_points, q_lo=1e-4, q_hi=1e3, n_q=80)
    p = fmf.psi
    (gap,), (gerr,) = fmf.expect([lambda u, zz: p(u) ** 2 - d * d * u * u], fmf.q)
    cand = np.flatnonzero(gap > gerr + 1e-12 * fmf.q)
    if cand.size == 0:
        return None
    pm = act.mpmath(0)
    qv = float(fmf.q[cand[np.argmax(gap[cand] / fmf.q[cand])]])
    with mp.workdps(dps + 10):
        dm = mp.mpf(sp.N(d0, dps + 10))
        e = expect_mp(lambda u: pm(u) ** 2 - dm * dm * u * u, qv, dps=dps,
                      breakpoints=gen.kink_points)
        if e.value <= e.error:
            return None
        return {"psi": gen.formula, "dpsi0": sp.sstr(d0), "sw2": dec(1 / dm**2, 15),
                "sb2": "0", "q": f"{qv:.6g}",
                "V(q) - q": dec(e.value / dm**2, 12), "V(q) - q_err": dec(e.error / dm**2, 3)}


def _concave_signed(gen: Any) -> bool:
    """sign(psi'(0)) psi'' <= 0 on (0, 60] (a dense grid; numeric)."""
    act = gen.activation()
    x = np.concatenate([np.logspace(-6, 0, 200), np.linspace(1, 60, 600)])
    sgn = 1.0 if float(gen.dpsi0) > 0 else -1.0
    d2 = sgn * np.asarray(act.numpy(2)(x), dtype=float)
    return bool(np.all(d2 <= 1e-12 * (1 + np.abs(d2).max())))


def _property(run: ClaimRun, *, inside: bool) -> CheckResult:
    """A hypothesis search over generated odd bounded activations for a DI point where q* = 0
    does not attract every q (Eq. (56)); ``inside``: only signed-concave ones (the condition)."""
    space = generated_activations(odd=True, bounded=True, max_terms=2)
    notes = {"outside_condition": 0}

    def holds(gen: Any) -> bool:
        if inside and not _concave_signed(gen):
            notes["outside_condition"] += 1
            return True
        return _not_attracting(gen, 20) is None

    statement = ("at the DI point (1/psi'(0)^2, 0) of a generated odd bounded activation" +
                 (" with sign(psi'(0)) psi concave on [0, inf)" if inside else "") +
                 ", V(q) < q for every q > 0 (q* = 0 attracts every input variance)")
    found = search(statement, space, holds, max_examples=run.pick(60, 500), seed=run.seed)
    if inside:
        found.evidence["examples_outside_condition"] = notes["outside_condition"]
    if found.example is None:
        return found.passed()
    ce = _not_attracting(gen := found.example, max(run.dps, 20)) or {}
    ce.update(gen.describe())
    ce["concave_on_positive_signed"] = str(_concave_signed(gen))
    return found.failed(f"{statement}: shrunk counterexample psi = {gen.formula}: "
                        f"V(q) - q = {ce.get('V(q) - q')} > 0 at q = {ce.get('q')} -- "
                        "q* = 0 is not globally attracting at its DI point", ce)




@BETA_MAX_AT_DI.check("property", "sufficiency without concavity")
def _sufficiency(run: ClaimRun) -> CheckResult:
    """The search of :func:`_property` over every odd bounded activation, concave or not."""
    return _property(run, inside=False)
# -- simulation ----------------------------------------------------------------------------------
@BETA_MAX_AT_DI.check("simulation", "tanh networks at the DI point")
def _simulation(run: ClaimRun) -> CheckResult:
    """Finite tanh networks at the DI point (1, 0): the layer variance follows the map down."""
    from theorycheck.simulate import measure  # lazy: torch

    depth = run.pick(16, 48)
    res = measure("variance", "tanh", sw2=1.0, sb2=0.0, width=run.pick(128, 512), depth=depth,
                  samples=run.pick(32, 128), seed=run.seed, placement=run.ctx.placement, q0=1.0)
    layers = res.extra.get("layers", {})
    th, me = np.asarray(layers.get("theory", [])), np.asarray(layers.get("measured", []))
    ev = {"layers": depth, "q_theory_first_last": f"{th[0]:.6g} .. {th[-1]:.6g}",
          "q_measured_first_last": f"{me[0]:.6g} .. {me[-1]:.6g}",
          "tolerance_derivation": res.tolerance_derivation, "agree_all_layers": res.agree,
          "decreasing": bool(np.all(np.diff(me) < 0))}
    ok = bool(res.agree and np.all(np.diff(me) < 0))
    return passed_if(
        ok, "simulation",
        f"tanh at its DI point (1, 0), q0 = 1: the layer variance falls from "
        f"{me[0]:.4g} to {me[-1]:.4g} over {depth} layers, following the map "
        f"(q^l ~ 1/(2l)) within the derived tolerance: {res.agree}",
        ev, counterexample=None if ok else ev)
BETA_MAX_AT_DI.check("numeric", "J J^T spectrum at the DI point, on the EOC")(spectrum_di_eoc)
