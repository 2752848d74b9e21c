"""jacobian-moments -- seed 000, Eqs. (60)-(67); seed 002, Sec. 3.2.

The first two moments of the spectrum of H = J^T J for a depth-l network at the fixed point,
m1 = (sw2 mu1)^l, m2 = (sw2 mu1)^(2l) (mu2/mu1^2 + 1/l - 1 - s1) l, with mu_k = E psi'(s* z)^(2k)
and s1 = 0 (orthogonal), -1 (Gaussian) (Pennington, Schoenholz & Ganguli 2018); m1 = chi1 for one
layer; (66)-(67) mu1^2 <= mu2 "with equality iff s* -> 0", hence m2 = 1 (orthogonal) and l + 1
(Gaussian) at m1 = 1 and mu1^2 = mu2.

Checks: (64)-(65) derived from the multiplicativity of the S-transform (60) by series reversion
(SymPy), the Marchenko-Pastur moments of a linear Gaussian layer, the reduction to 1 and l + 1;
the Cauchy-Schwarz inequality (66) and the printed equality condition (67) against linear, |x|
and relu; mu1, mu2 and m2(l) on the edge of chaos with mpmath; hypothesis searches over
generated activations; and the empirical moments of J^T J in finite networks (Gaussian and
orthogonal weights, several widths and depths).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from proofs._shared import (
    activations_for,
    dec,
    external,
    figure,
    need,
    need_attr,
    put,
    sim_activation,
    step,
)
from theorycheck.claims import CheckResult, ClaimOutcome, Finding, RunContext, claim
from theorycheck.claims.checks import guarded, search_counterexample
from theorycheck.errors import TheoryCheckError

CONDITION = ("psi'(x)^2 is not almost-everywhere constant (psi not linear, not c|x|) and psi' "
             "is continuous at 0 -- the two ways the printed 'mu1^2 = mu2 iff s* -> 0' fails")
EQUALITY_DIGITS = 20


# -- symbolic --------------------------------------------------------------------------------------
def _s_transform_first_order(m1: sp.Expr, m2: sp.Expr, w: sp.Symbol) -> sp.Expr:
    """S(w) to first order in w for a spectral measure with moments m1, m2: series reversion of
    psi(z) = m1 z + m2 z^2 + ..., chi = psi^{-1}, S(w) = chi(w) (1 + w)/w."""
    z = sp.Symbol("zeta")
    c1, c2 = sp.symbols("c1 c2")
    chi = c1 * w + c2 * w**2
    psi_of_chi = sp.expand(m1 * chi + m2 * chi**2)
    sol = sp.solve([sp.Eq(psi_of_chi.coeff(w, 1), 1), sp.Eq(psi_of_chi.coeff(w, 2), 0)],
                   [c1, c2], dict=True)[0]
    chi = chi.subs(sol)
    del z
    return sp.series(chi * (1 + w) / w, w, 0, 2).removeO()


def _symbolic(outcome: ClaimOutcome) -> CheckResult:
    w = sp.Symbol("w")
    l = sp.Symbol("l", positive=True, integer=True)
    mu1, mu2, sw2 = sp.symbols("mu1 mu2 sigma_w^2", positive=True)
    s1 = sp.Symbol("s1", real=True)
    a, b = sp.symbols("a b", positive=True)
    S = _s_transform_first_order(a, b, w)
    # a measure is determined to this order by (1/m1)(1 + s w) with s = 1 - m2/m1^2
    s_of = sp.simplify(sp.expand(S * a).coeff(w, 1))
    steps = [step(sp.Eq(sp.Symbol("S(w)"), sp.simplify(S)),
                  "series reversion of psi(z) = m1 z + m2 z^2 + ..., S = chi(w)(1+w)/w", None),
             step(sp.Eq(sp.Symbol("s"), s_of), "so S(w) = (1/m1)(1 + s w + ...)",
                  sp.simplify(s_of - (1 - b / a**2)) == 0)]
    # the weights: S_{W^T W} = sw2^-1 (1 + s1 w); Marchenko-Pastur (Gaussian) has m1 = sw2,
    # m2 = 2 sw2^2 -> s1 = -1; Haar orthogonal m2 = m1^2 -> s1 = 0
    s_gauss = sp.simplify(s_of.subs({a: sw2, b: 2 * sw2**2}))
    s_orth = sp.simplify(s_of.subs({a: sw2, b: sw2**2}))
    # Marchenko-Pastur density sqrt(x(4-x))/(2 pi x) on [0, 4]; with x = 4 sin^2(th) the
    # measure becomes (4/pi) cos^2(th) d th on [0, pi/2]
    th = sp.Symbol("theta", real=True)
    mass, mp1, mp2 = (sp.integrate((4 * sp.sin(th) ** 2) ** k * 4 / sp.pi * sp.cos(th) ** 2,
                                   (th, 0, sp.pi / 2)) for k in (0, 1, 2))
    steps.append(step(sp.Eq(sp.Symbol("m_k(MP)"), sp.Tuple(mass, mp1, mp2)),
                      "Marchenko-Pastur at ratio 1 (W^T W, W Gaussian with variance 1/N): "
                      "mass 1, m1 = 1, m2 = 2", mass == 1 and mp1 == 1 and mp2 == 2))
    steps.append(step(sp.Eq(sp.Symbol("s1"), sp.Tuple(s_gauss, s_orth)),
                      "(Gaussian, orthogonal): s = 1 - m2/m1^2 of W^T W", s_gauss == -1
                      and s_orth == 0))
    # H = product over l layers of D^2 and W^T W (freely independent): S multiplies, so to
    # first order m1(H) = prod m1 and s(H) = sum s
    m1_H = (sw2 * mu1) ** l
    s_H = l * (1 - mu2 / mu1**2) + l * s1
    m2_H = sp.simplify(m1_H**2 * (1 - s_H))
    printed_m2 = (sw2 * mu1) ** (2 * l) * (mu2 / mu1**2 + 1 / l - 1 - s1) * l
    match = sp.simplify(m2_H - printed_m2) == 0
    steps.append(step(sp.Eq(sp.Symbol("m2(H)"), m2_H),
                      "S_H = S_{D^2}^l S_{W^T W}^l (Eq. (60)-(62)): m1 multiplies, s adds; "
                      "m2 = m1^2 (1 - s)", None))
    steps.append(step(sp.Eq(sp.Symbol("m2(printed, 65)") - sp.Symbol("m2(H)"),
                            sp.simplify(printed_m2 - m2_H)), "Eq. (65) agrees", match))
    # the reduction at m1 = 1, mu2 = mu1^2
    red = sp.simplify(printed_m2.subs(mu2, mu1**2).subs(sw2, 1 / mu1))
    red_orth, red_gauss = sp.simplify(red.subs(s1, 0)), sp.simplify(red.subs(s1, -1))
    steps.append(step(sp.Eq(sp.Symbol("m2|_{m1=1, mu2=mu1^2}"), red),
                      f"orthogonal (s1 = 0): {red_orth}; Gaussian (s1 = -1): {red_gauss}",
                      red_orth == 1 and sp.simplify(red_gauss - (l + 1)) == 0))
    mp_formula = sp.simplify(printed_m2.subs({l: 1, mu1: 1, mu2: 1, sw2: 1, s1: -1}))
    steps.append(step(sp.Eq(sp.Symbol("m2(l=1, linear, Gaussian)"), mp_formula),
                      "Eq. (65) for one linear Gaussian layer equals the Marchenko-Pastur m2 = 2",
                      mp_formula == mp2))
    ok = bool(match and red_orth == 1 and sp.simplify(red_gauss - (l + 1)) == 0
              and mp_formula == mp2 and s_gauss == -1 and s_orth == 0)
    return CheckResult(
        method="symbolic", status="passed" if ok else "failed",
        summary="(64)-(65) follow from the S-transform product (60) to first order (SymPy series "
                f"reversion); at m1 = 1, mu2 = mu1^2: m2 = {red_orth} (orthogonal), {red_gauss} "
                f"(Gaussian); one linear Gaussian layer: m2 = {mp_formula} = Marchenko-Pastur",
        steps=steps, evidence={"m2_reduction_orthogonal": str(red_orth),
                               "m2_reduction_gaussian": str(red_gauss),
                               "marchenko_pastur_m1_m2": f"{mp1}, {mp2}",
                               "s1_gaussian": str(s_gauss), "s1_orthogonal": str(s_orth)})


def _symbolic_equality(outcome: ClaimOutcome) -> CheckResult:
    s = sp.Symbol("s", positive=True)
    z = sp.Symbol("z", real=True)
    gauss = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)

    def mus(dpsi: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        m1 = sp.simplify(sp.integrate(dpsi**2 * gauss, (z, -sp.oo, sp.oo)))
        m2 = sp.simplify(sp.integrate(dpsi**4 * gauss, (z, -sp.oo, sp.oo)))
        return m1, m2

    lin = mus(sp.Integer(1))                        # psi = x: psi' = 1 at every s
    absx = mus(sp.sign(s * z))                      # psi = |x|: psi'^2 = 1
    relu = mus(sp.Heaviside(s * z))                 # psi = relu: psi' in {0, 1}
    steps = [
        step(r"\mu_1^2 = (\mathbb{E}\psi'^2)^2 \le \mathbb{E}\psi'^4 = \mu_2",
             "Cauchy-Schwarz (66); equality iff psi'(s* z)^2 is a.s. constant", True),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[x]"), sp.Tuple(*lin)),
             "psi = x: mu1^2 = mu2 at EVERY s* > 0 -- '=> s* -> 0' fails", lin[0]**2 == lin[1]),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[|x|]"), sp.Tuple(*absx)),
             "psi = |x| (non-linear): mu1^2 = mu2 at every s* > 0 as well", absx[0]**2 == absx[1]),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[relu]"), sp.Tuple(*relu)),
             f"relu: mu2/mu1^2 = {sp.simplify(relu[1] / relu[0]**2)} for every s*, also as s* -> "
             "0 -- '<= s* -> 0' fails when psi' jumps at 0", sp.simplify(relu[1] / relu[0]**2)
             == 1),
    ]
    outcome.findings.append(Finding(
        kind="misprint", where="seed 000, Eq. (67)",
        printed=r"\psi'(\sigma^* z)^2 \propto \psi'(\sigma^* z)^4 \Leftrightarrow \sigma^* \to 0",
        corrected=r"\tilde\mu_1^2 = \tilde\mu_2 \iff \psi'(\sigma^* z)^2 \text{ constant a.s.};\ "
                  r"\tilde\mu_2/\tilde\mu_1^2 \to 1 \text{ as } \sigma^* \to 0 \text{ when } "
                  r"\psi' \text{ is continuous at } 0",
        evidence=f"SymPy: psi = x gives (mu1, mu2) = {tuple(lin)} and psi = |x| gives "
                 f"{tuple(absx)} at every s* > 0 (equality without s* -> 0); relu gives "
                 f"{tuple(relu)} for every s* (s* -> 0 without equality)",
        affects_conclusion=False))
    return CheckResult(
        method="symbolic", status="passed",
        summary="(66) is Cauchy-Schwarz; its equality case is 'psi'^2 constant a.s.', not "
                "'s* -> 0' as (67) prints (psi = x, |x|: equality at every s*; relu: "
                "mu2 = 2 mu1^2 at every s*)",
        steps=steps, evidence={"linear": str(lin), "abs": str(absx), "relu": str(relu)})


# -- numeric ---------------------------------------------------------------------------------------
def _numeric(ctx: RunContext, acts: list[Any], outcome: ClaimOutcome) -> CheckResult:
    gaussian = need("theorycheck.gaussian")
    mf_mod = need("theorycheck.meanfield")
    q = np.logspace(-6, 3, ctx.pick(200, 800))
    rows: dict[str, Any] = {}
    bad: list[dict[str, str]] = []
    for act in acts:
        eng = gaussian.GridEngine(act, kinks=[float(k) for k in act.kinks])
        dp = act.numpy(1)
        try:
            (m1, m2), (e1, e2) = eng.expect_many([lambda x, dp=dp: dp(x) ** 2,
                                                  lambda x, dp=dp: dp(x) ** 4], q)
        except TheoryCheckError as err:
            rows[act.name] = {"skipped": err.message}
            continue
        ratio = m2 / m1**2
        err = (e2 + 2 * m2 * e1 / m1) / m1**2 + 1e-13
        i = int(np.argmin(ratio))
        row = {"min_mu2_over_mu1sq": dec(float(ratio[i]), 12), "at_q": f"{q[i]:.4g}",
               "mu2_over_mu1sq_at_q_1e-6": dec(float(ratio[0]), 12),
               "mu2_over_mu1sq_at_q_1": dec(float(np.interp(0.0, np.log(q), ratio)), 12)}
        if np.any(ratio < 1 - err):
            bad.append({"activation": act.name, "q": f"{q[i]:.6g}", "ratio": row[
                "min_mu2_over_mu1sq"]})
        rows[act.name] = row
        outcome.per_activation.setdefault(act.name, {})["mu2_over_mu1sq"] = row
    # mpmath on the edge of chaos: mu1, mu2 and m2(l) at sb2 values approaching the DI point
    eoc_acts = [a for a in acts if a.name == "tanh"] if ctx.quick and not ctx.activations \
        else acts
    ev: dict[str, Any] = {"q_grid": f"{q.size} points in [1e-6, 1e3]", "per_activation": rows}
    depths = (1, 2, 5, 10, 50)
    for act in eoc_acts:
        mf = mf_mod.MeanField(act, dps=ctx.dps)
        table = {}
        for sb2 in ctx.pick(("0.05", "0.001"), ("0.2", "0.05", "0.01", "0.001")):
            try:
                pt = external(mf.eoc_sw2, mp.mpf(sb2), what="MeanField.eoc_sw2")
            except TheoryCheckError as err:
                table[sb2] = {"skipped": err.message}
                continue
            if pt.mu1 is None or pt.mu2 is None:
                continue
            with mp.workdps(ctx.dps + 10):
                r = pt.mu2.value / pt.mu1.value**2
                entry: dict[str, Any] = {}
                put(entry, "sw2", pt.sw2.value, pt.sw2.error, ctx.dps)
                put(entry, "q_star", pt.q_star.value, pt.q_star.error, ctx.dps)
                put(entry, "mu1", pt.mu1.value, pt.mu1.error, ctx.dps)
                put(entry, "mu2", pt.mu2.value, pt.mu2.error, ctx.dps)
                put(entry, "chi1", pt.sw2.value * pt.mu1.value,
                    pt.sw2.error * pt.mu1.value + pt.sw2.value * pt.mu1.error, ctx.dps)
                for l in depths:
                    for name, s1 in (("orthogonal", 0), ("gaussian", -1)):
                        m2 = (r + mp.mpf(1) / l - 1 - s1) * l      # (65) at m1 = 1
                        entry[f"m2_{name}_l{l}"] = dec(m2, 12)
            table[sb2] = entry
        ev.setdefault("eoc_mpmath", {})[act.name] = table
    ok = not bad
    return CheckResult(
        method="numeric", status="passed" if ok else "failed",
        summary=f"mu2/mu1^2 >= 1 on q in [1e-6, 1e3] for {len(rows)} activation(s) (Cauchy-"
                "Schwarz, (66)); on the EOC (m1 = 1) m2(l) from (65) grows like "
                "l (mu2/mu1^2 - 1) (orthogonal) and l mu2/mu1^2 (Gaussian), reducing to 1 and "
                "l + 1 only as mu2/mu1^2 -> 1 (the DI point)",
        evidence=ev, counterexample=bad[0] if bad else None)


# -- property --------------------------------------------------------------------------------------
def _mus_float(act: Any, q: np.ndarray, kinks: tuple[float, ...] = ()
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gaussian = need("theorycheck.gaussian")
    eng = gaussian.GridEngine(act, kinks=kinks, n_nodes=16)
    dp = act.numpy(1)
    (m1, m2), (e1, e2) = eng.expect_many([lambda x: dp(x) ** 2, lambda x: dp(x) ** 4], q)
    return m1, m2, (e2 + 2 * m2 * e1 / np.maximum(m1, 1e-300)) / np.maximum(m1, 1e-300) ** 2


def _equality_away_from_zero(gen: Any, q: float) -> dict[str, str] | None:
    """mu1^2 = mu2 to EQUALITY_DIGITS digits at q (mpmath), or None (cached: a search's
    shrinking phase asks again for the same activation and q)."""
    return _equality_cached(gen.formula, q, gen)


@lru_cache(maxsize=512)
def _equality_cached(formula: str, q: float, gen: Any) -> dict[str, str] | None:
    act = gen.activation()
    m1, m2, err = _mus_float(act, np.array([q]), gen.kink_points)
    if m1[0] <= 0 or abs(m2[0] / m1[0] ** 2 - 1) > 1e3 * err[0] + 1e-10:
        return None
    expect_mp = need_attr("theorycheck.gaussian", "expect_mp")
    dp = act.mpmath(1)
    kinks = list(gen.kink_points)
    with mp.workdps(EQUALITY_DIGITS + 15):
        a = expect_mp(lambda u: dp(u) ** 2, q, dps=EQUALITY_DIGITS + 5, breakpoints=kinks)
        b = expect_mp(lambda u: dp(u) ** 4, q, dps=EQUALITY_DIGITS + 5, breakpoints=kinks)
        gap = b.value - a.value**2
        if abs(gap) > mp.mpf(10) ** -EQUALITY_DIGITS * b.value:
            return None
        return {"psi": gen.formula, "q_star": repr(q), "mu1": dec(a.value, 25),
                "mu2": dec(b.value, 25), "mu2_minus_mu1sq": dec(gap, 3)}


def _no_limit_at_zero(gen: Any) -> dict[str, str] | None:
    """lim_{q->0} mu2/mu1^2 != 1: read off the one-sided derivatives (exact, SymPy), where
    mu_k -> (psi'(0-)^(2k) + psi'(0+)^(2k))/2; confirmed by the float64 ratio at q = 1e-10."""
    left, right = gen.one_sided_derivatives_at_0
    m1 = (left**2 + right**2) / 2
    m2 = (left**4 + right**4) / 2
    if m1 == 0:
        return None
    lim = sp.nsimplify(sp.simplify(m2 / m1**2))
    if lim == 1:
        return None
    a, b, _ = _mus_float(gen.activation(), np.array([1e-10]), gen.kink_points)
    return {"psi": gen.formula, "one_sided_derivatives": f"({left}, {right})",
            "limit_mu2_over_mu1sq": str(lim), "ratio_at_q_1e-10": f"{b[0] / a[0] ** 2:.12g}"}


def _eq67_holds(example: tuple[Any, float], inside: bool) -> bool:
    gen, q = example
    if inside:
        left, right = gen.one_sided_derivatives_at_0
        if sp.simplify(left - right) != 0:
            return True                      # psi' jumps at 0: outside the condition
        x = np.concatenate([-np.logspace(-3, 1.5, 150), np.logspace(-3, 1.5, 150)])
        d2 = np.asarray(gen.activation().numpy(1)(x), dtype=float) ** 2
        if np.ptp(d2) <= 1e-12 * (1 + d2.max()):
            return True                      # psi'^2 constant: outside the condition
    return _equality_away_from_zero(gen, q) is None and _no_limit_at_zero(gen) is None


def _property(ctx: RunContext, *, inside: bool) -> CheckResult:
    strategies = need("theorycheck.claims.strategies")
    space = st.tuples(strategies.generated_activations(max_terms=2),
                      st.sampled_from([1.0, 0.5, 2.0, 0.1]) | st.floats(0.05, 10.0))
    n = ctx.pick(60, 500)
    example, tried = search_counterexample(space, lambda e: _eq67_holds(e, inside),
                                           max_examples=n, seed=ctx.seed)
    statement = ("(67): mu1^2 = mu2 only as s* -> 0, and mu2/mu1^2 -> 1 as s* -> 0" +
                 (" -- for psi'^2 not constant and psi' continuous at 0" if inside else ""))
    ev = {"examples": tried, "max_examples": n, "seed": ctx.seed, "property": statement}
    name = "(67) inside the condition" if inside else "(67) over generated activations"
    if example is None:
        return CheckResult(method="property", status="passed", name=name, evidence=ev,
                           summary=f"{statement}: no counterexample in {tried} examples")
    gen, q = example
    ce = _equality_away_from_zero(gen, q) or _no_limit_at_zero(gen) or {}
    ce.update(gen.describe())
    kind = ("equality at s* > 0" if "mu2_minus_mu1sq" in ce else
            "no equality as s* -> 0")
    ce["violation"] = kind
    return CheckResult(method="property", status="failed", name=name, evidence=ev,
                       counterexample=ce,
                       summary=f"{statement}: shrunk counterexample psi = {gen.formula} "
                               f"({kind}; q* = {q!r})")


def _cs_property(ctx: RunContext) -> CheckResult:
    strategies = need("theorycheck.claims.strategies")
    space = st.tuples(strategies.generated_activations(max_terms=3), st.floats(1e-4, 50.0))

    def holds(e: tuple[Any, float]) -> bool:
        m1, m2, err = _mus_float(e[0].activation(), np.array([e[1]]), e[0].kink_points)
        return bool(m2[0] >= m1[0] ** 2 * (1 - 1e-12) - err[0] * m1[0] ** 2)

    n = ctx.pick(60, 500)
    example, tried = search_counterexample(space, holds, max_examples=n, seed=ctx.seed + 1)
    ev = {"examples": tried, "max_examples": n, "property": "mu1^2 <= mu2 (66)"}
    if example is None:
        return CheckResult(method="property", status="passed", name="(66) Cauchy-Schwarz",
                           summary=f"mu1^2 <= mu2: no counterexample in {tried} generated "
                                   "activations and variances", evidence=ev)
    return CheckResult(method="property", status="failed", name="(66) Cauchy-Schwarz",
                       summary=f"mu1^2 > mu2 for psi = {example[0].formula} at q = {example[1]}",
                       evidence=ev, counterexample={"psi": example[0].formula,
                                                    "q": repr(example[1])})


# -- simulation ------------------------------------------------------------------------------------
def _simulation(ctx: RunContext, outcome: ClaimOutcome) -> CheckResult:
    simulate = need("theorycheck.simulate")
    mf_mod = need("theorycheck.meanfield")
    tanh_eoc = external(mf_mod.MeanField("tanh", dps=20).eoc_sw2, mp.mpf("0.05"),
                        what="MeanField.eoc_sw2")
    sw2_eoc = float(tanh_eoc.sw2.value)
    runs = [("linear", 1.0, 0.0, 1, "gaussian", ctx.pick(128, 512)),     # Marchenko-Pastur
            ("tanh", 2.0, 0.1, 1, "gaussian", ctx.pick(128, 512)),        # m1 = chi1 != 1
            ("tanh", sw2_eoc, 0.05, ctx.pick(4, 16), "gaussian", ctx.pick(128, 512)),
            ("tanh", sw2_eoc, 0.05, ctx.pick(4, 16), "orthogonal", ctx.pick(128, 512))]
    if not ctx.quick:
        runs += [("tanh", sw2_eoc, 0.05, 8, "gaussian", 256),
                 ("tanh", sw2_eoc, 0.05, 8, "orthogonal", 1024),
                 ("erf", 2.0, 0.05, 4, "orthogonal", 512)]
    rows, bad, figs = [], [], []
    for name, sw2, sb2, depth, weights, width in runs:
        res = external(simulate.measure, "jacobian", sim_activation(name, ctx), sw2=sw2,
                       sb2=sb2, width=width,
                       depth=depth, weights=weights, samples=ctx.pick(16, 48), seed=ctx.seed,
                       placement=ctx.placement, what="simulate.measure")
        m1, m2 = res.extra.get("m1", {}), res.extra.get("m2", {})
        row = {"activation": name, "sw2": f"{sw2:.10g}", "sb2": f"{sb2:g}", "depth": depth,
               "width": width, "weights": weights}
        for key, d in (("m1", m1), ("m2", m2)):
            for k in ("theory", "measured", "stderr", "tolerance"):
                if k in d:
                    row[f"{key}_{k}"] = f"{float(d[k]):.6g}"
            row[f"{key}_agree"] = bool(d.get("agree", False))
        rows.append(row)
        if not (row["m1_agree"] and row["m2_agree"]):
            bad.append(row)
        hist = res.extra.get("spectrum_histogram")
        if hist and ctx.figure_dir and not figs and name == "tanh" and depth > 1:
            edges = np.asarray(hist["log10_edges"], dtype=float)
            centres = 10 ** (0.5 * (edges[1:] + edges[:-1]))
            sample = np.repeat(centres, np.asarray(hist["counts"], dtype=int))
            figs = figure(ctx, "jacobian_spectrum", "jacobian-moments-tanh-spectrum", sample,
                          m1=float(m1.get("theory", 1.0)), m2=float(m2.get("theory", 0.0)),
                          setting=f"tanh, L={depth}, N={width}, {weights} (binned)")
    outcome.figures.extend(figs)
    ok = not bad
    return CheckResult(
        method="simulation", status="passed" if ok else "failed",
        summary=f"{len(rows) - len(bad)}/{len(rows)} finite-network measurements of m1, m2 of "
                "J^T J agree with (64)-(65) within the simulation's derived tolerance (linear "
                "Gaussian layer = Marchenko-Pastur, one tanh layer m1 = chi1, tanh on the EOC "
                "with Gaussian and orthogonal weights)",
        evidence={"runs": rows}, counterexample=bad[0] if bad else None, figures=figs)


# -- the claim -------------------------------------------------------------------------------------
@claim(
    id="jacobian-moments",
    source="seed 000, Eqs. (60)-(67); seed 002, Sec. 3.2",
    statement="For H = J^T J of a depth-l network at the fixed point: m1 = (sw2 mu1)^l, "
              "m2 = (sw2 mu1)^(2l) (mu2/mu1^2 + 1/l - 1 - s1) l, mu_k = Int psi'(s* z)^(2k) Dz, "
              "s1 = 0 (orthogonal), -1 (Gaussian); m1 = chi1 for one layer; mu1^2 <= mu2 with "
              "equality iff s* -> 0, so at m1 = 1 and mu1^2 = mu2, m2 = 1 (orthogonal) and "
              "m2 = l + 1 (Gaussian).",
    hypotheses=("all layers at the fixed point q*", "D and W freely independent (Eq. 62)"),
    methods=("symbolic", "numeric", "property", "simulation"),
    per_activation=True,
    printed=(
        r"S_{UV}(z) = S_U(z) S_V(z) \quad (60)",
        r"m_1 = (\sigma_w^2 \tilde\mu_1)^l \quad (64)",
        r"m_2 = (\sigma_w^2\tilde\mu_1)^{2l}\Big(\frac{\tilde\mu_2}{\tilde\mu_1^2} + \frac1l - 1"
        r" - s_1\Big) l \quad (65)",
        r"\tilde\mu_1^2 = \Big(\int\psi'(\sigma^*z)^2\mathsf{D}z\Big)^2 \le \int\psi'(\sigma^*z)^4"
        r"\mathsf{D}z = \tilde\mu_2 \quad (66)",
        r"\psi'(\sigma^*z)^2 \propto \psi'(\sigma^*z)^4 \Leftrightarrow \sigma^* \to 0 \quad (67)",
    ),
    core=True,
)
def jacobian_moments(ctx: RunContext) -> ClaimOutcome:
    outcome = ClaimOutcome()
    outcome.checks.append(guarded("symbolic", "(64)-(65) from the S-transform; m2 = 1, l + 1",
                                  lambda: _symbolic(outcome)))
    outcome.checks.append(guarded("symbolic", "(66)-(67): the equality case",
                                  lambda: _symbolic_equality(outcome)))
    try:
        acts = activations_for(ctx)
    except TheoryCheckError:
        acts = []
    if acts:
        outcome.checks.append(guarded("numeric", "mu2/mu1^2 per activation; m2(l) on the EOC",
                                      lambda: _numeric(ctx, acts, outcome)))
    outcome.checks.append(guarded("property", "(66) Cauchy-Schwarz", lambda: _cs_property(ctx)))
    search = guarded("property", "(67) over generated activations",
                     lambda: _property(ctx, inside=False))
    outcome.checks.append(search)
    outcome.checks.append(guarded("simulation", "empirical m1, m2 of J^T J",
                                  lambda: _simulation(ctx, outcome)))
    if search.status == "failed":
        inside = guarded("property", "(67) inside the condition",
                         lambda: _property(ctx, inside=True))
        outcome.checks.append(inside)
        others_ok = not any(c.status == "failed" for c in outcome.checks if c is not search)
        if others_ok:
            ce = search.counterexample or {}
            outcome.condition = CONDITION
            outcome.findings.append(Finding(
                kind="unstated-condition", where="seed 000, Eq. (67)",
                printed=r"\tilde\mu_1^2 = \tilde\mu_2 \Leftrightarrow \sigma^* \to 0",
                corrected=r"\text{holds for } \psi'^2 \text{ not a.s. constant and } \psi' "
                          r"\text{ continuous at } 0",
                evidence=f"search counterexample psi = {ce.get('psi')} ({ce.get('violation')})",
                affects_conclusion=False))
    return outcome


__all__ = ["jacobian_moments"]
