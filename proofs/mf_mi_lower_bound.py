r"""mf-mi-lower-bound: seed 001, Secs. II-III, Prop. 2, Figs. 3-6.

With Gaussian noise before each activation, the mean-field analytic lower bound on I(X; x^l)
(Prop. 2, reconstructed in :mod:`theorycheck.information.meanfield_bound`, whose docstring says
exactly what was reconstructed from the surviving prose) agrees with the sampled Gaussian bound
(Eqs. (11)-(13), Sec. II-A), better at larger width and depth, and is maximised near the EOC for
tanh.

Source:
    seed 001, Secs. II-III, Prop. 2, Figs. 3-6
Statement:
    with Gaussian noise added before each activation, the mean-field analytic lower
    bound on I(X; h^l) agrees with the sampled bound, better at larger width and depth,
    and is maximised near the EOC for tanh
Hypotheses:
    - noise before each activation
    - Gaussian input X
    - MI conditional on W
    - mean-field: matrices replaced by their W-expectations
Printed:
    - I(X;h^l) \ge \tfrac12\,\mathbb E_W\log\det\Sigma_{h^l} - \tfrac12\,\mathbb E_W\log\d
      et(\Sigma_{h^l}-\Sigma_{h^lX}\Sigma_X^{-1}\Sigma_{Xh^l}) \quad (11)-(13)\ \text{(los
      t; reconstructed)}
    - I_{MF}^l = \tfrac{N}{2}\log v^l - \tfrac N2\log(v^l - g^l) \quad \text{Prop. 2, (23
      ) (lost; reconstructed)}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from theorycheck.activations import get_activation
from theorycheck.claims import (
    CheckResult,
    CheckStatus,
    ClaimRun,
    DerivationStep,
    Finding,
    claim,
)
from theorycheck.claims.evidence import dec, note, passed_if
from theorycheck.claims.model import RunContext
from theorycheck.gaussian import GridEngine
from theorycheck.information import meanfield_bound as mfb

NOISE2 = 0.01
TANH = get_activation("tanh")


MF_MI_LOWER_BOUND = claim(
    "mf-mi-lower-bound", __doc__, splits=True,
    findings=[
        note("seed 001, Eqs. (5), (11)-(23)",
             "equations lost in extraction",
             ("reconstructed: x^l = W^l phi(x^(l-1) + n^(l-1)) + b^l; bound per "
              "neuron 1/2 log v^l - 1/2 log(v^l - g^l) with v = q - q12 (hidden "
              "variance given W) and g^l = sw2 E[phi'(u1)phi'(u2)] g^(l-1) "
              "(input-hidden cross covariance, Stein's lemma); see "
              "theorycheck.information.meanfield_bound"),
             "the prose of Secs. II-III; centered form coincides with the "
             "literal q^l form for odd phi at sb2 = 0"),
        note("seed 001, Sec. III-A ('expectation over the weights')",
             "log det of E_W[Sigma] in place of E_W log det Sigma",
             ("the two differ by a Jensen gap of order 1 per neuron beyond "
              "layer 1 (the singular values of the weight product spread, "
              "Marchenko-Pastur), which does not vanish as N grows; at layer 1 "
              "det W cancels and they agree exactly"),
             "simulation check 'analytic bound agrees with the sampled bound'",
             affects_conclusion=True)],
)


@MF_MI_LOWER_BOUND.check("symbolic", "layer-1 identity")
def _symbolic_layer_one(run: ClaimRun) -> CheckResult:
    """At layer 1 (square invertible W) the sampled Gaussian bound equals the mean-field one
    exactly: det(W A W^T)/det(W (A - B) W^T) = (a/(a-b))^N for A = a I, B = b I."""
    a, b = sp.symbols("a b", positive=True)
    w = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))
    num = (w * (a * sp.eye(2)) * w.T).det()
    den = (w * ((a - b) * sp.eye(2)) * w.T).det()
    ratio = sp.simplify(num / den)
    ok = sp.simplify(ratio - (a / (a - b)) ** 2) == 0
    steps = [
        DerivationStep(r"\Sigma_{x^1} = W\,a\,W^T,\ \ \Sigma_{x^1X}\Sigma_X^{-1}\Sigma_{Xx^1} = "
                       r"W\,b\,W^T,\ a = \mathrm{Var}\,\phi(X_k+n_k),\ b = q_0(\mathbb E\phi')^2",
                       "layer 1: phi acts componentwise on independent X_k + n_k; Stein's "
                       "lemma for the cross covariance", True),
        DerivationStep(rf"\frac{{\det(WaW^T)}}{{\det(W(a-b)W^T)}} = {sp.latex(ratio)}",
                       "SymPy, 2x2 symbolic W: det W cancels", ok),
        DerivationStep(r"I_{\mathcal N}(X;x^1) = \tfrac N2\log\frac{a}{a-b} = I_{MF}^1",
                       "the same cancellation for any N (multiplicativity of det)", ok),
    ]
    return passed_if(ok, "symbolic",
                     "at layer 1 the Gaussian bound is exactly the mean-field bound "
                     "for every invertible W" if ok else "layer-1 identity fails",
                     {"ratio": str(ratio)},
                     name="layer-1 identity",
                     steps=steps)


@MF_MI_LOWER_BOUND.check("numeric", "quadrature routes agree")
def _numeric(run: ClaimRun) -> CheckResult:
    """The Gauss-Hermite bivariate expectations against the project's Gauss-Legendre engine."""
    act = TANH
    eng = GridEngine(act)
    pts = [(0.5, 0.1), (1.3, 0.6), (3.0, -0.5)]
    rows = []
    ok = True
    d1 = act.numpy(1)
    for var, cov in pts:
        h = float(mfb.bivariate(d1, d1, var, cov))
        h_err = abs(h - float(mfb.bivariate(d1, d1, var, cov, mfb.DEFAULT_NODES - 24)))
        v, e = eng.expect2(d1, d1, np.array([var]), np.array([cov / var]))
        diff = abs(h - float(v[0]))
        ok = ok and diff <= 3.0 * (h_err + float(e[0])) + 1e-15
        rows.append({"var": dec(var), "cov": dec(cov), "hermite": dec(h, 15),
                     "hermite_err": dec(h_err + 1e-300, 3), "legendre": dec(float(v[0]), 15),
                     "legendre_err": dec(float(e[0]) + 1e-300, 3),
                     "difference": dec(diff + 1e-300, 3)})
    tr = mfb.mf_bound_trace(act, 1.5, 0.05, noise2=NOISE2, depth=20)
    err = float(np.nanmax(tr.per_neuron_err))
    worst = max(float(r["difference"]) for r in rows)
    return passed_if(ok, "numeric",
                     f"Hermite and Legendre bivariate E[phi'(u1)phi'(u2)] agree to "
                     f"{worst:.1e}, within 3x their error estimates; two-rule error "
                     f"of the 20-layer bound {err:.1e} nats/neuron",
                     {"points": rows, "bound_two_rule_error": dec(err + 1e-300, 3)},
                     name="quadrature routes agree")


def _sampled_at_width(ctx: RunContext, n: int, sw2: float, sb2: float,
                      layers: tuple[int, ...], nets: int) -> Any:
    """The sampled bounds of tanh networks of width ``n`` (one piece per width, seeded
    ``seed + n`` as before pieces existed)."""
    from theorycheck.simulate.mi_bounds import sampled_bounds  # lazy: torch

    return sampled_bounds(TANH.torch(0), sw2=sw2, sb2=sb2, width=n, depth=max(layers),
                          layers=layers, q0=1.0, samples=ctx.pick(20, 40) * n, networks=nets,
                          seed=ctx.seed + n, placement=ctx.placement, noise2=NOISE2)


@MF_MI_LOWER_BOUND.check("simulation", "analytic bound agrees with the sampled bound")
def _agreement(run: ClaimRun) -> CheckResult:
    """The analytic bound against the sampled one per neuron, at every width and layer
    (seed 001 Prop. 2 vs Eqs. (11)-(13)); leaves the width comparison in ``run.record``."""
    ctx, act = run.ctx, TANH
    widths = ctx.pick((12, 32), (64, 256))
    layers = ctx.pick((1, 2, 4), (1, 2, 4, 8))
    nets = ctx.pick(6, 16)
    sw2, sb2 = 2.0, 0.05
    depth = max(layers)
    tr = mfb.mf_bound_trace(act, sw2, sb2, noise2=NOISE2, depth=depth)
    rows: dict[str, Any] = {}
    gap: dict[tuple[int, int], tuple[float, float]] = {}
    sampled = run.map(_sampled_at_width, {f"width={n}": (run.worker_ctx(), n, sw2, sb2, layers,
                                                        nets) for n in widths}, gpu=True)
    for n in widths:
        res = sampled[f"width={n}"]
        for layer in layers:
            s = res[layer]
            mf = float(tr.per_neuron[layer])
            sam, se = s.mean / n, s.stderr / n
            gap[(n, layer)] = (sam - mf, se)
            rows[f"N={n},l={layer}"] = {**s.summary(), "sampled_per_neuron": dec(sam),
                                        "sampled_per_neuron_err": dec(se, 3),
                                        "mean_field_per_neuron": dec(mf),
                                        "relative_gap": dec((sam - mf) / mf, 4)}
    ev = {"sw2": dec(sw2), "sb2": dec(sb2), "noise2": dec(NOISE2), "q0": "1",
          "networks_per_width": nets, "seed": ctx.seed, "device": ctx.device, "results": rows}
    z = 3.29
    first = [abs(gap[(n, 1)][0]) <= z * gap[(n, 1)][1] + 2e-3 for n in widths]
    deep = [(n, layer) for n in widths for layer in layers if layer > 1]
    agree_deep = [abs(gap[k][0]) <= z * gap[k][1] for k in deep]
    c1 = passed_if(
        all(first) and all(agree_deep), "simulation",
        "agreement at every width and layer" if all(agree_deep) and all(first) else
        f"agrees at layer 1 ({sum(first)}/{len(first)} widths, the exact identity); "
        f"deeper layers disagree in {len(agree_deep) - sum(agree_deep)}/{len(deep)} "
        "cases beyond 3.29 standard errors (mean field above the sampled bound)",
        ev,
        name="analytic bound agrees with the sampled bound",
        counterexample=None if all(agree_deep) else
                       {f"N={k[0]},l={k[1]}": rows[f"N={k[0]},l={k[1]}"]
                       for k, ok in zip(deep, agree_deep, strict=True) if not ok})
    # better at larger width: relative gap at the deepest layer shrinks from smallest to largest N
    lo, hi = widths[0], widths[-1]
    g_lo, g_hi = gap[(lo, depth)], gap[(hi, depth)]
    mf_d = float(tr.per_neuron[depth])
    diff = abs(g_lo[0]) - abs(g_hi[0])
    se = float(np.hypot(g_lo[1], g_hi[1]))
    better_width = diff > 2.0 * se
    run.record["width"] = passed_if(
        better_width, "simulation",
        f"|gap| at layer {depth}: {abs(g_lo[0]) / mf_d:.3f} of the bound at N={lo}, "
        f"{abs(g_hi[0]) / mf_d:.3f} at N={hi} (difference {diff:.4f} +- {se:.4f} "
        "nats/neuron): " + ("improves" if better_width else "does not improve"),
        {"gap_small_width": dec(g_lo[0]), "gap_small_width_err": dec(g_lo[1], 3),
         "gap_large_width": dec(g_hi[0]), "gap_large_width_err": dec(g_hi[1], 3),
         "layer": depth, "widths": list(widths)},
        name="agreement improves with width",
        counterexample=None if better_width else {"layer": depth, "widths": [lo, hi]})
    return c1


@MF_MI_LOWER_BOUND.check("simulation", "agreement improves with width",
                         when=lambda run: "width" in run.record)
def _width(run: ClaimRun) -> CheckResult:
    """Whether the gap at the deepest layer shrinks with width (computed by :func:`_agreement`)."""
    result: CheckResult = run.record["width"]
    return result


@MF_MI_LOWER_BOUND.check("numeric", "mean-field bound maximised near the EOC")
def _max_near_eoc(run: ClaimRun) -> CheckResult:
    """argmax over sw2 of the mean-field bound at growing depth vs the noisy EOC, for two noise
    levels; as depth -> inf the argmax tends to the maximiser of the decay rate gamma."""
    ctx, act = run.ctx, TANH
    sw = np.linspace(0.6, 4.0, ctx.pick(35, 137))
    depths = ctx.pick((5, 20, 60), (5, 10, 20, 40, 80, 160))
    step = float(sw[1] - sw[0])
    cases: dict[str, Any] = {}
    ok_all: dict[float, bool] = {}
    for noise2 in (NOISE2, 0.1):
        for sb2 in (0.05, 0.3):
            tr = mfb.mf_bound_trace(act, sw, sb2, noise2=noise2, depth=max(depths), nodes=48)
            eoc = mfb.noisy_eoc_sw2(act, sb2, noise2)
            arg = {L: float(sw[int(np.argmax(tr.per_neuron[:, L]))]) for L in depths}
            gam = [mfb.limit_rate(act, float(s), sb2, noise2, iters=400, nodes=48)["gamma"]
                   for s in sw[::ctx.pick(2, 4)]]
            g_arg = float(sw[::ctx.pick(2, 4)][int(np.argmax(gam))])
            near = abs(arg[max(depths)] - eoc) <= max(0.15 * eoc, 2 * step)
            ok_all[noise2] = ok_all.get(noise2, True) and near
            cases[f"noise2={noise2},sb2={sb2}"] = {
                "noisy_eoc_sw2": dec(eoc), "argmax_sw2_by_depth": {str(k): dec(v) for k, v in
                                                                  arg.items()},
                "argmax_gamma_sw2": dec(g_arg), "within_15pct_of_eoc": near,
                "grid_step": dec(step)}
    ok = all(ok_all.values())
    run.record["small_noise_ok"] = ok_all[NOISE2]
    return passed_if(ok, "numeric",
                     "argmax near the noisy EOC at every noise level" if ok else
                     "argmax near the noisy EOC only for small noise "
                     f"(noise2={NOISE2}: {ok_all[NOISE2]}; noise2=0.1: {ok_all[0.1]}); "
                     "at large depth it follows the maximiser of the decay rate gamma, "
                     "not chi1 = 1",
                     {"cases": cases, "tolerance": "15% of the EOC sw2 or 2 grid steps"},
                     name="mean-field bound maximised near the EOC",
                     counterexample=None if ok else {k: v for k, v in cases.items()
                                                     if not v["within_15pct_of_eoc"]})


@MF_MI_LOWER_BOUND.derive
def mf_mi_lower_bound(run: ClaimRun) -> list[Finding]:
    """The condition 'small noise' when only the EOC maximisation failed and it holds at the
    small noise level (no re-run and no finding: the failed check's evidence shows it)."""
    failed = {c.name for c in run.outcome.checks if c.status == CheckStatus.FAILED}
    if failed == {"mean-field bound maximised near the EOC"} and run.record.get("small_noise_ok"):
        run.outcome.condition = (f"maximisation near the EOC holds for small pre-activation "
                                 f"noise (noise2 = {NOISE2}), not at noise2 = 0.1")
    return []
