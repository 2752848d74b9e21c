r"""orthogonal-faster: seed 002, Sec. 4.4, Fig. 3.

Orthogonal initialisation trains faster than Gaussian (tanh, depth 40, sw2 = 2, sb2 = 0.05),
a setting the source calls "squarely in the ordered phase".

Checks: chi1 at (2, 0.05) from :class:`theorycheck.meanfield.MeanField` (the phase); paired
training runs (same seed -> same data order and mini-batches, only the weight kind differs) on
scikit-learn's digits, compared by the area under the train-accuracy curve (a "faster" summary
that does not depend on one chosen step) and by the accuracy at an early step, with a paired
t-test and a 95 % confidence interval over seeds.

Source:
    seed 002, Sec. 4.4, Fig. 3
Statement:
    orthogonal initialisation trains faster than Gaussian (tanh, depth 40, sw2 = 2, sb2
    = 0.05)
Hypotheses:
    - tanh
    - depth 40 (quick: 12)
    - sw2 = 2, sb2 = 0.05
    - 'ordered phase'
Printed:
    - \text{tanh},\ L = 40,\ \sigma_w^2 = 2,\ \sigma_b^2 = 0.05:\ \text{'squarely in the o
      rdered phase'}
"""

from __future__ import annotations

import numpy as np

from theorycheck.claims import CheckResult, CheckStatus, ClaimRun, Finding, claim
from theorycheck.claims.evidence import dec, misprint, passed_if
from theorycheck.claims.statistics import paired_test
from theorycheck.meanfield import MeanField

SW2, SB2 = 2.0, 0.05


ORTHOGONAL_FASTER = claim("orthogonal-faster", __doc__)


@ORTHOGONAL_FASTER.check("numeric", "phase at (2, 0.05)")
def _phase(run: ClaimRun) -> CheckResult:
    """chi1 and q* at (2, 0.05) and the EOC at sb2 = 0.05 from MeanField (seed 002 Sec. 4.4:
    the phase the source names), reported as float64 values."""
    mf = MeanField("tanh", dps=run.dps)
    chi = mf.chi1(SW2, SB2)
    q = mf.q_star(SW2, SB2)
    chi1 = float(chi.value)
    ordered = chi1 < 1
    eoc = mf.eoc_sw2(SB2)
    run.record["chi1"], run.record["eoc_sw2"] = chi1, float(eoc.sw2.value)
    return CheckResult(
        method="numeric", status=CheckStatus.PASSED, name="phase at (2, 0.05)",
        summary=(f"chi1(2, 0.05) = {dec(chi1, 12)} +- {float(chi.error):.1e}: "
                 + ("ordered" if ordered else "chaotic (chi1 > 1), not ordered")),
        evidence={"chi1": dec(chi1, run.dps), "chi1_err": dec(float(chi.error + 1e-300), 3),
                  "q_star": dec(float(q.value), run.dps),
                  "q_star_err": dec(float(q.error + 1e-300), 3), "ordered": ordered,
                  "eoc_sw2_at_sb2": dec(run.record["eoc_sw2"], run.dps)})


@ORTHOGONAL_FASTER.check("simulation", "orthogonal trains faster (paired)")
def _training(run: ClaimRun) -> CheckResult:
    """Paired orthogonal/Gaussian training runs on digits, compared by the mean train accuracy
    over the run (a paired t-test over seeds, 95 % CI; seed 002 Sec. 4.4, Fig. 3)."""
    from theorycheck.simulate.training import TrainConfig, train_many  # lazy: torch

    ctx = run.ctx
    depth = ctx.pick(12, 40)
    seeds = [ctx.seed + k for k in range(ctx.pick(5, 10))]
    steps = ctx.pick(150, 1500)
    every = ctx.pick(15, 50)
    auc: dict[str, list[float]] = {"orthogonal": [], "gaussian": []}
    early: dict[str, list[float]] = {"orthogonal": [], "gaussian": []}
    curves: dict[str, list[list[float]]] = {"orthogonal": [], "gaussian": []}
    configs = [TrainConfig(activation="tanh", depth=depth, width=ctx.pick(64, 256), sw2=SW2,
                           sb2=SB2, weights=kind, steps=steps, batch=64, lr=0.005, momentum=0.9,
                           eval_every=every, seed=s)
               for s in seeds for kind in ("orthogonal", "gaussian")]
    runs = train_many(configs, placement=ctx.placement)  # all seeds as one stack
    for cfg, r in zip(configs, runs, strict=True):
        acc = np.array(r.train_acc)
        auc[cfg.weights].append(float(np.mean(acc[1:])))
        early[cfg.weights].append(float(acc[len(acc) // 3]))
        curves[cfg.weights].append([float(a) for a in acc])
    t_auc = paired_test(auc["orthogonal"], auc["gaussian"])
    t_early = paired_test(early["orthogonal"], early["gaussian"])
    faster = t_auc["ci_low"] > 0
    return passed_if(
        faster, "simulation",
        f"mean train accuracy over the run: orthogonal "
        f"{np.mean(auc['orthogonal']):.3f} vs Gaussian {np.mean(auc['gaussian']):.3f}; "
        f"paired difference {t_auc['mean_diff']:+.3f} +- {t_auc['se']:.3f} "
        f"(95% CI [{t_auc['ci_low']:+.3f}, {t_auc['ci_high']:+.3f}], p = "
        f"{t_auc['p_value']:.2g}, {len(seeds)} seeds)",
        {"depth": depth, "width": ctx.pick(64, 256), "steps": steps, "seeds": seeds,
         "device": ctx.device, "sw2": dec(SW2), "sb2": dec(SB2),
         "auc": {k: [dec(v, 4) for v in vals] for k, vals in auc.items()},
         "auc_paired": {k: dec(v, 4) for k, v in t_auc.items()},
         "early_step_acc_paired": {k: dec(v, 4) for k, v in t_early.items()},
         "curves_mean": {k: [dec(v, 4) for v in np.mean(c, axis=0)]
                         for k, c in curves.items()},
         "summary_statistic": "mean train accuracy over evaluation points (area under "
                              "the curve / steps)"},
        name="orthogonal trains faster (paired)",
        counterexample=None if faster else {"auc_paired": {k: dec(v, 4) for k, v in
                                                           t_auc.items()}})


@ORTHOGONAL_FASTER.derive
def orthogonal_faster(run: ClaimRun) -> list[Finding]:
    """The misprint 'squarely in the ordered phase' when chi1(2, 0.05) > 1."""
    chi1 = run.record.get("chi1")
    if chi1 is None or chi1 <= 1:
        return []
    return [misprint(
        "seed 002, Sec. 4.4",
        "(sw2, sb2) = (2, 0.05) 'is squarely in the ordered phase'",
        (f"chi1 = {dec(chi1, 10)} > 1: the point is in the chaotic phase "
         f"(the EOC at sb2 = 0.05 is sw2 = {dec(run.record['eoc_sw2'], 8)})"),
        "numeric check 'phase at (2, 0.05)' (MeanField.chi1)")]
