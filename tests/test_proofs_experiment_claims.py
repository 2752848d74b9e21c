"""The experiment claims (trainability-depth, orthogonal-faster, mi-max-at-di,
mf-mi-lower-bound, mi-depth-limit, finite-width-ratio) under the quick profile: the numbers in
their evidence against independent references (tests/_mf_reference.py: scipy quadrature and
brentq, no theorycheck code; exact finite-width laws; scipy's paired t-test), and their
verdicts against the evidence they report.
"""

from __future__ import annotations

import math
from typing import Any

import _mf_reference as ref
import numpy as np
import pytest
from scipy import stats
from scipy.special import comb

from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import run
from theorycheck.numbers import Precision

pytestmark = pytest.mark.xdist_group("experiment-claims")

IDS = ("trainability-depth", "orthogonal-faster", "mi-max-at-di", "mf-mi-lower-bound",
       "mi-depth-limit", "finite-width-ratio")


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    out = run(list(IDS), RunContext(profile="quick", precision=Precision(30), seed=0))
    return {c["id"]: c for c in out["claims"]}


def _check(rec: dict[str, Any], name_part: str) -> dict[str, Any]:
    return next(c for c in rec["checks"] if name_part in c["name"])


def _f(text: str) -> float:
    return float(text)


# -- trainability-depth ---------------------------------------------------------------------


def test_trainability_depth_scales_and_chi1(records: dict[str, dict[str, Any]]) -> None:
    """xi_c (corrected Eq. (10) of seed 002, at the stable c*) and chi1 of every grid column."""
    ev = _check(records["trainability-depth"], "boundary")["evidence"]
    sb2 = _f(ev["sb2"])
    for key, row in ev["per_sw2"].items():
        sw2 = float(key.split("=")[1])
        q = ref.q_star(ref.tanh, sw2, sb2)
        assert _f(row["chi1"]) == pytest.approx(ref.chi1(ref.dtanh, sw2, q), rel=1e-5)
        assert _f(row["xi_c"]) == pytest.approx(ref.xi_c(ref.tanh, ref.dtanh, sw2, sb2),
                                                rel=1e-5)


def test_trainability_boundaries_and_fit_follow_from_the_accuracies(
        records: dict[str, dict[str, Any]]) -> None:
    """Brackets recomputed from the reported accuracies; c refitted by weighted least squares."""
    rec = records["trainability-depth"]
    ev = _check(rec, "boundary")["evidence"]
    thr = ev["threshold"]
    xs, ys, es = [], [], []
    for row in ev["per_sw2"].values():
        acc = {int(d): _f(a) for d, a in row["train_acc"].items()}
        good = [d for d, a in acc.items() if a >= thr]
        last = max(good) if good else None
        bad = [d for d, a in acc.items() if a < thr and (last is None or d > last)]
        first = min(bad) if bad else None
        assert row["deepest_trainable"] == last and row["shallowest_untrainable"] == first
        if last is not None and first is not None:
            xs.append(_f(row["xi_c"]))
            ys.append((last + first) / 2)
            es.append((first - last) / 2)
    x, y, w = np.array(xs), np.array(ys), 1 / np.array(es) ** 2
    assert _f(ev["c"]) == pytest.approx(float(np.sum(w * x * y) / np.sum(w * x * x)), rel=1e-4)
    sig = _check(rec, "sigmoid")
    sev = sig["evidence"]
    assert _f(sev["sigmoid_eoc_sw2"]) == pytest.approx(
        ref.eoc_sw2(ref.sigmoid, ref.dsigmoid, 0.09, 50.0, 200.0), rel=1e-5)
    assert _f(sev["tanh_eoc_sw2"]) == pytest.approx(
        ref.eoc_sw2(ref.tanh, ref.dtanh, 0.05, 1.01, 4.0), rel=1e-5)
    barely = all(_f(a) < sev["threshold"] for a in sev["sigmoid_acc"])
    assert (sig["status"] == "passed") == barely


def test_trainability_quick_says_inconclusive_when_it_cannot_resolve(
        records: dict[str, dict[str, Any]]) -> None:
    """Quick never claims more than full (issue 15): a pass is inconclusive when the negation
    would pass too -- the boundaries fit a constant depth within their brackets, or the
    positive control (tanh at its EOC, shallowest depth) did not train to CONVERGED."""
    from theorycheck.proofs.trainability_depth import CONVERGED

    rec = records["trainability-depth"]
    grid = _check(rec, "boundary")
    ev = grid["evidence"]
    ys, es = [_f(v) for v in ev["boundaries"]], [_f(v) for v in ev["boundary_halfwidths"]]
    w = 1 / np.array(es) ** 2
    depth = float(np.sum(w * np.array(ys)) / np.sum(w))
    err = float(1 / np.sqrt(np.sum(w)))
    constant_fits = all(abs(y - depth) <= e + err + 1e-9 for y, e in zip(ys, es, strict=True))
    assert ev["constant_depth_consistent"] == constant_fits
    assert grid["inconclusive"] == (grid["status"] == "passed" and constant_fits)
    sig = _check(rec, "sigmoid")
    control = _f(sig["evidence"]["tanh_acc"][0]) >= CONVERGED
    assert sig["inconclusive"] == (sig["status"] == "passed" and not control)
    if grid["inconclusive"] and sig["inconclusive"]:
        assert rec["verdict"] == "inconclusive"


# -- orthogonal-faster ----------------------------------------------------------------------


def test_orthogonal_faster_phase_point(records: dict[str, dict[str, Any]]) -> None:
    """chi1(2, 0.05) for tanh is 1.0476660 > 1 (chaotic), and the misprint says so."""
    rec = records["orthogonal-faster"]
    ev = _check(rec, "phase")["evidence"]
    q = ref.q_star(ref.tanh, 2.0, 0.05)
    chi = ref.chi1(ref.dtanh, 2.0, q)
    assert _f(ev["chi1"]) == pytest.approx(chi, rel=1e-10)
    assert _f(ev["q_star"]) == pytest.approx(q, rel=1e-10)
    assert _f(ev["eoc_sw2_at_sb2"]) == pytest.approx(
        ref.eoc_sw2(ref.tanh, ref.dtanh, 0.05, 1.01, 4.0), rel=1e-9)
    assert ev["ordered"] is (chi < 1)
    assert any(f["kind"] == "misprint" and "ordered" in f["printed"] for f in rec["findings"])


def test_orthogonal_faster_paired_statistics(records: dict[str, dict[str, Any]]) -> None:
    """The paired comparison recomputed with scipy.stats.ttest_rel from the reported curves."""
    check = _check(records["orthogonal-faster"], "paired")
    ev = check["evidence"]
    ortho = np.array([_f(v) for v in ev["auc"]["orthogonal"]])
    gauss = np.array([_f(v) for v in ev["auc"]["gaussian"]])
    assert len(ortho) == len(gauss) == len(ev["seeds"])
    res = stats.ttest_rel(ortho, gauss)
    diff = ortho - gauss
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    paired = ev["auc_paired"]
    assert _f(paired["mean_diff"]) == pytest.approx(diff.mean(), abs=2e-4)
    assert _f(paired["p_value"]) == pytest.approx(res.pvalue, rel=0.05, abs=1e-4)
    assert (check["status"] == "passed") == (diff.mean() - half > 0)


# -- mi-max-at-di ---------------------------------------------------------------------------


def test_mi_max_at_di_eoc_route(records: dict[str, dict[str, Any]]) -> None:
    """The points 'along the EOC' are on the EOC (chi1 = 1) and the route cross-check's value
    is the EOC at sb2 = 0.04."""
    rec = records["mi-max-at-di"]
    num = _check(rec, "EOC route")["evidence"]
    eoc = ref.eoc_sw2(ref.tanh, ref.dtanh, 0.04, 1.01, 4.0)
    assert _f(num["hermite"]) == pytest.approx(eoc, rel=1e-9)
    along = _check(rec, "along the EOC")["evidence"]["settings"]
    for setting in along.values():
        for sb, sw in zip(setting["sb"], setting["sw_on_eoc"], strict=True):
            sb2 = _f(sb) ** 2
            want = 1.0 if sb2 == 0 else ref.eoc_sw2(ref.tanh, ref.dtanh, sb2, 1.0001, 4.0)
            assert _f(sw) ** 2 == pytest.approx(want, rel=1e-5)


def test_mi_max_at_di_argmax_is_consistent(records: dict[str, dict[str, Any]]) -> None:
    """Each setting's reported argmax beats the DI point by more than 2 standard errors exactly
    when the setting is listed as a counterexample."""
    check = _check(records["mi-max-at-di"], "argmax")
    settings = check["evidence"]["settings"]
    failing = check["counterexample"] or {}
    for key, s in settings.items():
        at_max, at_di = _f(s["bound_at_argmax"]), _f(s["bound_at_di"])
        err = math.hypot(_f(s["bound_at_argmax_err"]), _f(s["bound_at_di_err"]))
        assert at_max >= at_di
        assert s["di_within_2se_of_max"] == (at_max - at_di <= 2 * err + 1e-5)
        assert (key in failing) == (not s["di_within_2se_of_max"] or bool(
            s["not_computable_points"]))
    assert (check["status"] == "failed") == bool(failing)


# -- mf-mi-lower-bound and mi-depth-limit (seed 001, reconstructed) --------------------------


def test_layer_one_bound_is_the_exact_gaussian_channel(records: dict[str, dict[str, Any]]
                                                       ) -> None:
    """At layer 1 the per-neuron bound is 1/2 log(a/(a - b)), a = Var tanh(u),
    b = q0 (E tanh'(u))^2, u ~ N(0, q0 + noise2), whatever sw2 and sb2 are."""
    ev = _check(records["mf-mi-lower-bound"], "agrees with the sampled")["evidence"]
    q0, noise2 = _f(ev["q0"]), _f(ev["noise2"])
    exact = ref.layer_one_bound(ref.tanh, ref.dtanh, q0, noise2)
    for key, row in ev["results"].items():
        if key.endswith(",l=1"):
            assert _f(row["mean_field_per_neuron"]) == pytest.approx(exact, rel=1e-5)
            # the sampled bound estimates the same number
            assert abs(_f(row["sampled_per_neuron"]) - exact) < 4 * _f(
                row["sampled_per_neuron_err"]) + 0.02 * exact
    depth = _check(records["mi-depth-limit"], "bound vs depth")["evidence"]
    for case in depth["cases"].values():
        assert _f(case["bound_per_neuron_by_depth"]["1"]) == pytest.approx(
            ref.layer_one_bound(ref.tanh, ref.dtanh, 1.0, _f(depth["noise2"])), rel=1e-5)


def test_mi_depth_limit_rate_on_the_noisy_eoc(records: dict[str, dict[str, Any]]) -> None:
    """The noisy EOC (chi1 = 1 with u ~ N(0, q* + noise2)) and the decay rate
    gamma* = sw2 E tanh'(u1) tanh'(u2) at the fixed point (q*, q12*); the bound decays like
    gamma*^l, and the property's counterexample has gamma* < 1."""
    rec = records["mi-depth-limit"]
    ev = _check(rec, "bound vs depth")["evidence"]
    sb2, noise2 = _f(ev["sb2"]), _f(ev["noise2"])
    eoc = ev["cases"]["eoc"]
    sw2 = ref.eoc_sw2(ref.tanh, ref.dtanh, sb2, 1.01, 4.0, noise2=noise2)
    assert _f(eoc["sw2"]) == pytest.approx(sw2, rel=1e-5)
    q = ref.q_star(ref.tanh, sw2, sb2, noise2)
    q12 = ref.q12_star(ref.tanh, sw2, sb2, q, noise2)
    gamma = sw2 * ref.expect2(ref.dtanh, ref.dtanh, q + noise2, q12)
    assert _f(eoc["gamma_star"]) == pytest.approx(gamma, rel=1e-5)
    assert _f(eoc["fitted_tail_rate"]) == pytest.approx(gamma, rel=1e-4)
    prop = _check(rec, "non-decaying")
    cex = prop["counterexample"]
    if cex is not None:
        sb2_c, n2_c = _f(cex["sb2"]), _f(cex["noise2"])
        sw2_c = ref.eoc_sw2(ref.tanh, ref.dtanh, sb2_c, 1.0 + 1e-6, 4.0, noise2=n2_c)
        assert _f(cex["eoc_sw2"]) == pytest.approx(sw2_c, rel=1e-5)
        qc = ref.q_star(ref.tanh, sw2_c, sb2_c, n2_c)
        g_c = sw2_c * ref.expect2(ref.dtanh, ref.dtanh, qc + n2_c,
                                  ref.q12_star(ref.tanh, sw2_c, sb2_c, qc, n2_c))
        assert _f(cex["gamma_star"]) == pytest.approx(g_c, rel=1e-5) and g_c < 1


# -- finite-width-ratio ---------------------------------------------------------------------


def _var_log_step(n: int) -> float:
    """Var log Y for ReLU at criticality, Y = G^(l+1)/G^(l) = (2/n) chi2_K with
    K ~ Binomial(n, 1/2) conditioned on K >= 1 (a dead layer is dropped), by quadrature of the
    density of t = log chi2_k (no digamma closed form: the proof module uses that one)."""
    from scipy.integrate import quad

    moments = []
    for k in range(1, n + 1):
        def dens(t: float, k: int = k) -> float:
            return math.exp(t) * stats.chi2.pdf(math.exp(t), k)
        m1 = quad(lambda t: t * dens(t), -80, 8, points=[0.0], limit=200, epsabs=1e-13)[0]
        m2 = quad(lambda t: t * t * dens(t), -80, 8, points=[0.0], limit=200, epsabs=1e-13)[0]
        moments.append((m1, m2))
    k = np.arange(1, n + 1)
    p = comb(n, k) * 0.5**n
    p = p / p.sum()
    m1s, m2s = np.array(moments).T
    return float(np.sum(p * m2s) - np.sum(p * m1s) ** 2)


def test_finite_width_fluctuations_match_the_exact_law(records: dict[str, dict[str, Any]]
                                                       ) -> None:
    """Var over draws of log G^(L) = (L - 1) Var log Y exactly (i.i.d. layer factors)."""
    ev = _check(records["finite-width-ratio"], "fluctuations")["evidence"]
    step = _var_log_step(ev["width"])
    for row in ev["rows"]:
        exact = (row["L"] - 1) * step
        assert _f(row["exact_(L-1)_var_log_Y"]) == pytest.approx(exact, rel=1e-5)
        assert abs(_f(row["var_log_G"]) - exact) <= 3.29 * _f(row["stderr"]), (row, exact)
        assert row["agrees_with_exact"] is True


def test_finite_width_theory_is_the_books_leading_order() -> None:
    """The 1/n theory the slopes are compared with: for ReLU at criticality the excess kurtosis
    3 V/(n K^2) = 15 (L - 1)/n exactly at leading order; for tanh (K* = 0 class, sw2 = 1) it
    approaches 2 L/n at large depth (seed 003's book, Sec. 0.2 and Ch. 5)."""
    import torch

    from theorycheck.meanfield.finite_width import MapTheory
    from theorycheck.simulate.theory import ActFns

    relu = ActFns.from_torch("relu", torch.relu, lambda x: (x > 0).to(x.dtype), kinks=(0.0,))
    tanh = ActFns.from_torch("tanh", torch.tanh, lambda x: 1 - torch.tanh(x) ** 2)
    for depth, width in [(2, 8), (5, 32), (17, 64), (33, 256)]:
        got = MapTheory(relu, 2.0, 0.0).kurtosis_leading(1.3, depth, width)
        assert got == pytest.approx(15 * (depth - 1) / width, rel=1e-12)
    ratios = [MapTheory(tanh, 1.0, 0.0).kurtosis_leading(1.0, depth, 100) * 100 / depth
              for depth in (100, 1000, 4000)]
    assert ratios[0] < ratios[1] < ratios[2] and abs(ratios[2] - 2.0) < 0.005


def test_finite_width_slope_verdicts_follow_the_tolerance(records: dict[str, dict[str, Any]]
                                                          ) -> None:
    check = _check(records["finite-width-ratio"], "grows like")
    for name, act in check["evidence"]["activations"].items():
        diff = abs(_f(act["measured_slope"]) - _f(act["theory_slope"]))
        assert act["agree"] is (diff <= _f(act["tolerance"])), name
    assert check["evidence"]["activations"]["relu"]["asymptotic_slope"] == 15.0
