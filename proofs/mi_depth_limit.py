r"""mi-depth-limit: seed 001, Sec. IV, Fig. 8.

"the mean field lower bound also converges to a maximum ... as the depth increases ... on the
EoC": on the edge of chaos the (reconstructed, see
:mod:`theorycheck.information.meanfield_bound`) mean-field lower bound converges to a
non-trivial limit as depth grows.

Mechanism checked here: per neuron the bound is 1/2 log(v/(v - g)) with g^l = gamma_l g^(l-1),
gamma_l = sw2 E[phi'(u1) phi'(u2)]. At the fixed point gamma* <= chi1 by Cauchy-Schwarz, with
equality only if phi'(u) is a.s. constant; on the (noisy) EOC chi1 = 1, so gamma* < 1 for tanh
with noise2 > 0, g^l -> 0 geometrically and the bound tends to 0 -- a trivial limit -- on a depth
scale -1/log gamma* that can be long.

Source:
    seed 001, Sec. IV, Fig. 8
Statement:
    on the EOC the mean-field lower bound converges to a non-trivial limit as depth
    grows
Hypotheses:
    - tanh
    - pre-activation noise noise2 > 0
    - the reconstructed Prop. 2 bound
Printed:
    - \lim_{l\to\infty} I_{MF}^l(X; h^l) > 0 \text{ on the EoC (Fig. 8; equations lost)}
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from theorycheck.activations import get_activation
from theorycheck.claims import CheckResult, ClaimRun, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import dec, note, passed_if
from theorycheck.information import meanfield_bound as mfb

NOISE2 = 0.01
SB2 = 0.05
TANH = get_activation("tanh")


MI_DEPTH_LIMIT = claim(
    "mi-depth-limit", __doc__,
    findings=[note(
        "seed 001, Sec. IV, Fig. 8",
        ("the mean field lower bound also converges to a maximum ... as the depth "
         "increases"),
        ("under the reconstructed Prop. 2 the bound per neuron decays like "
         "gamma*^l with gamma* < chi1 = 1 on the EOC (Cauchy-Schwarz); what "
         "converges with depth is the location of the maximum over sw2 (see "
         "mf-mi-lower-bound), not the value"),
        "numeric check 'bound vs depth on the EOC'", affects_conclusion=True)],
)


def _limit(per: np.ndarray) -> tuple[float, float, float]:
    """Aitken extrapolation of the tail of a geometrically converging sequence: (limit,
    error estimate, fitted ratio)."""
    a, b, c = per[-3], per[-2], per[-1]
    d1, d2 = b - a, c - b
    ratio = d2 / d1 if d1 != 0 else 0.0
    lim = c - d2 * ratio / (1 - ratio) if 0 < ratio < 1 else c
    # the error: difference between the extrapolations from two tail windows
    a2, b2, c2 = per[-6], per[-5], per[-4]
    e1, e2 = b2 - a2, c2 - b2
    r2 = e2 / e1 if e1 != 0 else 0.0
    lim2 = c2 - e2 * r2 / (1 - r2) if 0 < r2 < 1 else c2
    return float(lim), float(abs(lim - lim2) + abs(d2)), float(ratio)


@MI_DEPTH_LIMIT.check("numeric", "bound vs depth on the EOC")
def _numeric(run: ClaimRun) -> CheckResult:
    """The per-neuron bound against depth on the noisy EOC and on either side of it, its
    Aitken-extrapolated limit, and the decay rate gamma* (reconstructed seed 001 Prop. 2)."""
    ctx, act = run.ctx, TANH
    depth = ctx.pick(300, 2000)
    stride = ctx.pick(10, 50)
    cases: dict[str, Any] = {}
    eoc = mfb.noisy_eoc_sw2(act, SB2, NOISE2)
    points = {"eoc": eoc, "ordered": 0.7 * eoc, "chaotic": 1.5 * eoc}
    lim_eoc = (math.nan, math.nan)
    for name, sw2 in points.items():
        tr = mfb.mf_bound_trace(act, sw2, SB2, noise2=NOISE2, depth=depth, nodes=64)
        per = tr.per_neuron[stride::stride]
        lim, err, ratio = _limit(per)
        rate = mfb.limit_rate(act, sw2, SB2, NOISE2)
        fitted_gamma = ratio ** (1.0 / stride) if ratio > 0 else 0.0
        cases[name] = {
            "sw2": dec(sw2), "bound_per_neuron_by_depth": {str(L): dec(tr.per_neuron[L]) for L in
                                                            (1, 10, 50, 100, depth)},
            "limit": dec(lim), "limit_err": dec(err + 1e-300, 3),
            "gamma_star": dec(rate["gamma"]), "chi1": dec(rate["chi1"]),
            "depth_scale": dec(-1.0 / math.log(rate["gamma"])) if rate["gamma"] < 1 else "inf",
            "fitted_tail_rate": dec(fitted_gamma),
            "quadrature_err": dec(float(np.nanmax(tr.per_neuron_err)) + 1e-300, 3)}
        if name == "eoc":
            lim_eoc = (lim, err)
    nontrivial = lim_eoc[0] > 3.0 * lim_eoc[1] + 1e-9
    return passed_if(
        nontrivial, "numeric",
        f"on the noisy EOC (sw2={eoc:.4f}, sb2={SB2}, noise2={NOISE2}) the per-neuron "
        f"bound extrapolates to {lim_eoc[0]:.2e} +- {lim_eoc[1]:.1e} nats: "
        + ("a non-trivial limit" if nontrivial else
           "it decays to 0 geometrically, at the rate gamma* < 1 (as off the EOC)"),
        {"cases": cases, "depth": depth, "noise2": dec(NOISE2), "sb2": dec(SB2),
         "extrapolation": "Aitken on layers every stride; error = two windows + last "
                          "increment"},
        name="bound vs depth on the EOC",
        counterexample=None if nontrivial else {"limit": dec(lim_eoc[0]),
                                                "limit_err": dec(lim_eoc[1] + 1e-300, 3)})


@MI_DEPTH_LIMIT.check("property", "non-decaying cross covariance on the EOC")
def _property(run: ClaimRun) -> CheckResult:
    """Search the noisy EOC (sb2, noise2) for points where gamma* < 1 (then the limit is 0)."""
    ctx, act = run.ctx, TANH
    strat = st.tuples(st.sampled_from([0.0, 0.01, 0.05, 0.1, 0.3, 0.6]),
                      st.sampled_from([1e-4, 1e-3, 1e-2, 0.05, 0.2]))

    def holds(p: tuple[float, float]) -> bool:
        sb2, noise2 = p
        sw2 = mfb.noisy_eoc_sw2(act, sb2, noise2, nodes=64)
        return mfb.limit_rate(act, sw2, sb2, noise2, iters=600, nodes=64)["gamma"] >= 1 - 1e-9

    def show(p: tuple[float, float]) -> dict[str, Any]:
        sb2, noise2 = p
        sw2 = mfb.noisy_eoc_sw2(act, sb2, noise2, nodes=64)
        r = mfb.limit_rate(act, sw2, sb2, noise2, iters=600, nodes=64)
        return {"sb2": dec(sb2), "noise2": dec(noise2), "eoc_sw2": dec(sw2),
                "gamma_star": dec(r["gamma"]), "chi1": dec(r["chi1"])}

    return property_result("non-decaying cross covariance on the EOC",
                           "on the noisy EOC gamma* = sw2 E[phi'(u1)phi'(u2)] >= 1 (needed for "
                           "a non-zero limit)", strat, holds,
                           max_examples=ctx.pick(6, 30), seed=ctx.seed, describe=show)
