"""beta-max-at-di -- seed 000, Eqs. (56)-(59), Appendix B.

(a) Eq. (57)/(B1)-(B3): lim_{s->0} E[psi(s z) z]/s = psi'(0).  (b) s* -> 0 is a stable fixed
point only if sw <= 1/psi'(0) and sb = 0 (Eq. 56; stated for psi odd, "convex in [0, inf)",
bounded).  (c) beta = 1 at the dynamical-isometry point (sw2, sb2) = (1/psi'(0)^2, 0).

Checks: the limit by Stein's lemma and series (SymPy) and by Richardson extrapolation of
mpmath values (relu-type kinks give the mean of the one-sided derivatives); the variance map
near q = 0 (slope sw2 psi'(0)^2; at the DI point the q^2 coefficient
(3 psi''(0)^2/4 + psi'(0) psi'''(0))/psi'(0)^2 decides local stability); the printed convexity
hypothesis and App. B's "convex => |psi'(0)| > |psi'(z)|" against SymPy; for every activation,
whether q* = 0 attracts every q > 0 at its DI point and how beta approaches 1 along the edge
of chaos; a hypothesis search over generated odd bounded activations for a DI point where
q* = 0 is not attracting (sufficiency without the concavity the proof needs), and the same
search inside the corrected hypothesis; and finite tanh networks at the DI point.
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from proofs._shared import (
    FastMeanField,
    activations_for,
    dec,
    external,
    need,
    need_attr,
    put,
    richardson,
    step,
)
from theorycheck.claims import CheckResult, ClaimOutcome, Finding, RunContext, claim
from theorycheck.claims.checks import guarded, search_counterexample
from theorycheck.errors import Status, TheoryCheckError

CONDITION = ("sign(psi'(0)) psi concave on [0, inf) and bounded (so |psi(x)| <= |psi'(0)| |x|), "
             "psi odd and differentiable at 0 -- the source prints 'convex'")
NONSMOOTH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.DiracDelta)
QUICK_RICHARDSON = ("tanh", "erf", "relu", "selu", "sigmoid")


def _gauss_moment(n: int) -> sp.Integer:
    """E z^n for z ~ N(0, 1): 0 for odd n, (n-1)!! for even n."""
    return sp.Integer(0) if n % 2 else sp.factorial2(n - 1)


# -- symbolic ------------------------------------------------------------------------------------
def _symbolic_limit(acts: list[Any]) -> CheckResult:
    x, s, z = sp.Symbol("x", real=True), sp.Symbol("s", positive=True), sp.Symbol("z", real=True)
    gauss = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    steps = []
    # Stein's lemma on a test polynomial: E[psi(s z) z] = s E[psi'(s z)]
    poly = x**3 - 2 * x**2 + x
    lhs = sp.integrate(poly.subs(x, s * z) * z * gauss, (z, -sp.oo, sp.oo))
    rhs = s * sp.integrate(sp.diff(poly, x).subs(x, s * z) * gauss, (z, -sp.oo, sp.oo))
    stein_ok = sp.simplify(lhs - rhs) == 0
    steps.append(step(r"\mathbb{E}[\psi(sz)z] = s\,\mathbb{E}[\psi'(sz)]",
                      f"Stein's lemma (absolutely continuous psi of polynomial growth); SymPy on "
                      f"psi = {poly}: both sides {sp.simplify(lhs)}", stein_ok))
    steps.append(step(r"\lim_{s\to 0}\mathbb{E}[\psi'(sz)] = \tfrac12(\psi'(0^-)+\psi'(0^+))",
                      "dominated convergence (|psi'| of polynomial growth); = psi'(0) when psi' is"
                      " continuous at 0 -- the hypothesis App. B needs, not convexity", True))
    # series of E[psi(s z) z]/s for smooth activations: sum_{k odd} psi^(k)(0) s^(k-1) E z^(k+1)/k!
    series: dict[str, str] = {}
    ok = stein_ok
    for act in acts:
        expr = act.expr
        if expr.has(*NONSMOOTH):
            continue
        d = [sp.simplify(act.derivative(k).subs(act.x, 0)) for k in (1, 3, 5)]
        r = sum(d[i] * s ** (k - 1) * _gauss_moment(k + 1) / sp.factorial(k)
                for i, k in enumerate((1, 3, 5)))
        series[act.name] = sp.sstr(r) + " + O(s^6)"
        ok &= sp.simplify(r.subs(s, 0) - d[0]) == 0
    # relu: the limit is 1/2, psi'(0) does not exist
    relu = sp.integrate(sp.Max(s * z, 0) * z * gauss, (z, -sp.oo, sp.oo)) / s
    relu = sp.simplify(relu)
    steps.append(step(sp.Eq(sp.Symbol("E[relu(s z) z]/s"), relu),
                      "SymPy, exact for every s > 0: the limit is 1/2 = (0 + 1)/2 while psi'(0) "
                      "is undefined (one-sided derivatives 0 and 1)", relu == sp.Rational(1, 2)))
    for name, ser in series.items():
        steps.append(step(f"{name}: " + ser, "Taylor series under the Gaussian (moments (k)!!); "
                          "the constant term is psi'(0)", True))
    return CheckResult(
        method="symbolic", status="passed" if ok else "failed",
        summary="E[psi(s z) z]/s = E psi'(s z) (Stein) -> psi'(0) when psi' is continuous at 0; "
                "relu: exactly 1/2 for every s (mean of the one-sided derivatives); series for "
                f"{len(series)} smooth activation(s) start at psi'(0)",
        steps=steps, evidence={"stein_on_test_polynomial": str(stein_ok),
                               "relu_ratio_every_s": str(relu), "series": series})


def _symbolic_convexity(outcome: ClaimOutcome) -> CheckResult:
    x = sp.Symbol("x", real=True)
    t = sp.Symbol("t", positive=True)
    cubic = x + x**3                      # odd, convex on [0, inf)
    cubic_convex = sp.simplify(sp.diff(cubic, x, 2).subs(x, t)).is_nonnegative
    d_at_1, d_at_0 = sp.diff(cubic, x).subs(x, 1), sp.diff(cubic, x).subs(x, 0)
    tanh2 = sp.simplify(sp.diff(sp.tanh(x), x, 2))
    tanh_concave = bool(sp.simplify(tanh2.subs(x, t)).is_nonpositive
                        or all(tanh2.subs(x, v).evalf() < 0 for v in (0.1, 1, 3, 10)))
    tanh_dec = sp.simplify(sp.diff(sp.tanh(x), x).subs(x, t) - 1).is_negative
    steps = [
        step(sp.Eq(sp.Symbol("psi''"), sp.diff(cubic, x, 2)),
             f"psi = x + x^3 is odd and convex on [0, inf) (psi'' = 6x >= 0: {cubic_convex}), "
             f"yet psi'(1) = {d_at_1} > psi'(0) = {d_at_0}: App. B's 'convex => |psi'(0)| > "
             "|psi'(z)|' is backwards (convex => psi' nondecreasing)", bool(d_at_1 <= d_at_0)),
        step(sp.Eq(sp.Symbol("tanh''"), tanh2),
             f"tanh'' < 0 on (0, inf): tanh is CONCAVE there ({tanh_concave}); "
             f"tanh'(t) < tanh'(0) for t > 0: {tanh_dec}", tanh_concave),
        step(r"\psi \text{ concave on } [0,\infty),\ \psi(0)=0,\ \text{bounded} \Rightarrow "
             r"0 \le \psi(x) \le \psi'(0)\,x",
             "concave below its tangent at 0; bounded and concave => nondecreasing => >= 0; "
             "this is the bound |psi(x)| <= psi'(0)|x| Eq. (56) uses", True),
    ]
    outcome.findings.append(Finding(
        kind="misprint", where="seed 000, Sec. IV C (before Eq. (56)) and Appendix B",
        printed=r"\psi \text{ odd, convex in } [0,\infty]; \text{ convex} \Rightarrow "
                r"|\psi'(0)| > |\psi'(z)|",
        corrected=r"\psi \text{ odd, concave in } [0,\infty) \text{ (and bounded)} "
                  r"\Rightarrow 0 \le \psi'(z) \le \psi'(0),\ |\psi(x)| \le \psi'(0)|x|",
        evidence=f"SymPy: psi = x + x^3 is convex on [0, inf) and psi'(1) = {d_at_1} > psi'(0) ="
                 f" {d_at_0}; tanh'' = {sp.sstr(tanh2)} < 0 on (0, inf), so tanh (the source's "
                 "example) is concave, not convex, there. A bounded odd function convex on "
                 "[0, inf) is non-increasing there (e.g. -tanh): the printed hypothesis excludes"
                 " every increasing activation",
        affects_conclusion=False))
    return CheckResult(
        method="symbolic", status="passed" if tanh_concave and d_at_1 > d_at_0 else "failed",
        summary="the proof's bound |psi(x)| <= psi'(0)|x| follows from concavity on [0, inf) "
                "(tanh is concave there); the printed 'convex' and App. B's 'convex => "
                "|psi'(0)| > |psi'(z)|' are reversed",
        steps=steps, evidence={"tanh_concave_on_positive": str(tanh_concave),
                               "cubic_psi_prime_at_1": str(d_at_1)})


def _symbolic_map_at_zero(acts: list[Any], outcome: ClaimOutcome) -> CheckResult:
    q = sp.Symbol("q", positive=True)
    z = sp.Symbol("z", real=True)
    d1, d2, d3 = sp.symbols("psi1 psi2 psi3", real=True)
    sw2 = sp.Symbol("sigma_w^2", positive=True)
    psi_s = d1 * sp.sqrt(q) * z + d2 * q * z**2 / 2 + d3 * q ** sp.Rational(3, 2) * z**3 / 6
    sq = sp.expand(psi_s**2)
    E = sum(sq.coeff(z, n) * _gauss_moment(n) for n in range(0, 7))
    V = sp.expand(sw2 * E)                                  # sb2 = 0, psi(0) = 0
    slope0 = sp.simplify(sp.diff(V, q).subs(q, 0))
    c2 = sp.simplify(V.coeff(q, 2).subs(sw2, 1 / d1**2))
    steps = [
        step(sp.Eq(sp.Symbol("V(q)"), sp.collect(sp.series(V, q, 0, 3).removeO(), q)),
             "sw2 E psi(sqrt(q) z)^2 with psi = psi1 x + psi2 x^2/2 + psi3 x^3/6 + ..., sb2 = 0"),
        step(sp.Eq(sp.Symbol("V'(0)"), slope0),
             "slope at q = 0: q* = 0 is unstable when sw2 psi'(0)^2 > 1 -- the 'only if' of "
             "(56) holds for every psi with psi(0) = 0; sb2 > 0 removes the fixed point q = 0",
             slope0 == sw2 * d1**2),
        step(sp.Eq(sp.Symbol("[V(q) - q]_{q^2}"), c2),
             "at sw2 = 1/psi'(0)^2 the q^2 coefficient decides: < 0 attracting from above, > 0 "
             "repelling", None),
    ]
    table: dict[str, str] = {}
    for act in acts:
        if act.expr.has(*NONSMOOTH):
            continue
        vals = {d1: act.derivative(1).subs(act.x, 0), d2: act.derivative(2).subs(act.x, 0),
                d3: act.derivative(3).subs(act.x, 0)}
        if sp.simplify(act.expr.subs(act.x, 0)) != 0 or sp.simplify(vals[d1]) == 0:
            continue
        coeff = sp.nsimplify(sp.simplify(c2.subs(vals)))
        table[act.name] = sp.sstr(coeff)
        outcome.per_activation.setdefault(act.name, {})["q2_coefficient_at_DI"] = sp.sstr(coeff)
        steps.append(step(sp.Eq(sp.Symbol(f"c2[{act.name}]"), coeff),
                          "negative: q* = 0 attracts small q at the DI point" if coeff < 0 else
                          "positive: q* = 0 REPELS small q at the DI point", None))
    ok = slope0 == sw2 * d1**2
    return CheckResult(
        method="symbolic", status="passed" if ok else "failed",
        summary=f"variance map near q = 0: V'(0) = sw2 psi'(0)^2 (necessity of sw2 <= "
                f"1/psi'(0)^2, sb2 = 0 holds for any psi with psi(0) = 0); at the DI point "
                f"V(q) - q = c2 q^2 + O(q^3), c2 = {sp.sstr(c2)}",
        steps=steps, evidence={"slope_at_0": sp.sstr(slope0), "c2": sp.sstr(c2),
                               "c2_per_activation": table})


# -- numeric -------------------------------------------------------------------------------------
def _limit_numeric(ctx: RunContext, acts: list[Any], outcome: ClaimOutcome) -> CheckResult:
    expect_mp = need_attr("theorycheck.gaussian", "expect_mp")
    chosen = acts if not ctx.quick or ctx.activations else \
        [a for a in acts if a.name in QUICK_RICHARDSON]
    ks = list(range(2, ctx.pick(7, 12)))
    rows: dict[str, Any] = {}
    bad: list[dict[str, str]] = []
    for act in chosen:
        props = act.properties
        p = act.mpmath(0)
        kinks = [float(k) for k in act.kinks]
        # psi smooth at 0: E[psi(s z) z]/s is a series in s^2 (odd Taylor terms only survive);
        # a kink at 0 (relu, selu) brings every power of s
        smooth0 = not any(float(k) == 0.0 for k in act.kinks)
        hs, vals = [], []
        with mp.workdps(ctx.dps + 10):
            for k in ks:
                s_k = mp.mpf(2) ** -k
                e = external(expect_mp, lambda u, p=p: u * p(u), s_k * s_k, dps=ctx.dps + 5,
                             breakpoints=kinks, what="expect_mp")
                hs.append(s_k * s_k if smooth0 else s_k)
                vals.append(e.value / (s_k * s_k))
            lim = richardson(hs, vals, power=1)
            left, right = mp.mpf(sp.N(props.dpsi0_left, ctx.dps + 10)), \
                mp.mpf(sp.N(props.dpsi0_right, ctx.dps + 10))
            target = (left + right) / 2
            err = lim.error + mp.mpf(10) ** (-ctx.dps)
            agrees = abs(lim.value - target) <= 10 * err
        row: dict[str, Any] = {"s_values": f"2^-{ks[0]} .. 2^-{ks[-1]}",
                               "extrapolated_in": "s^2" if smooth0 else "s",
                               "psi_prime_0": "undefined" if props.dpsi0 is None else
                               sp.sstr(props.dpsi0),
                               "one_sided": f"({sp.sstr(props.dpsi0_left)}, "
                                            f"{sp.sstr(props.dpsi0_right)})"}
        put(row, "limit", lim.value, err, ctx.dps)
        row["limit_equals"] = ("psi'(0)" if props.dpsi0 is not None else
                               "mean of one-sided derivatives") if agrees else "NEITHER"
        rows[act.name] = row
        outcome.per_activation.setdefault(act.name, {})["limit_57"] = row
        if props.dpsi0 is None:
            outcome.findings.append(Finding(
                kind="hypothesis-not-met", where="seed 000, Eq. (57) / App. B",
                printed=r"\lim_{\sigma^*\to 0}\int \psi(\sigma^* z) z\,\mathsf{D}z/\sigma^* = "
                        r"\psi'(0)",
                corrected=r"= \tfrac12(\psi'(0^-)+\psi'(0^+)) \text{ when } \psi' \text{ jumps"
                          r" at } 0",
                evidence=f"{act.name}: psi'(0) undefined (one-sided {row['one_sided']}); "
                         f"Richardson limit {row['limit']} +- {row['limit_err']}",
                affects_conclusion=False))
        if not agrees:
            bad.append({"activation": act.name, "limit": row["limit"],
                        "expected": dec(target, 20)})
    return CheckResult(
        method="numeric", status="passed" if not bad else "failed",
        summary=f"Richardson extrapolation of E[psi(s z) z]/s over s = 2^-{ks[0]}..2^-{ks[-1]} "
                f"(mpmath, {ctx.dps} digits) for {len(rows)} activation(s): the limit is psi'(0) "
                "where psi' is continuous at 0, the mean of the one-sided derivatives where it "
                "jumps" + ("" if not bad else f"; MISMATCH {bad[0]}"),
        evidence={"per_activation": rows,
                  "activations": "quick-profile subset" if len(chosen) < len(acts) else "all"},
        counterexample=bad[0] if bad else None)


def _di_numeric(ctx: RunContext, acts: list[Any], outcome: ClaimOutcome) -> CheckResult:
    """Per activation: hypotheses, global attraction of q* = 0 at its DI point, beta along the
    EOC as q -> 0 (float64), confirmed for tanh with mpmath."""
    rows: dict[str, Any] = {}
    inside_bad: list[dict[str, str]] = []
    q_eoc = np.logspace(-1, -4, ctx.pick(7, 13))
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
                            n_q=ctx.pick(200, 600))
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
        outcome.per_activation.setdefault(act.name, {})["di_point"] = row
    # mpmath along the EOC for tanh (or the first activation with a DI point)
    tanh = next((a for a in acts if a.name == "tanh"), None) or next(
        (a for a in acts if "q_star_0_attracts_all_q" in rows.get(a.name, {})), None)
    ev: dict[str, Any] = {"per_activation": rows}
    if tanh is not None:
        expect_mp = need_attr("theorycheck.gaussian", "expect_mp")
        p, dp = tanh.mpmath(0), tanh.mpmath(1)
        kinks = [float(k) for k in tanh.kinks]
        qs, betas = [], []
        with mp.workdps(ctx.dps + 10):
            for k in range(2, ctx.pick(6, 10)):
                qv = mp.mpf(2) ** (-2 * k)
                m1 = external(expect_mp, dp, qv, dps=ctx.dps, breakpoints=kinks)
                m2 = external(expect_mp, lambda u: dp(u) ** 2, qv, dps=ctx.dps,
                              breakpoints=kinks)
                qs.append(qv)
                betas.append(m1.value / mp.sqrt(m2.value))      # sqrt(sw2(q)) E psi'
            lim = richardson(qs, betas, power=1)          # beta(q) analytic in q on the EOC
        put(ev, f"{tanh.name}_beta_limit_at_DI_along_EOC", lim.value, lim.error, ctx.dps)
        ev[f"{tanh.name}_eoc_beta_mp"] = {dec(qv, 6): dec(b, ctx.dps) for qv, b in
                                          zip(qs, betas, strict=True)}
        outcome.findings.append(Finding(
            kind="note", where="seed 000, Eqs. (57)-(59)",
            printed=r"\beta = 1 \text{ at } (\sigma_w, \sigma_b) = (1/\psi'(0), 0)",
            corrected=r"q^* = 0 \text{ there, so } \beta \text{ (38) is } 0/0; \ \beta \to 1 "
                      r"\text{ as a limit (57), e.g. along the EOC as } q^* \to 0",
            evidence=f"{tanh.name}: beta on the EOC at q* = 2^-4 .. : "
                     f"{list(ev[f'{tanh.name}_eoc_beta_mp'].values())[:3]} ...; "
                     f"Richardson limit {ev[f'{tanh.name}_beta_limit_at_DI_along_EOC']}",
            affects_conclusion=False))
    outside_printed = [k for k, r in rows.items() if r.get("q_star_0_attracts_all_q")
                       and not r["meets_printed_hypotheses"]]
    if outside_printed:
        outcome.findings.append(Finding(
            kind="hypothesis-not-met", where="seed 000, Sec. IV C (before Eq. (56))",
            printed=r"\psi \text{ odd, convex in } [0,\infty],\ \lim_{z\to\infty}\psi(z) = c",
            corrected=r"\psi \text{ odd, concave in } [0,\infty) \text{ and bounded}",
            evidence=f"{', '.join(outside_printed)}: do not meet the printed hypotheses (not "
                     "convex on [0, inf), or not odd), yet q* = 0 attracts every q at their DI "
                     "point; the source's own example tanh is concave there",
            affects_conclusion=False))
    ok = not inside_bad
    n_attr = sum(1 for r in rows.values() if r.get("q_star_0_attracts_all_q"))
    n_di = sum(1 for r in rows.values() if "q_star_0_attracts_all_q" in r)
    n_printed = sum(1 for r in rows.values() if r["meets_printed_hypotheses"])
    return CheckResult(
        method="numeric", status="passed" if ok else "failed",
        summary=f"{n_di} activation(s) have a DI point; q* = 0 attracts every q in [1e-6, 1e4] "
                f"at it for {n_attr}; every activation meeting the corrected hypotheses (odd, "
                f"bounded, concave on [0, inf)) is among them: {ok}; {n_printed} built-in(s) meet "
                "the printed ones (convex)",
        evidence=ev, counterexample=inside_bad[0] if inside_bad else None)


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
    expect_mp = need_attr("theorycheck.gaussian", "expect_mp")
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


def _property(ctx: RunContext, *, inside: bool) -> CheckResult:
    strategies = need("theorycheck.claims.strategies")
    space = strategies.generated_activations(odd=True, bounded=True, max_terms=2)
    notes = {"outside_condition": 0}

    def holds(gen: Any) -> bool:
        if inside and not _concave_signed(gen):
            notes["outside_condition"] += 1
            return True
        return _not_attracting(gen, 20) is None

    n = ctx.pick(60, 500)
    example, tried = search_counterexample(space, holds, max_examples=n, seed=ctx.seed)
    statement = ("at the DI point (1/psi'(0)^2, 0) of a generated odd bounded activation" +
                 (" with sign(psi'(0)) psi concave on [0, inf)" if inside else "") +
                 ", V(q) < q for every q > 0 (q* = 0 attracts every input variance)")
    ev: dict[str, Any] = {"examples": tried, "max_examples": n, "seed": ctx.seed,
                          "property": statement}
    if inside:
        ev["examples_outside_condition"] = notes["outside_condition"]
    if example is None:
        return CheckResult(method="property", status="passed",
                           name="sufficiency inside the condition" if inside else
                           "sufficiency without concavity",
                           summary=f"{statement}: no counterexample in {tried} examples",
                           evidence=ev)
    ce = _not_attracting(example, max(ctx.dps, 20)) or {}
    ce.update(example.describe())
    ce["concave_on_positive_signed"] = str(_concave_signed(example))
    return CheckResult(method="property", status="failed",
                       name="sufficiency without concavity",
                       summary=f"{statement}: shrunk counterexample psi = {example.formula}: "
                               f"V(q) - q = {ce.get('V(q) - q')} > 0 at q = {ce.get('q')} -- "
                               "q* = 0 is not globally attracting at its DI point",
                       evidence=ev, counterexample=ce)


# -- simulation ----------------------------------------------------------------------------------
def _simulation(ctx: RunContext) -> CheckResult:
    simulate = need("theorycheck.simulate")
    depth = ctx.pick(16, 48)
    res = external(simulate.measure, "variance", "tanh", sw2=1.0, sb2=0.0,
                   width=ctx.pick(128, 512), depth=depth, samples=ctx.pick(32, 128),
                   seed=ctx.seed, placement=ctx.placement, q0=1.0, what="simulate.measure")
    layers = res.extra.get("layers", {})
    th, me = np.asarray(layers.get("theory", [])), np.asarray(layers.get("measured", []))
    ev = {"layers": depth, "q_theory_first_last": f"{th[0]:.6g} .. {th[-1]:.6g}",
          "q_measured_first_last": f"{me[0]:.6g} .. {me[-1]:.6g}",
          "tolerance_derivation": res.tolerance_derivation, "agree_all_layers": res.agree,
          "decreasing": bool(np.all(np.diff(me) < 0))}
    ok = bool(res.agree and np.all(np.diff(me) < 0))
    return CheckResult(
        method="simulation", status="passed" if ok else "failed",
        summary=f"tanh at its DI point (1, 0), q0 = 1: the layer variance falls from "
                f"{me[0]:.4g} to {me[-1]:.4g} over {depth} layers, following the map "
                f"(q^l ~ 1/(2l)) within the derived tolerance: {res.agree}",
        evidence=ev, counterexample=None if ok else ev)


# -- the claim -----------------------------------------------------------------------------------
@claim(
    id="beta-max-at-di",
    source="seed 000, Eqs. (56)-(59), Appendix B",
    statement="(a) lim_{s->0} Int psi(s z) z Dz / s = psi'(0) (Eq. 57, B1-B3); (b) s* -> 0 is a "
              "stable fixed point only if sw <= 1/psi'(0) and sb = 0 (Eq. 56; psi odd, convex in"
              " [0, inf), bounded); (c) beta = 1 exactly at (sw, sb) = (1/psi'(0), 0), the "
              "dynamical-isometry point.",
    hypotheses=("psi odd", "psi convex in [0, inf) (as printed)", "psi bounded",
                "lim_{z->inf} psi(z) = c finite"),
    methods=("symbolic", "numeric", "property", "simulation"),
    per_activation=True,
    printed=(
        r"(\sigma^{(l)})^2 = \int (\sigma^{(l)})^2 z^2 \mathsf{D}z \ge \sigma_w^2 \int "
        r"\psi(\sigma^{(l)} z)^2 \mathsf{D}z \ \text{when } \sigma_w \le 1/\psi'(0) \quad (56)",
        r"\psi'(0) = \lim_{\sigma^*\to 0} \int \frac{\psi(\sigma^* z)}{\sigma^*} z\, \mathsf{D}z "
        r"\quad (57)",
        r"\sigma_w = 1/\psi'(0) \quad (58), \qquad \sigma_b = 0 \quad (59)",
        r"\psi \text{ odd, convex in } [0,\infty] \Rightarrow |\psi'(0)| > |\psi'(z)|,\ z \ne 0"
        r" \quad \text{(App. B, before (B2))}",
    ),
    core=True,
)
def beta_max_at_di(ctx: RunContext) -> ClaimOutcome:
    outcome = ClaimOutcome()
    try:
        acts = activations_for(ctx)
    except TheoryCheckError:
        acts = []
    outcome.checks.append(guarded("symbolic", "(57): Stein's lemma and series",
                                  lambda: _symbolic_limit(acts)))
    outcome.checks.append(guarded("symbolic", "convex vs concave (Sec. IV C, App. B)",
                                  lambda: _symbolic_convexity(outcome)))
    outcome.checks.append(guarded("symbolic", "variance map at q = 0 (56)",
                                  lambda: _symbolic_map_at_zero(acts, outcome)))
    if acts:
        outcome.checks.append(guarded("numeric", "(57) by Richardson extrapolation",
                                      lambda: _limit_numeric(ctx, acts, outcome)))
        outcome.checks.append(guarded("numeric", "DI point per activation: attraction of q* = 0"
                                                 ", beta along the EOC",
                                      lambda: _di_numeric(ctx, acts, outcome)))
    search = guarded("property", "sufficiency without concavity",
                     lambda: _property(ctx, inside=False))
    outcome.checks.append(search)
    outcome.checks.append(guarded("simulation", "tanh networks at the DI point",
                                  lambda: _simulation(ctx)))
    if search.status == "failed":
        ce = search.counterexample or {}
        inside = guarded("property", "sufficiency inside the condition",
                         lambda: _property(ctx, inside=True))
        outcome.checks.append(inside)
        others_ok = not any(c.status == "failed" for c in outcome.checks if c is not search)
        if ce.get("concave_on_positive_signed") == "False" and others_ok:
            outcome.condition = CONDITION
            outcome.findings.append(Finding(
                kind="unstated-condition", where="seed 000, Eq. (56)",
                printed=r"\sigma_w \le 1/\psi'(0),\ \sigma_b = 0 \Rightarrow \sigma^{(l)} \to 0",
                corrected=r"\text{needs } |\psi(x)| \le |\psi'(0)||x| \text{, e.g. } "
                          r"\operatorname{sign}(\psi'(0))\psi \text{ concave on } [0,\infty)",
                evidence=f"odd bounded psi = {ce.get('psi')} at its DI point: V(q) - q = "
                         f"{ce.get('V(q) - q')} > 0 at q = {ce.get('q')}; q* = 0 does not "
                         "attract, so beta -> 1 is not reached there",
                affects_conclusion=True))
    return outcome
