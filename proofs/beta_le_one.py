r"""beta-le-one -- seed 000, Eqs. (37)-(38), (50)-(55), Fig. 6.  The checks:

* symbolic: the exact identity behind (51)-(55),
  beta^2 = 1 - sb2/q* - sw2 E[(psi(s* z) - a z)^2]/q*  with  a = E[psi(s* z) z],
  so beta^2 <= 1 - sb2/q* <= 1 with equality iff sb2 = 0 and psi(s* z) = a z a.s. (psi linear);
  and the printed equality condition of (51), "psi(s* x)^2 proportional to x^2", against psi = |x|;
* numeric: the float64 plane of beta per activation, its maximum over q* > 0 confirmed with
  mpmath; and beta < 1 *certified* on boxes of the plane (Arb, ``claims.certified_checks``);
* property: a hypothesis search over generated activations and points of the plane (DI points
  included) for a fixed point q* > 0 with beta = 1, candidates re-computed with mpmath.

Source:
    seed 000, Eqs. (37)-(38), (50)-(55), Fig. 6
Statement:
    beta(sw, sb) = sw Int psi(s* z) z Dz / s* (s* = sqrt(q*)) satisfies beta < 1
    whenever s* != 0, by Cauchy-Schwarz and the fixed-point equation (52); for every
    activation and over the whole (sw, sb) plane.
Hypotheses:
    - q* = s*^2 a stable fixed point of the variance map (52)
    - s* != 0
Printed:
    - \beta = \sigma_w \int_{\mathbb{R}} \frac{\psi(\sigma^* z)}{\sigma^*} z\, \mathsf{D}
      z \quad (38)
    - \Big(\int \psi(\sigma^* z) z \mathsf{D}z\Big)^2 \le \iint \psi(\sigma^* x)^2 y^2 \ma
      thsf{D}x\mathsf{D}y,\ \text{equality only if } \psi(\sigma^* x)^2 \propto x^2 \qua
      d (51)
    - (\sigma^*)^2 = \sigma_w^2 \int \psi(\sigma^* z)^2 \mathsf{D}z + \sigma_b^2 \quad (52
      )
    - \sigma_w^2 \Big(\int \psi(\sigma^* z) z \mathsf{D}z\Big)^2 < (\sigma^*)^2,\quad \bet
      a^2 < 1 \ (\sigma^* \ne 0) \quad (53)\text{-}(55)
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from theorycheck.claims import Check, CheckResult, ClaimRun, Condition, claim
from theorycheck.claims.certified_checks import certified_activations, certified_beta_bound
from theorycheck.claims.evidence import (
    dec,
    misprint,
    passed_if,
    put,
    skipped,
    step,
    unstated_condition,
)
from theorycheck.claims.search_checks import search
from theorycheck.claims.strategies import activation_plane_points, generated_activations
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.symbolic import expect_standard
from theorycheck.meanfield import MeanField, phase_plane
from theorycheck.meanfield.search import FastMeanField, mp_fixed_point_beta

CONDITION = ("psi is not linear: psi(s* z) is not proportional to z (the only equality case of "
             "the Cauchy-Schwarz step; for psi(x) = a x at (sw2, sb2) = (1/a^2, 0) every q > 0 "
             "is a fixed point and beta = 1)")
CONFIRM_DIGITS = 20      # a counterexample needs beta = 1 and map(q) = q to this many digits
NOT_SIMULATED = (
    "not run: in a finite network the empirical beta_N = sw Cov(psi(h), h)/Var(h) obeys "
    "beta_N <= 1 by the same Cauchy-Schwarz step for any law of h, and at a stationary "
    "layer E h^2 = sw2 E psi(h)^2 + sb2 holds exactly in expectation over the weights; a "
    "simulation would test only that h is near-Gaussian (the qmap and variance checks do "
    "that), not this claim")


BETA_LE_ONE = claim(
    "beta-le-one", __doc__,
    per_activation=True, core=True,
    condition=Condition(
        text=CONDITION, search="search",
        inside=Check("property", "inside the condition",
                     lambda run: _property(run, nonlinear_only=True)),
        outside=lambda ce: ce.get("linear") == "True",
        finding=lambda ce: unstated_condition(
            "seed 000, Eqs. (53)-(55)",
            r"\beta < 1 \text{ when } \sigma^* \ne 0",
            r"\beta < 1 \text{ when } \sigma^* \ne 0 \text{ and } \psi "
            r"\text{ is not linear}",
            f"search counterexample: psi = {ce.get('psi')} at (sw2, sb2) = "
            f"({ce.get('sw2')}, {ce.get('sb2')}): q* = {ce.get('q_star')}, "
            f"beta = {ce.get('beta')}",
            affects_conclusion=True)),
)


@BETA_LE_ONE.check("symbolic", "Cauchy-Schwarz chain (51)-(55)")
def _symbolic(run: ClaimRun) -> CheckResult:
    """The identity beta^2 = 1 - sb2/q* - sw2 E[(psi - a z)^2]/q* (seed 000, Eqs. (51)-(55))
    and the printed equality condition of (51) against psi = |x| (SymPy, exact)."""
    a = sp.Symbol("a", real=True)                   # E[psi(s z) z]
    b = sp.Symbol("b", nonnegative=True)            # E[psi(s z)^2]
    q, sw2 = sp.symbols("q_star sigma_w^2", positive=True)
    sb2 = sp.Symbol("sigma_b^2", nonnegative=True)
    # the Cauchy-Schwarz gap: E[(psi - a z)^2] = E psi^2 - 2 a E[psi z] + a^2 E z^2 = b - a^2
    R = sp.expand(b - 2 * a * a + a**2 * 1)
    beta2 = sw2 * a**2 / q                          # Eq. (38) squared
    b_fixed = (q - sb2) / sw2                       # Eq. (52): q* = sw2 E psi^2 + sb2
    identity = sp.simplify((beta2 - (1 - sb2 / q - sw2 * R / q)).subs(b, b_fixed))
    steps = [
        step(sp.Eq(sp.Symbol("E[(psi - a z)^2]"), R),
             "expand with E[psi z] = a, E z^2 = 1: the Cauchy-Schwarz gap of (51), >= 0", True),
        step(sp.Eq(sp.Symbol("E psi^2"), b_fixed), "fixed-point equation (52)", True),
        step(sp.Eq(sp.Symbol("beta^2"), 1 - sb2 / q - sw2 * sp.Symbol("R") / q),
             f"Eq. (38) squared; SymPy: difference = {identity}", identity == 0),
        step(r"\beta^2 \le 1 - \sigma_b^2/q^* \le 1",
             "R >= 0, sb2 >= 0, q* > 0; equality iff sb2 = 0 and R = 0", True),
        step(r"R = 0 \iff \psi(s^* z) = a z \text{ a.s.} \iff \psi(x) = (a/s^*)\,x",
             "the Gaussian charges every interval; psi continuous", True),
    ]
    # the printed equality condition of (51): psi(s* x)^2 proportional to x^2.  psi = |x| meets it
    s, z = sp.Symbol("s", positive=True), sp.Symbol("z", real=True)
    a_abs = expect_standard(sp.Abs(s * z) * z, z)
    b_abs = expect_standard((s * z) ** 2, z)
    gap_abs = sp.simplify(b_abs - a_abs**2)
    steps.append(step(sp.Eq(sp.Symbol("E[|s z| z]"), a_abs),
                      f"psi = |x| has psi(s x)^2 = s^2 x^2, yet the Cauchy-Schwarz gap is "
                      f"{gap_abs} > 0", bool(gap_abs != 0)))
    if gap_abs != 0:
        run.finding(misprint(
            "seed 000, Eq. (51), equality condition",
            r"\text{equality only if } \psi(\sigma^* x)^2 \propto x^2",
            r"\text{equality iff } \psi(\sigma^* x) \propto x \text{ (a.e.)}",
            f"SymPy: for psi = |x|, psi(s x)^2 = s^2 x^2 but E[|s z| z] = {a_abs} and "
            f"E psi^2 - E[psi z]^2 = {gap_abs}: the inequality is strict"))
    # the equality case attained: psi = c x on the fixed-point set
    c = sp.Symbol("c", positive=True)
    q_lin = sp.solve(sp.Eq(q, sw2 * c**2 * q + sb2), q)
    beta_lin = sp.sqrt(sw2) * c          # E[c s z z]/s = c
    eq_case = "every q > 0 at sw2 = 1/c^2, sb2 = 0; q* = sb2/(1 - sw2 c^2) otherwise"
    steps.append(step(sp.Eq(sp.Symbol("beta_linear"), beta_lin),
                      f"psi = c x: fixed points {q_lin} ({eq_case}); beta = sw c, = 1 exactly "
                      "where sw2 c^2 = 1, sb2 = 0 (a continuum of fixed points q > 0)", None))
    ok = identity == 0
    return passed_if(
        ok, "symbolic",
        "beta^2 = 1 - sb2/q* - sw2 E[(psi - a z)^2]/q* (SymPy), so beta <= 1; strict "
        "unless sb2 = 0 and psi(s* z) = a z a.s., i.e. psi linear -- the printed strict "
        "'beta < 1 when s* != 0' needs psi not linear",
        {"identity_residual": str(identity), "equality_case": "sb2 = 0 and psi linear",
         "abs_counterexample_to_printed_equality_condition": "psi = |x|"},
        steps=steps)


def _plane_grid(run: ClaimRun) -> tuple[np.ndarray, np.ndarray]:
    """The (sw2, sb2) grid of the beta plane: sw2 in [0.04, 4], sb2 in [0, 1]."""
    n_w, n_b = run.pick((48, 25), (160, 81))
    sw2 = np.linspace(0.04, 4.0, n_w)
    sb2 = np.linspace(0.0, 1.0, n_b)
    return sw2, sb2


@BETA_LE_ONE.check("numeric", "beta plane per activation")
def _numeric(run: ClaimRun) -> CheckResult:
    """The float64 plane of beta (Eq. (38)) per activation, its maximum over q* > 0, confirmed
    with mpmath at the run's precision together with the identity of (55)."""
    acts = run.activations()
    sw2, sb2 = _plane_grid(run)
    rows: dict[str, dict[str, Any]] = {}
    failures: list[dict[str, Any]] = []
    best: tuple[float, str] | None = None
    planes: dict[str, Any] = {}
    for act in acts:
        engine = "meanfield.phase_plane"
        plane: Any
        try:
            plane = phase_plane(act, sw2, sb2, with_xi_c=False)
        except TheoryCheckError as err:
            # second route: the float64 fixed-point search of the property check, on the grid
            try:
                fallback = FastMeanField(act, q_lo=1e-8, q_hi=1e3, n_q=400).plane(sw2, sb2)
            except TheoryCheckError as err2:
                rows[act.name] = {"skipped": f"phase plane not computable: {err.message}; "
                                             f"fallback: {err2.message}"}
                continue
            plane = SimpleNamespace(q_star=fallback["q_star"], beta=fallback["beta"],
                                    beta_err=fallback["beta_err"], chi1=None, sw2=sw2, sb2=sb2)
            engine = f"grid-engine fixed points (phase_plane failed: {err.message})"
        planes[act.name] = plane
        pos = np.isfinite(plane.beta) & (plane.q_star > 1e-9)
        if not pos.any():
            rows[act.name] = {"skipped": "no grid point with a finite q* > 0"}
            continue
        b = np.where(pos, plane.beta, -np.inf)
        i, j = np.unravel_index(int(np.argmax(b)), b.shape)
        over = pos & (plane.beta > 1 + plane.beta_err + 1e-12)
        row = {"max_beta_float64": dec(b[i, j], 15), "max_beta_float64_err":
               dec(float(plane.beta_err[i, j]), 3), "argmax_sw2": dec(sw2[i], 10),
               "argmax_sb2": dec(sb2[j], 10), "q_star_at_argmax": dec(plane.q_star[i, j], 12),
               "grid_points_with_q_star_gt_0": int(pos.sum()),
               "grid_points_beta_gt_1": int(over.sum()), "plane_engine": engine}
        if over.any():
            k, m = np.argwhere(over)[0]
            failures.append({"activation": act.name, "sw2": dec(sw2[k], 12),
                             "sb2": dec(sb2[m], 12), "beta": dec(plane.beta[k, m], 15)})
        rows[act.name] = row
        if best is None or b[i, j] > best[0]:
            best = (float(b[i, j]), act.name)
    # mpmath at the run's precision at the argmax: every activation in the full profile; in the
    # quick profile tanh (the source's example) and the activation closest to 1
    confirm = [a for a in acts if a.name in rows and "skipped" not in rows[a.name]]
    if run.quick:
        keep = {"tanh", best[1] if best else ""}
        confirm = [a for a in confirm if a.name in keep] or confirm[:1]
    for act in confirm:
        row = rows[act.name]
        mf = MeanField(act, dps=run.dps)
        with mp.workdps(run.dps + 10):
            w, v = mp.mpf(row["argmax_sw2"]), mp.mpf(row["argmax_sb2"])
            beta = mf.beta(w, v)
            qs = mf.q_star(w, v)
            put(row, "max_beta_mp", beta.value, beta.error, run.dps)
            put(row, "q_star_at_argmax_mp", qs.value, qs.error, run.dps)
            # the identity of the symbolic check, evaluated: 1 - beta^2 = sb2/q* + sw2 R/q*
            e_psi2 = mf.expect("psi2", qs.value)
            a_val = beta.value * mp.sqrt(qs.value) / mp.sqrt(w)
            R = e_psi2.value - a_val**2
            resid = (1 - beta.value**2) - (v / qs.value + w * R / qs.value)
            put(row, "identity_residual", resid,
                beta.error * 2 + e_psi2.error * w / qs.value + qs.error / qs.value, run.dps)
            put(row, "one_minus_beta_mp", 1 - beta.value, beta.error, run.dps)
        if beta.value > 1 + beta.error:
            failures.append({"activation": act.name, "sw2": row["argmax_sw2"],
                             "sb2": row["argmax_sb2"], "beta_mp": row["max_beta_mp"]})
    run.outcome.per_activation.update({k: {"beta_plane": v} for k, v in rows.items()})
    # figure: the beta plane with the EOC and the DI point (seed 000, Fig. 6b) for tanh
    fig_act = "tanh" if "tanh" in planes else next(
        (k for k, v in planes.items() if v.chi1 is not None), None)
    figs: list[str] = []
    if fig_act and planes[fig_act].chi1 is not None:
        plane = planes[fig_act]
        act = next(a for a in acts if a.name == fig_act)
        d0 = act.properties.dpsi0
        di = (1.0 / float(d0) ** 2, 0.0) if d0 not in (None, 0) and act.properties.psi0 == 0 \
            else None
        # the EOC is read off the chi1 plane by the report layer (its chi1 = 1 contour)
        figs = run.figure("beta_plane_eoc", f"beta-le-one-{fig_act}", sw2, sb2, plane.beta,
                          plane.chi1, di=di, activation=fig_act)
        run.outcome.figures.extend(figs)
    if not confirm:
        raise TheoryCheckError("no activation had a computable beta plane",
                               status=Status.NO_FINITE_FIXED_POINT)
    ok = not failures
    n_ok = sum(1 for r in rows.values() if "skipped" not in r)
    return passed_if(
        ok, "numeric",
        (f"beta <= 1 at every grid point with q* > 0 for {n_ok} activation(s) "
         f"({sw2.size} x {sb2.size} grid, sw2 in [{sw2[0]:g}, {sw2[-1]:g}], sb2 in "
         f"[0, {sb2[-1]:g}]); closest to 1: {best[1] if best else '-'} with max beta = "
         f"{best[0]:.12f}" if best else "no plane computed")
        + ("" if ok else f"; beta > 1 at {failures[0]}"),
        {"grid": f"{sw2.size} x {sb2.size}", "closest_to_1": best[1] if best else "",
         "mpmath_confirmed": ", ".join(a.name for a in confirm),
         "per_activation": rows},
        counterexample=failures[0] if failures else None,
        figures=figs)


BETA_LE_ONE.check("numeric", "certified: beta < 1 on boxes of the plane")(
    lambda run: certified_beta_bound(run, certified_activations(run)))


def _violation(gen: Any, point: tuple[float, float], dps: int,
               seen: dict[str, Any]) -> dict[str, Any] | None:
    """A fixed point q* > 0 (stable or neutral) with beta = 1 to CONFIRM_DIGITS digits, else
    None.  Float64 screen, then mpmath (polished fixed point, beta two routes); cached, since
    a search's shrinking phase asks again for the same activation and point."""
    found = _violation_cached(gen.formula, point, dps, gen)
    if found is not None:
        seen.setdefault("found", found)
    return found


@lru_cache(maxsize=512)
def _violation_cached(formula: str, point: tuple[float, float], dps: int,
                      gen: Any) -> dict[str, Any] | None:
    sw2, sb2 = point
    act = gen.activation()
    kinks = list(gen.kink_points)
    fmf = FastMeanField(act, kinks=kinks)
    for fp in fmf.fixed_points(sw2, sb2):
        if fp.kind in ("zero", "unstable") or fp.q < 1e-6:
            continue
        gap, unc = fmf.beta_gap(fp.q, sw2, sb2)
        if gap > 10 * unc:
            continue            # beta < 1 certified in float64
        r = mp_fixed_point_beta(act, fp.q, mp.mpf(repr(sw2)), mp.mpf(repr(sb2)), dps, kinks)
        tol = mp.mpf(10) ** -CONFIRM_DIGITS
        if abs(r["residual"]) <= tol * (1 + r["q"]) and r["beta"] >= 1 - tol - r["beta_err"]:
            found = {"psi": gen.formula, "sw2": repr(sw2), "sb2": repr(sb2),
                     "q_star": dec(r["q"], dps), "fixed_point_kind": fp.kind,
                     "map_slope": dec(r["slope"], 12), "beta": dec(r["beta"], dps),
                     "beta_err": dec(r["beta_err"], 3), "beta_stein": dec(r["beta_stein"], dps),
                     "map_residual": dec(r["residual"], 3),
                     "linear": str(gen.linear_slope is not None)}
            return found
    return None


def _property(run: ClaimRun, *, nonlinear_only: bool) -> CheckResult:
    """A hypothesis search over generated activations and points of the plane for a fixed
    point q* > 0 with beta = 1 (Eqs. (53)-(55)); ``nonlinear_only``: inside the condition."""
    space = activation_plane_points(generated_activations(max_terms=2), sw2=(0.05, 4.0),
                                    sb2=(0.0, 1.0))
    seen: dict[str, Any] = {}
    skipped_linear = [0]

    def holds(example: tuple[Any, tuple[float, float]]) -> bool:
        gen, point = example
        if nonlinear_only and gen.linear_slope is not None:
            skipped_linear[0] += 1
            return True
        return _violation(gen, point, CONFIRM_DIGITS + 5, seen) is None

    statement = ("beta < 1 at every fixed point q* > 0 (stable or neutral) of every generated "
                 "activation" + (" that is not linear" if nonlinear_only else ""))
    found = search(statement, space, holds, max_examples=run.pick(60, 600), seed=run.seed)
    if nonlinear_only:
        found.evidence["linear_examples_outside_condition"] = skipped_linear[0]
    if found.example is None:
        return found.passed()
    gen, point = found.example
    ce = dict(_violation(gen, point, max(run.dps, CONFIRM_DIGITS + 5), {})
              or seen.get("found", {}))
    ce.update(gen.describe())
    return found.failed(f"{statement}: shrunk counterexample psi = {gen.formula} at "
                        f"(sw2, sb2) = {point}: beta = {ce.get('beta')} at q* = "
                        f"{ce.get('q_star')} ({ce.get('fixed_point_kind')} fixed point)", ce)




@BETA_LE_ONE.check("property", "search")
def _search(run: ClaimRun) -> CheckResult:
    """The search of :func:`_property` over every generated activation, linear ones included."""
    return _property(run, nonlinear_only=False)


@BETA_LE_ONE.check("simulation", "finite network")
def _simulation(run: ClaimRun) -> CheckResult:
    """Not run: a finite network cannot test this claim (``NOT_SIMULATED`` says why)."""
    return skipped("simulation", "finite network", NOT_SIMULATED)
