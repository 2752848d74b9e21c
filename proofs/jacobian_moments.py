r"""jacobian-moments -- seed 000, Eqs. (60)-(67); seed 002, Sec. 3.2.

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

Source:
    seed 000, Eqs. (60)-(67); seed 002, Sec. 3.2
Statement:
    For H = J^T J of a depth-l network at the fixed point: m1 = (sw2 mu1)^l, m2 = (sw2
    mu1)^(2l) (mu2/mu1^2 + 1/l - 1 - s1) l, mu_k = Int psi'(s* z)^(2k) Dz, s1 = 0
    (orthogonal), -1 (Gaussian); m1 = chi1 for one layer; mu1^2 <= mu2 with equality iff
    s* -> 0, so at m1 = 1 and mu1^2 = mu2, m2 = 1 (orthogonal) and m2 = l + 1
    (Gaussian).
Hypotheses:
    - all layers at the fixed point q*
    - D and W freely independent (Eq. 62)
Printed:
    - S_{UV}(z) = S_U(z) S_V(z) \quad (60)
    - m_1 = (\sigma_w^2 \tilde\mu_1)^l \quad (64)
    - m_2 = (\sigma_w^2\tilde\mu_1)^{2l}\Big(\frac{\tilde\mu_2}{\tilde\mu_1^2} + \frac1
      l - 1 - s_1\Big) l \quad (65)
    - \tilde\mu_1^2 = \Big(\int\psi'(\sigma^*z)^2\mathsf{D}z\Big)^2 \le \int\psi'(\sigma^*
      z)^4\mathsf{D}z = \tilde\mu_2 \quad (66)
    - \psi'(\sigma^*z)^2 \propto \psi'(\sigma^*z)^4 \Leftrightarrow \sigma^* \to 0 \quad (
      67)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.activations.jumps import describe_jumps
from theorycheck.claims import Check, CheckResult, ClaimRun, Condition, claim
from theorycheck.claims.certified_checks import certified_activations, certified_jacobian_gap
from theorycheck.claims.evidence import (
    binned_sample,
    dec,
    passed_if,
    put,
    skipped,
    unstated_condition,
)
from theorycheck.claims.search_checks import search
from theorycheck.claims.spectrum_checks import density_vs_networks
from theorycheck.claims.strategies import generated_activations
from theorycheck.claims.symbolic_jacobian import equality_case, s_transform
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine, expect_mp
from theorycheck.meanfield import MeanField

CONDITION = ("psi'(x)^2 is not almost-everywhere constant (psi not linear, not c|x|) and psi' "
             "is continuous at 0 -- the two ways the printed 'mu1^2 = mu2 iff s* -> 0' fails")
EQUALITY_DIGITS = 20
CERTIFIED_GAP = ("tanh", "erf", "relu")   # quick: psi'^2 not constant, switch points at 0 only


JACOBIAN_MOMENTS = claim(
    "jacobian-moments", __doc__,
    per_activation=True, core=True,
    checks=[  # the symbolic checks live in theorycheck.claims.symbolic_jacobian
        Check("symbolic", "(64)-(65) from the S-transform; m2 = 1, l + 1", s_transform),
        Check("symbolic", "(66)-(67): the equality case", equality_case),
    ],
    condition=Condition(
        text=CONDITION, search="(67) over generated activations",
        inside=Check("property", "(67) inside the condition",
                     lambda run: _property(run, inside=True)),
        # equality at s* > 0 needs psi'^2 constant a.s. (Cauchy-Schwarz); a limit != 1 as
        # s* -> 0 needs one-sided derivatives of different squares: both outside the condition
        outside=lambda ce: (ce.get("violation") == "equality at s* > 0"
                            or ce.get("dpsi(0-)") != ce.get("dpsi(0+)")),
        finding=lambda ce: unstated_condition(
            "seed 000, Eq. (67)",
            r"\tilde\mu_1^2 = \tilde\mu_2 \Leftrightarrow \sigma^* \to 0",
            r"\text{holds for } \psi'^2 \text{ not a.s. constant and } \psi' "
            r"\text{ continuous at } 0",
            f"search counterexample psi = {ce.get('psi')} ({ce.get('violation')})")),
)


# -- numeric ---------------------------------------------------------------------------------------
@JACOBIAN_MOMENTS.check("numeric", "mu2/mu1^2 per activation; m2(l) on the EOC")
def _numeric(run: ClaimRun) -> CheckResult:
    """mu2/mu1^2 >= 1 (66) per activation on a q grid (float64), and mu1, mu2, m2(l) of (65)
    on the EOC with mpmath at the run's precision."""
    acts = run.activations()
    q = np.logspace(-6, 3, run.pick(200, 800))
    rows: dict[str, Any] = {}
    bad: list[dict[str, str]] = []
    for act in acts:
        if act.jumps:
            rows[act.name] = {"not_applicable": f"{describe_jumps(act.jumps)}: psi' has a point "
                              "mass, so mu1 = E psi'^2 = inf and mu2 = inf; (64)-(66) compare "
                              "moments that do not exist"}
            continue
        eng = GridEngine(act, kinks=[float(k) for k in act.kinks])
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
        run.outcome.per_activation.setdefault(act.name, {})["mu2_over_mu1sq"] = row
    if acts and all("not_applicable" in rows[a.name] for a in acts):
        why = "; ".join(r["not_applicable"] for r in rows.values())
        return skipped("numeric", "", f"does not apply: {why} (and chi1 = inf: no edge of chaos)",
                       per_activation=rows)
    # mpmath on the edge of chaos: mu1, mu2 and m2(l) at sb2 values approaching the DI point
    eoc_acts = [a for a in acts if a.name == "tanh"] if run.quick and not run.ctx.activations \
        else acts
    ev: dict[str, Any] = {"q_grid": f"{q.size} points in [1e-6, 1e3]", "per_activation": rows}
    depths = (1, 2, 5, 10, 50)
    for act in eoc_acts:
        mf = MeanField(act, dps=run.dps)
        table = {}
        for sb2 in run.pick(("0.05", "0.001"), ("0.2", "0.05", "0.01", "0.001")):
            try:
                pt = mf.eoc_sw2(mp.mpf(sb2))
            except TheoryCheckError as err:
                table[sb2] = {"skipped": err.message}
                continue
            if pt.mu1 is None or pt.mu2 is None:
                continue
            with mp.workdps(run.dps + 10):
                r = pt.mu2.value / pt.mu1.value**2
                entry: dict[str, Any] = {}
                put(entry, "sw2", pt.sw2.value, pt.sw2.error, run.dps)
                put(entry, "q_star", pt.q_star.value, pt.q_star.error, run.dps)
                put(entry, "mu1", pt.mu1.value, pt.mu1.error, run.dps)
                put(entry, "mu2", pt.mu2.value, pt.mu2.error, run.dps)
                put(entry, "chi1", pt.sw2.value * pt.mu1.value,
                    pt.sw2.error * pt.mu1.value + pt.sw2.value * pt.mu1.error, run.dps)
                for l in depths:
                    for name, s1 in (("orthogonal", 0), ("gaussian", -1)):
                        m2 = (r + mp.mpf(1) / l - 1 - s1) * l      # (65) at m1 = 1
                        entry[f"m2_{name}_l{l}"] = dec(m2, 12)
            table[sb2] = entry
        ev.setdefault("eoc_mpmath", {})[act.name] = table
    ok = not bad
    return passed_if(
        ok, "numeric",
        f"mu2/mu1^2 >= 1 on q in [1e-6, 1e3] for {len(rows)} activation(s) (Cauchy-"
        "Schwarz, (66)); on the EOC (m1 = 1) m2(l) from (65) grows like "
        "l (mu2/mu1^2 - 1) (orthogonal) and l mu2/mu1^2 (Gaussian), reducing to 1 and "
        "l + 1 only as mu2/mu1^2 -> 1 (the DI point)",
        ev,
        counterexample=bad[0] if bad else None)


# -- property --------------------------------------------------------------------------------------
def _mus_float(act: Any, q: np.ndarray, kinks: tuple[float, ...] = ()
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu1 = E psi'^2, mu2 = E psi'^4 at q (float64 grid engine) and the error of mu2/mu1^2."""
    eng = GridEngine(act, kinks=kinks, n_nodes=16)
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


def _property(run: ClaimRun, *, inside: bool) -> CheckResult:
    """A search over generated activations and variances for a violation of (67): equality at
    s* > 0, or no equality as s* -> 0; ``inside``: only activations inside the condition."""
    space = st.tuples(generated_activations(max_terms=2),
                      st.sampled_from([1.0, 0.5, 2.0, 0.1]) | st.floats(0.05, 10.0))
    statement = ("(67): mu1^2 = mu2 only as s* -> 0, and mu2/mu1^2 -> 1 as s* -> 0" +
                 (" -- for psi'^2 not constant and psi' continuous at 0" if inside else ""))
    found = search(statement, space, lambda e: _eq67_holds(e, inside),
                   max_examples=run.pick(60, 500), seed=run.seed)
    if found.example is None:
        return found.passed()
    gen, q = found.example
    ce = _equality_away_from_zero(gen, q) or _no_limit_at_zero(gen) or {}
    ce.update(gen.describe())
    kind = ("equality at s* > 0" if "mu2_minus_mu1sq" in ce else
            "no equality as s* -> 0")
    ce["violation"] = kind
    return found.failed(f"{statement}: shrunk counterexample psi = {gen.formula} "
                        f"({kind}; q* = {q!r})", ce)


JACOBIAN_MOMENTS.check("numeric", "certified: mu1^2 < mu2 on q intervals")(
    lambda run: certified_jacobian_gap(run, certified_activations(run, CERTIFIED_GAP)))


@JACOBIAN_MOMENTS.check("property", "(66) Cauchy-Schwarz")
def _cs_property(run: ClaimRun) -> CheckResult:
    """A search over generated activations and variances for mu1^2 > mu2 (Eq. (66))."""
    space = st.tuples(generated_activations(max_terms=3), st.floats(1e-4, 50.0))

    def holds(e: tuple[Any, float]) -> bool:
        m1, m2, err = _mus_float(e[0].activation(), np.array([e[1]]), e[0].kink_points)
        return bool(m2[0] >= m1[0] ** 2 * (1 - 1e-12) - err[0] * m1[0] ** 2)

    found = search("mu1^2 <= mu2 (66)", space, holds, max_examples=run.pick(60, 500),
                   seed=run.seed + 1, record_seed=False)
    if found.example is None:
        tried = found.evidence["examples"]
        return found.passed(summary=f"mu1^2 <= mu2: no counterexample in {tried} generated "
                                    "activations and variances")
    gen, q = found.example
    return found.failed(f"mu1^2 > mu2 for psi = {gen.formula} at q = {q}",
                        {"psi": gen.formula, "q": repr(q)})




@JACOBIAN_MOMENTS.check("property", "(67) over generated activations")
def _eq67_search(run: ClaimRun) -> CheckResult:
    """The search of :func:`_property` over every generated activation (Eq. (67))."""
    return _property(run, inside=False)
# -- simulation ------------------------------------------------------------------------------------
@JACOBIAN_MOMENTS.check("simulation", "empirical m1, m2 of J^T J")
def _simulation(run: ClaimRun) -> CheckResult:
    """Empirical m1, m2 of J^T J in finite networks (Gaussian and orthogonal weights) against
    (64)-(65) within the simulation's derived tolerance."""
    from theorycheck.simulate import float64_theory, measure  # lazy: torch

    tanh_eoc = MeanField("tanh", dps=20).eoc_sw2(mp.mpf("0.05"))
    sw2_eoc = float(tanh_eoc.sw2.value)
    runs = [("linear", 1.0, 0.0, 1, "gaussian", run.pick(128, 512)),     # Marchenko-Pastur
            ("tanh", 2.0, 0.1, 1, "gaussian", run.pick(128, 512)),        # m1 = chi1 != 1
            ("tanh", sw2_eoc, 0.05, run.pick(4, 16), "gaussian", run.pick(128, 512)),
            ("tanh", sw2_eoc, 0.05, run.pick(4, 16), "orthogonal", run.pick(128, 512))]
    if not run.quick:
        runs += [("tanh", sw2_eoc, 0.05, 8, "gaussian", 256),
                 ("tanh", sw2_eoc, 0.05, 8, "orthogonal", 1024),
                 ("erf", 2.0, 0.05, 4, "orthogonal", 512)]
    rows, bad, figs = [], [], []
    for name, sw2, sb2, depth, weights, width in runs:
        act = float64_theory(name) if run.quick else name
        res = measure("jacobian", act, sw2=sw2, sb2=sb2, width=width, depth=depth,
                      weights=weights, samples=run.pick(16, 48), seed=run.seed,
                      placement=run.ctx.placement)
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
        if hist and run.ctx.figure_dir and not figs and name == "tanh" and depth > 1:
            sample = binned_sample(hist["log10_edges"], hist["counts"], log10=True)
            figs = run.figure("jacobian_spectrum", "jacobian-moments-tanh-spectrum", sample,
                              m1=float(m1.get("theory", 1.0)), m2=float(m2.get("theory", 0.0)),
                              setting=f"tanh, L={depth}, N={width}, {weights} (binned)")
    run.outcome.figures.extend(figs)
    ok = not bad
    return passed_if(
        ok, "simulation",
        f"{len(rows) - len(bad)}/{len(rows)} finite-network measurements of m1, m2 of "
        "J^T J agree with (64)-(65) within the simulation's derived tolerance (linear "
        "Gaussian layer = Marchenko-Pastur, one tanh layer m1 = chi1, tanh on the EOC "
        "with Gaussian and orthogonal weights)",
        {"runs": rows},
        counterexample=bad[0] if bad else None,
        figures=figs)


JACOBIAN_MOMENTS.check("simulation", "the whole density against finite networks (KS)")(
    density_vs_networks)
