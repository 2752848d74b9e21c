r"""chi-square-variance: seed 000, Eqs. (23)-(27).

``sigma_j^2 = alpha sum_k W_jk^2`` with ``W_jk ~ N(0, sw2/N)`` is ``alpha (sw2/N) chi^2(N)``; its
variance ``2 alpha^2 sw2^2 / N`` vanishes as ``N -> inf``. The printed (26) drops ``alpha``; the
printed limit (27) ``lim 2N sigma_w^4 / N = 0`` is false as written (the expression is
``2 sigma_w^4`` for every N). The hints below (25) are checked too: ``E[psi_a psi_b] = delta_ab``
should be ``alpha delta_ab``, and ``E[psi] = 0`` fails for non-odd activations, for which (25)
needs ``Var psi`` in place of ``E[psi^2]``.

Source:
    seed 000, Eqs. (23)-(27)
Statement:
    sigma_j^2 = alpha sum_k W_jk^2 ~ (sw2/N) chi^2(N) (Eq. 26) and its variance vanishes
    as N -> inf (Eq. 27: lim 2N sigma_w^4/N = 0)
Hypotheses:
    - W_jk i.i.d. N(0, sw2/N)
    - psi(X_k) i.i.d. over k (classic mean-field)
    - E psi(X_k) = 0 (hint: psi odd)
Printed:
    - (\sigma_j^{(l)})^2 = \sum_k (W_{jk}^{(l)})^2\,\mathbb E[\psi(X_k^{(l-1)})^2] \quad (
      25),\ \text{using } \mathbb E[\psi(X_k)] = 0,\ \mathbb E[\psi(X_a)\psi(X_b)] = \delt
      a_{a,b}
    - (\sigma_j^{(l)})^2 = \alpha\sum_k (W_{jk}^{(l)})^2 \sim \frac{\sigma_w^2}{N_{l-1}}\c
      hi^2(N_{l-1}) \quad (26)
    - \lim_{N_{l-1}\to\infty} 2N_{l-1}\frac{\sigma_w^4}{N_{l-1}} = 0 \quad (27)
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st
from scipy import stats
from sympy.stats import ChiSquared, variance

from theorycheck.claims import (
    CheckResult,
    ClaimRun,
    DerivationStep,
    Finding,
    claim,
)
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import misprint, passed_if, unstated_condition
from theorycheck.claims.statistics import variance_se
from theorycheck.gaussian import expect_mp
from theorycheck.information import gaussian_moments_mp
from theorycheck.information.channels import get_channel
from theorycheck.numbers import to_decimal

SIGMA_Q = 1  # variance q of the preactivations X_k at which alpha, E psi, Var psi are evaluated


CHI_SQUARE_VARIANCE = claim("chi-square-variance", __doc__)


@CHI_SQUARE_VARIANCE.check("symbolic", "Eqs. (23)-(27) symbolic")
def _symbolic(run: ClaimRun) -> CheckResult:
    """Var(alpha (sw2/N) chi^2(N)) and its limit, the printed (26)-(27), and (23) -> (25) for
    N = 3 (seed 000, Eqs. (23)-(27)); exact, SymPy."""
    steps: list[DerivationStep] = []
    n = sp.Symbol("N", positive=True, integer=True)
    sigma_w, alpha = sp.symbols("sigma_w alpha", positive=True)
    s2 = sigma_w ** 2
    var_chi = variance(ChiSquared("X", n))
    true_var = sp.simplify(alpha ** 2 * (s2 / n) ** 2 * var_chi)
    steps.append(DerivationStep(
        rf"\mathrm{{Var}}\big[\alpha\tfrac{{\sigma_w^2}}{{N}}\chi^2(N)\big] = \alpha^2"
        rf"\tfrac{{\sigma_w^4}}{{N^2}}\cdot {sp.latex(var_chi)} = {sp.latex(true_var)}",
        "Var chi^2(N) = 2N (sympy.stats); W_jk^2 = (sw2/N) g^2, g ~ N(0,1)", True))
    lim_true = sp.limit(true_var, n, sp.oo)
    steps.append(DerivationStep(rf"\lim_{{N\to\infty}} {sp.latex(true_var)} = "
                                rf"{sp.latex(lim_true)}", "the claim's substance", lim_true == 0))
    printed_var26 = sp.simplify((s2 / n) ** 2 * var_chi)
    steps.append(DerivationStep(
        rf"\text{{printed (26): }} \mathrm{{Var}}\big[\tfrac{{\sigma_w^2}}{{N}}\chi^2(N)\big] = "
        rf"{sp.latex(printed_var26)} \ne {sp.latex(true_var)} \text{{ unless }} \alpha = 1",
        "(26) omits alpha on the right-hand side", False))
    printed27 = 2 * n * s2 ** 2 / n
    lim_printed = sp.limit(printed27, n, sp.oo)
    steps.append(DerivationStep(
        rf"\text{{printed (27): }} 2N\frac{{\sigma_w^4}}{{N}} = {sp.latex(sp.simplify(printed27))}"
        rf",\quad \lim_{{N\to\infty}} = {sp.latex(lim_printed)} \ne 0",
        "as printed the expression does not depend on N", lim_printed == 0))
    corrected27 = 2 * n * s2 ** 2 / n ** 2
    lim_corr = sp.limit(corrected27, n, sp.oo)
    steps.append(DerivationStep(
        rf"2N\frac{{\sigma_w^4}}{{N^2}} = {sp.latex(sp.simplify(corrected27))} \to "
        rf"{sp.latex(lim_corr)}", "corrected (27) (alpha = 1 as in the printed (26))",
        lim_corr == 0))
    # (23) -> (25) for N = 3 with exchangeable psi moments
    w = sp.symbols("W1:4", real=True)
    eps, m1, m2, c12 = sp.symbols("epsilon m_1 m_2 c", real=True)
    # E[(sum W psi + eps)^2] - (E[sum W psi + eps])^2 with E psi = m1, E psi^2 = m2,
    # E psi_a psi_b = c (a != b)
    second = sum(w[a] * w[b] * (m2 if a == b else c12) for a in range(3) for b in range(3))
    second += 2 * eps * m1 * sum(w) + eps ** 2
    first = (m1 * sum(w) + eps) ** 2
    var23 = sp.expand(second - first)
    indep = sp.expand(var23.subs(c12, m1 ** 2))
    target = sp.expand((m2 - m1 ** 2) * sum(wk ** 2 for wk in w))
    ok_indep = sp.simplify(indep - target) == 0
    steps.append(DerivationStep(
        r"(23):\ \mathrm{Var}_X\Big[\sum_k W_k\psi_k + \varepsilon\Big] \overset{\psi_a \perp"
        r" \psi_b}{=} \big(\mathbb E\psi^2 - (\mathbb E\psi)^2\big)\sum_k W_k^2",
        "N = 3, SymPy; independence gives E psi_a psi_b = (E psi)^2, not delta_ab", ok_indep))
    ok25 = sp.simplify(indep.subs(m1, 0) - m2 * sum(wk ** 2 for wk in w)) == 0
    steps.append(DerivationStep(
        r"\mathbb E\psi = 0 \Rightarrow (25):\ \sum_k W_k^2\,\mathbb E[\psi^2];\quad"
        r"\mathbb E[\psi_a\psi_b] = \alpha\,\delta_{ab}",
        "(25) holds when E psi = 0; the printed hint E[psi_a psi_b] = delta_ab needs alpha = 1",
        ok25))
    ok = lim_true == 0 and lim_corr == 0 and ok_indep and ok25
    evidence = {"variance": str(true_var), "limit": str(lim_true),
                "printed_26_variance": str(printed_var26),
                "printed_27_expression": str(sp.simplify(printed27)),
                "printed_27_limit": str(lim_printed),
                "corrected_27_expression": str(sp.simplify(corrected27)),
                "corrected_27_limit": str(lim_corr),
                "var_23_independent": str(sp.factor(indep)),
                "eq25_needs_mean_zero": ok25}
    run.record["symbolic"] = evidence
    return passed_if(
        ok, "symbolic",
        f"Var sigma_j^2 = {true_var} -> {lim_true}; printed (27) expression = "
        f"{sp.simplify(printed27)} (limit {lim_printed}, not 0); printed (26) variance "
        f"{printed_var26} omits alpha^2",
        evidence,
        name="Eqs. (23)-(27) symbolic",
        steps=steps)


def _moments(dps: int) -> dict[str, dict[str, Any]]:
    """E psi, alpha = E psi^2 and Var psi = alpha - (E psi)^2 with errors, at q = 1, for tanh,
    sigmoid and relu (seed 000, Eqs. (24)-(25)); mpmath, ``dps`` digits."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("tanh", "sigmoid", "relu"):
        ch = get_channel(name)
        mom = gaussian_moments_mp(ch.mpmath, mp.sqrt(SIGMA_Q), kinks=ch.kinks, dps=dps)
        with mp.workdps(dps + 10):
            var = mom["second"].value - mom["mean"].value ** 2
            var_err = mom["second"].error + 2 * abs(mom["mean"].value) * mom["mean"].error
        out[name] = {"mean": mom["mean"], "alpha": mom["second"], "var": var, "var_err": var_err,
                     "parity": ch.parity}
    return out


@CHI_SQUARE_VARIANCE.check("numeric", "Eqs. (23)-(25) hints")
def _numeric_hints(run: ClaimRun) -> CheckResult:
    """E psi, alpha = E psi^2, Var psi at q = 1, and a Monte Carlo of (23) over inputs X."""
    ctx = run.ctx
    mom = _moments(ctx.dps)
    run.record["moments"] = mom
    ev: dict[str, Any] = {"q": SIGMA_Q}
    cross: dict[str, str] = {}
    try:  # cross-check with the gaussian layer's tanh-sinh engine when it works
        for name in mom:
            ch = get_channel(name)
            ref = expect_mp(ch.mpmath, SIGMA_Q, dps=ctx.dps, breakpoints=ch.kinks)
            cross[name] = to_decimal(abs(ref.value - mom[name]["mean"].value), 3)
    except Exception as err:  # recorded; the check does not depend on the cross-check
        cross = {"unavailable": f"{type(err).__name__}: {err}"[:200]}
    ev["expect_mp_mean_abs_diff"] = cross
    for name, m in mom.items():
        ev[f"{name}_mean"] = to_decimal(m["mean"].value, ctx.dps)
        ev[f"{name}_mean_err"] = to_decimal(m["mean"].error, 3)
        ev[f"{name}_alpha"] = to_decimal(m["alpha"].value, ctx.dps)
        ev[f"{name}_alpha_err"] = to_decimal(m["alpha"].error, 3)
        ev[f"{name}_var"] = to_decimal(m["var"], ctx.dps)
        ev[f"{name}_var_err"] = to_decimal(m["var_err"], 3)
    # Monte Carlo of (23) for sigmoid: variance over inputs at one fixed weight row
    rng = np.random.default_rng(ctx.seed + 23)
    n_in, samples = 8, ctx.pick(200_000, 2_000_000)
    w = rng.standard_normal(n_in) / math.sqrt(n_in)
    x = rng.standard_normal((samples, n_in)) * math.sqrt(SIGMA_Q)
    h = get_channel("sigmoid").numpy(x) @ w + 0.3
    v_hat, se = variance_se(h)
    sw = float(np.sum(w ** 2))
    pred_var = sw * float(mom["sigmoid"]["var"])
    pred_25 = sw * float(mom["sigmoid"]["alpha"].value)
    z_var, z_25 = (v_hat - pred_var) / se, (v_hat - pred_25) / se
    ev.update({"mc_samples": samples, "mc_var_over_inputs": repr(v_hat), "mc_se": repr(se),
               "pred_sum_W2_var_psi": repr(pred_var), "pred_eq25_sum_W2_E_psi2": repr(pred_25),
               "z_var_psi": round(z_var, 2), "z_eq25": round(z_25, 2)})
    with mp.workdps(ctx.dps):
        tanh_zero = abs(mom["tanh"]["mean"].value) <= 10 * mom["tanh"]["mean"].error
    ok = tanh_zero and abs(z_var) <= 4.0
    run.record["hints"] = ev
    return passed_if(
        ok, "numeric",
        f"E tanh = 0 but E sigmoid = {mp.nstr(mom['sigmoid']['mean'].value, 6)}, E relu"
        f" = {mp.nstr(mom['relu']['mean'].value, 6)}; alpha(tanh, q=1) = "
        f"{mp.nstr(mom['tanh']['alpha'].value, 6)} != 1. Input Monte Carlo (sigmoid): "
        f"Var_X h = {v_hat:.5f} +- {se:.1e} matches sum W^2 Var psi (z = {z_var:.1f}), "
        f"not the printed (25) sum W^2 E psi^2 (z = {z_25:.0f})",
        ev,
        name="Eqs. (23)-(25) hints and Monte Carlo over inputs",
        counterexample=None if ok else {"z_var_psi": z_var})


@CHI_SQUARE_VARIANCE.check("numeric", "Monte Carlo")
def _monte_carlo(run: ClaimRun) -> CheckResult:
    """Var(sigma_j^2) over weight draws for several N, against 2 alpha^2 sw2^2 / N (seed 000,
    Eq. (27) corrected); alpha = E tanh^2 at q = 1 from the hints check (1 when it did not
    run); standard errors from the fourth moment."""
    ctx = run.ctx
    mom = run.record.get("moments")
    alpha = float(mom["tanh"]["alpha"].value) if mom else 1.0
    rng = np.random.default_rng(ctx.seed + 26)
    sw2 = 1.5
    draws = ctx.pick(20_000, 200_000)
    rows: list[dict[str, Any]] = []
    ok = True
    for n in ctx.pick((4, 16, 64, 256), (4, 16, 64, 256, 1024, 4096)):
        chunk = max(1, 2_000_000 // n)
        vals = []
        for start in range(0, draws, chunk):
            k = min(chunk, draws - start)
            w = rng.standard_normal((k, n)) * math.sqrt(sw2 / n)
            vals.append(alpha * np.sum(w * w, axis=1))
        s = np.concatenate(vals)
        v_hat, se = variance_se(s)
        exact = 2 * alpha ** 2 * sw2 ** 2 / n
        printed26 = 2 * sw2 ** 2 / n
        printed27 = 2 * sw2 ** 2
        z = (v_hat - exact) / se
        ok = ok and abs(z) <= 4.0
        rows.append({"N": n, "var_hat": repr(v_hat), "se": repr(se), "exact": repr(exact),
                     "z_exact": round(z, 2), "z_printed_26": round((v_hat - printed26) / se, 1),
                     "z_printed_27_expression": round((v_hat - printed27) / se, 1)})
    return passed_if(
        ok, "numeric",
        f"{draws} draws per N: the sample variance of alpha sum W^2 matches "
        f"2 alpha^2 sw2^2/N (|z| <= 4, standard errors from the 4th moment) and "
        f"decreases like 1/N; the printed (27) expression 2 sw2^2 = {2 * sw2 ** 2} is off "
        f"by > {min(abs(r['z_printed_27_expression']) for r in rows):.0f} SE",
        {"sw2": sw2, "alpha": repr(alpha), "draws": draws, "rows": rows,
         "tolerance": "|z| <= 4 (two-sided p ~ 6e-5 per N)"},
        name="Monte Carlo of Var(sigma_j^2) over weights",
        counterexample=None if ok else {"rows": rows})


@CHI_SQUARE_VARIANCE.check("property", "closed form")
def _property(run: ClaimRun) -> CheckResult:
    """The closed form 2 alpha^2 sw2^2/N against scipy's chi2 variance, and its decrease in N,
    searched by hypothesis (seed 000, Eq. (27))."""
    n_sym = sp.Symbol("N", positive=True)
    s2, al = sp.symbols("s2 alpha", positive=True)
    formula = sp.lambdify((n_sym, s2, al), 2 * al ** 2 * s2 ** 2 / n_sym, "math")

    def holds(ex: tuple[int, float, float]) -> bool:
        n, sw2, alpha = ex
        ref = float(stats.chi2(n).var()) * (alpha * sw2 / n) ** 2   # scipy: Var chi2 = 2N
        v, v_next = formula(n, sw2, alpha), formula(n + 1, sw2, alpha)
        return abs(v - ref) <= 1e-12 * ref and v_next < v

    strategy = st.tuples(st.integers(1, 10 ** 6), st.floats(1e-3, 10.0), st.floats(1e-3, 5.0))
    return property_result(
        "Var(alpha (sw2/N) chi^2(N)) = 2 alpha^2 sw2^2/N, decreasing in N",
        "the closed form equals scipy's chi2 variance times (alpha sw2/N)^2 and decreases in N",
        strategy, holds, max_examples=run.pick(100, 1000), seed=run.seed,
        describe=lambda ex: {"N": ex[0], "sw2": ex[1], "alpha": ex[2]})


@CHI_SQUARE_VARIANCE.derive
def chi_square_variance(run: ClaimRun) -> list[Finding]:
    """The misprints of (25)-(27) and the unstated E psi = 0, from the symbolic evidence and the
    moments of the hints check (seed 000, Eqs. (23)-(27))."""
    sym = run.record.get("symbolic")
    hints = run.record.get("hints", {})
    findings: list[Finding] = []
    if sym:
        findings.append(misprint(
            "seed 000, Eq. (26)", CHI_SQUARE_VARIANCE.printed[1],
            (r"(\sigma_j^{(l)})^2 = \alpha\sum_k (W_{jk}^{(l)})^2 \sim \alpha\,"
             r"\frac{\sigma_w^2}{N_{l-1}}\chi^2(N_{l-1})"),
            (f"variance of the printed right side {sym['printed_26_variance']} vs "
             f"{sym['variance']}; alpha(tanh, q=1) = "
             f"{hints.get('tanh_alpha', '?')}")))
        findings.append(misprint(
            "seed 000, Eq. (27)", CHI_SQUARE_VARIANCE.printed[2],
            (r"\lim_{N\to\infty} 2N\frac{\alpha^2\sigma_w^4}{N^2} = "
             r"\lim_{N\to\infty}\frac{2\alpha^2\sigma_w^4}{N} = 0"),
            (f"SymPy: the printed expression is {sym['printed_27_expression']} for "
             f"every N, limit {sym['printed_27_limit']}; the corrected one has limit "
             f"{sym['corrected_27_limit']}; Monte Carlo confirms 2 alpha^2 sw2^2/N")))
        findings.append(misprint(
            "seed 000, hint below Eq. (25)",
            r"\mathbb E[\psi(X_a)\psi(X_b)] = \delta_{a,b}",
            (r"\mathbb E[\psi(X_a)\psi(X_b)] = \alpha\,\delta_{a,b}\ "
             r"(\text{when } \mathbb E\psi = 0)"),
            (f"E psi^2 = alpha = {hints.get('tanh_alpha', '?')} for tanh"
             " at q = 1; (25) itself keeps E psi^2, consistent with alpha")))
    if run.record.get("moments"):
        findings.append(unstated_condition(
            "seed 000, Eqs. (24)-(25) and the hint E psi = 0",
            CHI_SQUARE_VARIANCE.printed[0],
            (r"(\sigma_j^{(l)})^2 = \sum_k (W_{jk}^{(l)})^2\,\mathrm{Var}[\psi(X_k)]"
             r"\ \text{(equal to (25) only if } \mathbb E\psi = 0)"),
            (f"E psi at q = 1: tanh {hints.get('tanh_mean')}, sigmoid "
             f"{hints.get('sigmoid_mean')} (not odd: non-ReLU yet "
             f"E psi = 1/2), relu {hints.get('relu_mean')}; input Monte "
             f"Carlo z-scores: Var psi {hints.get('z_var_psi')}, printed "
             f"(25) {hints.get('z_eq25')}. The vanishing variance (27) "
             "survives with alpha replaced by Var psi")))
    return findings
