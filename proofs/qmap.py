r"""qmap -- the variance recursion and its initial condition.

The printed forms are each evaluated literally: 000 Eq. (9) with sigma^(l-1) the standard
deviation it is defined as (psi(sqrt(sigma) x)^2), 002 Eq. (3) as printed (no square), 000
Eq. (10) dividing by N1.  Simulation: finite networks with N0 != N1,
measured q^l per layer (``theorycheck.simulate.cnn`` with kernel radius 0 = fully connected).

Source:
    seed 000, Eqs. (5)-(10); seed 002, Eq. (3)
Statement:
    The pre-activation variance obeys q^l = sw2 Int psi(sqrt(q^{l-1}) z)^2 Dz + sb2 from
    the initial condition q^1 = sw2 |x|^2/N0 + sb2; the printed forms 000 (9)-(10) and
    002 (3) say the same.
Hypotheses:
    - W_ij ~ N(0, sw2/N_{l-1}) i.i.d., zero mean
    - b ~ N(0, sb2)
    - infinite width (Gaussian pre-activations)
Printed:
    - (\sigma^{(l)})^2=\sigma_w^2\int\psi(\sqrt{\sigma^{(l-1)}}x)^2\mathsf{D}x+\sigma_b^2\
      quad(000,\ 9)
    - (\sigma^{(1)})^2=\frac{\sigma_w^2}{N_1}\langle\mathbf X,\mathbf X\rangle+\sigma_b^2\
      quad(000,\ 10)
    - q^l=\sigma_w^2\int\mathcal Dz\,\varphi(\sqrt{q^{l-1}}z)+\sigma_b^2\quad(002,\ 3)
    - q^0=\tfrac{1}{N_0}\|y^0\|_2^2,\ q^1=\sigma_w^2q^0+\sigma_b^2\quad(002,\ \text{Sec. 3
      .1})
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import CheckResult, ClaimRun, Finding, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import dec, passed_if, put, put_est, step
from theorycheck.claims.map_checks import two_widths
from theorycheck.claims.statistics import z_crit
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine, closed_form
from theorycheck.gaussian.symbolic import expect_independent
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.grid_maps import iterate, qmap_grid
from theorycheck.numbers import Estimate

DEFAULT = ("tanh", "relu", "erf", "sigmoid")
POINTS = ((1.5, 0.05), (2.5, 0.3))


QMAP = claim("qmap", __doc__, per_activation=True, activations=DEFAULT)


def printed_9(act: Any, g: Any, q: np.ndarray | float, sw2: float, sb2: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """000 Eq. (9) literally: sw2 int psi(sqrt(sigma) x)^2 Dx + sb2 with sigma = sqrt(q) (the
    standard deviation, Eq. (5)), i.e. psi evaluated at q^(1/4) x."""
    return qmap_grid(act, g, np.sqrt(np.asarray(q, dtype=float)), sw2, sb2)


def printed_3(act: Any, g: Any, q: np.ndarray | float, sw2: float, sb2: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """002 Eq. (3) literally: sw2 int Dz phi(sqrt(q) z) + sb2 (no square).

    Integrated as the even part (phi(u) + phi(-u))/2 (equal under the symmetric Dz), which is
    exactly 0 for odd phi instead of a rounding-size number.
    """
    psi = act.numpy(0)
    v, e = g.expect(lambda x: 0.5 * (psi(x) + psi(-x)), np.asarray(q, dtype=float))
    return sw2 * v + sb2, sw2 * e


def trajectory(fn: Any, act: Any, g: Any, q1: float, n: int, sw2: float, sb2: float
               ) -> np.ndarray:
    """q1 and n iterates of the map ``fn`` (qmap_grid, printed_9 or printed_3) in float64."""
    return iterate(lambda q: float(fn(act, g, max(q, 0.0), sw2, sb2)[0]), q1, n)


@QMAP.check("symbolic", "corrected recursion")
def _symbolic(run: ClaimRun) -> CheckResult:
    """E X_i^2 = sw2 E psi^2 + sb2 from independence and zero-mean weights, the first layer's
    /N0, and the printed forms read literally (SymPy; seed 000, Eqs. (7)-(10); 002, Eq. (3))."""
    steps = []
    N = 3
    w = sp.symbols(f"W_1:{N + 1}", real=True)
    a = sp.symbols(f"psi_1:{N + 1}", real=True)
    b, sw2, sb2, q, m = sp.symbols("epsilon sigma_w^2 sigma_b^2 q m", positive=True)
    pre = sum(wi * ai for wi, ai in zip(w, a, strict=True)) + b
    ex = expect_independent(pre ** 2, {**{wi: sw2 / N for wi in w}, b: sb2})
    ex_m = sp.simplify(ex.subs({ai ** 2: m for ai in a}))
    ok1 = sp.simplify(ex_m - (sw2 * m + sb2)) == 0
    steps.append(step(
        sp.latex(sp.Eq(sp.Symbol(r"\mathbb{E}[X_i^2]"), ex)),
        f"Eqs. (7)-(8) for N = {N}: cross terms vanish because E W = 0 and W, psi, epsilon are "
        "independent", ok1))
    mu = sp.Symbol("mu")
    biased = expect_independent((pre.subs({wi: wi + mu for wi in w})) ** 2,
                                {**{wi: sw2 / N for wi in w}, b: sb2})
    cross = sp.simplify(biased.subs({ai ** 2: m for ai in a}) - ex_m)
    steps.append(step(
        sp.latex(sp.Eq(sp.Symbol(r"\Delta_{E W=\mu}"), cross)),
        "with mean-mu weights cross terms psi_j psi_k survive: Eq. (8) needs zero-mean weights "
        "(stated in both sources)", cross != 0))
    z = sp.Symbol("z", real=True)
    dz = sp.exp(-z ** 2 / 2) / sp.sqrt(2 * sp.pi)
    relu_sq = sp.integrate((sp.sqrt(q) * z) ** 2 * dz, (z, 0, sp.oo))
    ok2 = sp.simplify(relu_sq - q / 2) == 0
    steps.append(step(
        rf"\int Dz\,\mathrm{{relu}}(\sqrt{{q}}z)^2 = {sp.latex(relu_sq)}",
        "relu closed form: the corrected map is q -> sw2 q/2 + sb2", ok2))
    relu_lin = sp.integrate(sp.sqrt(q) * z * dz, (z, 0, sp.oo))
    steps.append(step(
        rf"\text{{002 (3) literal, relu: }}\sigma_w^2\int Dz\,\mathrm{{relu}}(\sqrt q z)+\sigma_b^2"
        rf" = {sp.latex(sw2 * relu_lin + sb2)}",
        "without the square the printed map is sw2 sqrt(q)/sqrt(2 pi) + sb2, not sw2 q/2 + sb2",
        sp.simplify(relu_lin - q / 2) != 0))
    odd_ok = all(sp.simplify(f.subs(z, -z) * dz + f * dz) == 0
                 for f in (sp.tanh(sp.sqrt(q) * z), sp.erf(sp.sqrt(q) * z)))
    steps.append(step(
        r"\int Dz\,\psi(\sqrt q z) = 0\ \text{for odd}\ \psi \Rightarrow q^l = \sigma_b^2",
        "002 (3) literal for tanh and erf: psi(sqrt(q) z) Dz is odd in z (checked by SymPy: "
        "f(-z) + f(z) = 0), so the printed map sends every q to sb2", odd_ok))
    lin9 = sp.integrate((q ** sp.Rational(1, 4) * z) ** 2 * dz, (z, -sp.oo, sp.oo))
    lin_ok = sp.integrate((sp.sqrt(q) * z) ** 2 * dz, (z, -sp.oo, sp.oo))
    diff9 = sp.simplify(sw2 * (lin9 - lin_ok))
    steps.append(step(
        rf"\text{{000 (9) literal, }}\psi=x:\ \sigma_w^2\int(\sqrt{{\sigma}}x)^2Dx = "
        rf"{sp.latex(sw2 * lin9)}\ \text{{vs}}\ {sp.latex(sw2 * lin_ok)}",
        "with sigma^(l-1) = sqrt(q^(l-1)) (a standard deviation, Eq. (5)) the printed sqrt(sigma) "
        f"gives sw2 sqrt(q): difference {diff9}, zero only at q in {{0, 1}}",
        sp.solve(sp.Eq(diff9, 0), q) == [1]))
    n0, n1, xx = sp.symbols("N_0 N_1 X2", positive=True)
    M = 3
    wx = sp.symbols(f"V_1:{M + 1}", real=True)
    xs = sp.symbols(f"x_1:{M + 1}", real=True)
    first = expect_independent((sum(v * x for v, x in zip(wx, xs, strict=True)) + b) ** 2,
                               {**{v: sw2 / M for v in wx}, b: sb2})
    ok3 = sp.simplify(first - (sw2 * sum(x ** 2 for x in xs) / M + sb2)) == 0
    steps.append(step(
        sp.latex(sp.Eq(sp.Symbol(r"(\sigma^{(1)})^2"), first)),
        f"layer 1 with N0 = {M} inputs and W ~ N(0, sw2/N0) (000's own convention, N_{{l-1}} = "
        "N0 for l = 1): (sigma^(1))^2 = sw2 <X,X>/N0 + sb2, not /N1 as printed in Eq. (10)", ok3))
    ratio = sp.simplify((sw2 * xx / n1 + sb2 - sb2) / (sw2 * xx / n0))
    steps.append(step(
        rf"\frac{{(\sigma^{{(1)}})^2_{{(10)}}-\sigma_b^2}}{{(\sigma^{{(1)}})^2-\sigma_b^2}}"
        rf" = {sp.latex(ratio)}", "printed (10) is off by the factor N0/N1 unless N1 = N0", True))
    holds = ok1 and ok2 and ok3
    return passed_if(
        holds, "symbolic",
        ("E X_i^2 = sw2 E psi^2 + sb2 from independence and zero-mean weights; relu "
         "gives sw2 q/2 + sb2; layer 1 divides by N0.  The printed 000 (9), 002 (3) and "
         "000 (10) differ from these (see findings)") if holds else
        "the corrected recursion did not reduce as expected",
        {"sympy": sp.__version__},
        steps=steps)


@QMAP.check("numeric", "map vs references")
def _numeric(run: ClaimRun) -> CheckResult:
    """The corrected map against closed forms / an independent quadrature, and the printed
    000 (9) and 002 (3) evaluated literally at the same points."""
    acts, dps = run.activations(), run.dps
    ev: dict[str, Any] = {}
    bad: list[str] = []
    worst9 = worst3 = 0.0
    for act in acts:
        mf = MeanField(act, dps=dps)
        g = GridEngine(act, n_nodes=16)
        for sw2, sb2 in run.pick(POINTS[:1], POINTS):
            for q in (0.5, 2.0):
                key = f"{act.name}@sw2={sw2},sb2={sb2},q={q}"
                corr = mf.variance_map(q, sw2, sb2)
                cf = closed_form(act, "psi2", q, dps=dps)
                if cf is not None:
                    with mp.workdps(dps + 10):
                        ref = Estimate(mp.mpf(str(sw2)) * cf + mp.mpf(str(sb2)),
                                       mp.mpf(10) ** -(dps + 2), "closed form")
                else:
                    v, e = qmap_grid(act, g, q, sw2, sb2)
                    ref = Estimate(mp.mpf(float(v)), mp.mpf(float(e)) + 1e-13, "grid float64")
                put_est(ev, f"{key}:corrected", corr, dps)
                put(ev, f"{key}:reference[{ref.method}]", ref.value, ref.error, dps)
                with mp.workdps(dps + 10):
                    gap = abs(corr.value - ref.value)
                    if gap > 2 * (corr.error + ref.error) + mp.mpf(10) ** -dps:
                        bad.append(key)
                p9, _ = printed_9(act, g, q, sw2, sb2)
                p3, _ = printed_3(act, g, q, sw2, sb2)
                ev[f"{key}:printed_000_9"] = dec(float(p9), 15)
                ev[f"{key}:printed_002_3"] = dec(float(p3), 15)
                worst9 = max(worst9, abs(float(p9) - float(corr.value)))
                worst3 = max(worst3, abs(float(p3) - float(corr.value)))
        try:
            qs = mf.q_star(*POINTS[0])
            put_est(ev, f"{act.name}@sw2={POINTS[0][0]},sb2={POINTS[0][1]}:q_star", qs, dps)
            it = trajectory(qmap_grid, act, g, 1.0, 200, *POINTS[0])
            ev[f"{act.name}:q_star_by_iterating_float64"] = dec(it[-1], 15)
            if abs(it[-1] - float(qs.value)) > 1e-10 * max(1.0, abs(it[-1])):
                bad.append(f"{act.name}: q* iteration")
            for label, fn in (("000_9", printed_9), ("002_3", printed_3)):
                lit = trajectory(fn, act, g, 1.0, 200, *POINTS[0])
                ev[f"{act.name}:limit_of_printed_{label}_map"] = dec(lit[-1], 15)
        except TheoryCheckError as err:  # a missing fixed point is evidence, not a crash
            ev[f"{act.name}:q_star"] = f"not available: {err}"
    run.record["worst9"], run.record["worst3"] = worst9, worst3
    ev["max_abs_printed_000_9_minus_corrected"] = dec(worst9, 6)
    ev["max_abs_printed_002_3_minus_corrected"] = dec(worst3, 6)
    return passed_if(
        not bad, "numeric",
        (f"corrected map agrees with closed forms / an independent quadrature at "
         f"{len(acts) * len(run.pick(POINTS[:1], POINTS)) * 2} points; printed 000 (9) "
         f"and 002 (3) evaluated literally differ by up to {worst9:.3g} and "
         f"{worst3:.3g}") if not bad else
        f"corrected map disagrees with its reference at {bad}",
        ev,
        counterexample={"disagree": bad} if bad else None)


@QMAP.check("property", "two quadratures")
def _property(run: ClaimRun) -> CheckResult:
    """The corrected q-map by tanh-sinh (mpmath) equals Gauss-Legendre (float64) over random
    activations, (sw2, sb2) and q (seed 000, Eq. (9) corrected)."""
    acts, dps = run.activations(), min(run.dps, 20)
    engines = [(a, MeanField(a, dps=dps), GridEngine(a, n_nodes=16)) for a in acts]
    strat = st.tuples(st.integers(0, len(acts) - 1), st.floats(0.3, 4.0), st.floats(0.0, 1.0),
                      st.floats(0.01, 10.0))

    def holds(ex: tuple[int, float, float, float]) -> bool:
        i, sw2, sb2, q = ex
        act, mf, g = engines[i]
        a = mf.variance_map(q, sw2, sb2)
        v, e = qmap_grid(act, g, q, sw2, sb2)
        return abs(float(a.value) - float(v)) <= 2 * (float(a.error) + float(e)) + 1e-12 * (1 + q)

    return property_result(
        "mp-vs-grid", "the corrected q-map by tanh-sinh (mpmath) equals Gauss-Legendre (float64)",
        strat, holds, max_examples=run.pick(10, 80), seed=run.seed,
        describe=lambda ex: {"activation": engines[ex[0]][0].name, "sw2": ex[1], "sb2": ex[2],
                             "q": ex[3]})


@QMAP.check("simulation", "finite networks N0 != N1")
def _simulation(run: ClaimRun) -> CheckResult:
    """Measured q^l of finite networks with N0 != N1 against the corrected map and the
    printed alternatives (seed 000, Eqs. (9)-(10); seed 002, Eq. (3))."""
    from theorycheck.simulate import cnn  # lazy: torch

    acts = run.activations()
    sw2, sb2 = POINTS[0]
    n0, width = 64, run.pick(256, 512)
    depth, nets, inputs = run.pick(5, 8), run.pick(32, 96), 8
    rng = np.random.default_rng(run.seed)
    x = rng.standard_normal((n0, inputs))
    q0 = 1.0
    x *= np.sqrt(q0 * n0) / np.linalg.norm(x, axis=0)  # each input has |x|^2/N0 = q0 exactly
    ev: dict[str, Any] = {"N0": n0, "widths": [width, 2 * width], "depth": depth,
                          "networks": nets, "sw2": sw2, "sb2": sb2, "q0": q0}
    bad: list[str] = []
    zc = z_crit(depth)
    ev["z_crit"] = f"{zc:.3f} (family-wise 1e-3, Bonferroni over {depth} layers)"
    for act in [a for a in acts if a.name in ("tanh", "relu")] or acts[:1]:
        g = GridEngine(act, n_nodes=16)

        def mean_q(n: int, act: Any = act) -> np.ndarray:
            cov = cnn.cnn_covariances(act, x, sw2=sw2, sb2=sb2, channels=n, radius=0,
                                      depth=depth, networks=nets, seed=run.seed + n,
                                      placement=run.ctx.placement)
            return np.einsum("lrii->lr", cov.cov) / inputs  # mean q over the inputs, per net

        meas = two_widths(mean_q, width, axis=1)
        q1 = sw2 * q0 + sb2
        corr = trajectory(qmap_grid, act, g, q1, depth - 1, sw2, sb2)
        alt = {
            "printed_000_10_initial_condition": trajectory(
                qmap_grid, act, g, sw2 * q0 * n0 / width + sb2, depth - 1, sw2, sb2),
            "printed_000_9": trajectory(printed_9, act, g, q1, depth - 1, sw2, sb2),
            "printed_002_3": trajectory(printed_3, act, g, q1, depth - 1, sw2, sb2),
        }
        zs = meas.z(corr)
        ev[f"{act.name}:measured_q_by_layer(extrapolated)"] = [dec(v, 8) for v in meas.mean]
        ev[f"{act.name}:measured_q_by_layer_err"] = [dec(v, 3) for v in meas.se]
        ev[f"{act.name}:measured_q_width_{width}"] = [dec(v, 8) for v in meas.at_width]
        ev[f"{act.name}:corrected_map"] = [dec(v, 8) for v in corr]
        ev[f"{act.name}:z_corrected"] = [f"{v:.2f}" for v in zs]
        if np.any(np.abs(zs) > zc):
            bad.append(act.name)
        for label, traj in alt.items():
            za = meas.z(traj)
            ev[f"{act.name}:{label}"] = [dec(v, 8) for v in traj]
            ev[f"{act.name}:z_{label}"] = [f"{v:.1f}" for v in za]
            run.record.setdefault(label, []).append((act.name, float(np.max(np.abs(za)))))
    return passed_if(
        not bad, "simulation",
        (f"measured q^l (N0={n0}, widths {width}/{2 * width} extrapolated, {nets} "
         f"networks) follows the corrected map from q^1 = sw2 |x|^2/N0 + sb2 within "
         f"z < {zc:.2f}; the printed alternatives are rejected (z in evidence)")
        if not bad else f"measured q^l departs from the corrected map for {bad}",
        ev,
        counterexample={"disagree": bad} if bad else None)


def _sim_z(record: dict[str, Any], label: str) -> str:
    rows = record.get(label)
    if not rows:
        return "simulation not run"
    return "; ".join(f"{n}: max |z| = {z:.1f}" for n, z in rows)


def _findings(record: dict[str, Any]) -> list[Finding]:
    """Misprint findings, each backed by a number computed in this run (never asserted)."""
    found: list[Finding] = []
    zc = z_crit(8)
    w9, w3 = record.get("worst9", 0.0), record.get("worst3", 0.0)
    rows = {k: max((z for _, z in record.get(k, [])), default=0.0) for k in (
        "printed_000_9", "printed_002_3", "printed_000_10_initial_condition")}
    if w9 > 1e-8 or rows["printed_000_9"] > zc:
        found.append(Finding(
            "misprint", "seed 000, Eq. (9)",
            r"\sigma_w^2\int\psi(\sqrt{\sigma^{(l-1)}}x)^2\mathsf Dx+\sigma_b^2",
            r"\sigma_w^2\int\psi(\sigma^{(l-1)}x)^2\mathsf Dx+\sigma_b^2"
            r"=\sigma_w^2\int\psi(\sqrt{q^{l-1}}z)^2\mathcal Dz+\sigma_b^2",
            f"sigma^(l-1) is a standard deviation (Eq. (5)); read literally the map evaluates psi "
            f"at q^(1/4) x; max |literal - corrected| = {w9:.4g} at the numeric points; "
            f"simulation: {_sim_z(record, 'printed_000_9')}"))
    if w3 > 1e-8 or rows["printed_002_3"] > zc:
        found.append(Finding(
            "misprint", "seed 002, Eq. (3)",
            r"q^l=\sigma_w^2\int\mathcal Dz\,\varphi(\sqrt{q^{l-1}}z)+\sigma_b^2",
            r"q^l=\sigma_w^2\int\mathcal Dz\,\varphi(\sqrt{q^{l-1}}z)^2+\sigma_b^2",
            f"the square is missing: for odd phi (tanh, erf) the literal map sends every q to "
            f"sb2; max |literal - corrected| = {w3:.4g}; simulation: "
            f"{_sim_z(record, 'printed_002_3')}"))
    if rows["printed_000_10_initial_condition"] > zc:
        found.append(Finding(
            "misprint", "seed 000, Eq. (10)",
            r"(\sigma^{(1)})^2=\frac{\sigma_w^2}{N_1}\langle\mathbf X,\mathbf X\rangle+\sigma_b^2",
            r"(\sigma^{(1)})^2=\frac{\sigma_w^2}{N_0}\langle\mathbf X,\mathbf X\rangle+\sigma_b^2",
            "with W^(1) ~ N(0, sw2/N0) (000's own convention) the first layer's variance divides "
            "by the input width N0 (as 002 writes q^0 = |y^0|^2/N0); networks with N0 != N1: "
            f"{_sim_z(record, 'printed_000_10_initial_condition')}"))
    return found


@QMAP.derive
def qmap(run: ClaimRun) -> list[Finding]:
    """The misprints of 000 (9), 002 (3) and 000 (10), from the numeric and simulation evidence."""
    return _findings(run.record)
