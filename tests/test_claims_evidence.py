"""The evidence constructors of theorycheck.claims.evidence and the helpers moved out of claim
modules (information.input_correlation, meanfield.eoc_beta), against independent references."""

from __future__ import annotations

import mpmath as mp
import numpy as np

from theorycheck.activations import get_activation
from theorycheck.claims import CheckStatus, Finding
from theorycheck.claims.evidence import (
    binned_sample,
    hypothesis_not_met,
    misprint,
    note,
    passed_if,
    unstated_condition,
)
from theorycheck.information import input_correlation as ic
from theorycheck.meanfield.eoc_beta import eoc_beta_mp


def test_finding_constructors_fill_the_kind() -> None:
    for make, kind in ((misprint, "misprint"), (note, "note"),
                       (unstated_condition, "unstated-condition"),
                       (hypothesis_not_met, "hypothesis-not-met")):
        assert make("w", "p", "c", "e", affects_conclusion=True) == Finding(
            kind=kind, where="w", printed="p", corrected="c", evidence="e",
            affects_conclusion=True)
        assert make("w", "p", "c") == Finding(kind, "w", "p", "c", "", False)


def test_passed_if() -> None:
    ev = {"x": "1"}
    r = passed_if(True, "numeric", "s", ev, name="n", counterexample=None)
    assert (r.status, r.method, r.summary, r.name) == (CheckStatus.PASSED, "numeric", "s", "n")
    assert r.evidence is ev
    r = passed_if(False, "symbolic", "t")
    assert r.status == CheckStatus.FAILED and r.evidence == {}


def test_binned_sample() -> None:
    assert binned_sample([0.0, 1.0, 3.0], [2, 1]).tolist() == [0.5, 0.5, 2.0]
    got = binned_sample([0.0, 2.0], [3], log10=True)
    assert np.allclose(got, [10.0, 10.0, 10.0])


def test_ratio_moment_finite_only_from_three_inputs() -> None:
    # E[W_i^2/(sum W^2)^2] = 1/(sw2 (N0 - 2)) for N0 >= 3, infinite for N0 = 1, 2
    # (at N0 = 3 the cut-off tail shrinks only like sqrt(eps): the test needs N0 >= 4)
    assert [ic.ratio_moment_finite(n) for n in (1, 2, 4, 8)] == [False, False, True, True]
    table, diverging = ic.truncated_ratio_table(mp.mpf(1), 15)
    assert diverging == ["1", "2"]
    assert abs(mp.mpf(table["3"]["eps=1e-8"]) - 1) < 1e-3      # 1/(N0 - 2) at N0 = 3


def test_true_variance_and_layer_one_variances() -> None:
    t = ic.true_variance_symbolic()
    assert str(t["V"]) == "beta0**2/(N0*alpha)" and t["limit"] == 0
    # linear psi = x at q = 1: beta0 = 1, Var psi = 1, bound = 1, V = 1/N0
    one, zero = mp.mpf(1), mp.mpf(0)
    e = ic.Estimate
    v = ic.layer_one_variances(e(one, zero), e(zero, zero), e(one, zero), 1, one)
    assert v["bound"] == 1 and v["V"][8] == (one / 8, one / 6) and v["V"][2][1] is None


def test_eoc_beta_tends_to_one_for_tanh() -> None:
    qs, betas, lim = eoc_beta_mp(get_activation("tanh"), range(2, 6), 15)
    assert qs == [mp.mpf(2) ** (-2 * k) for k in range(2, 6)]
    assert all(b < 1 for b in betas) and betas == sorted(betas)    # Cauchy-Schwarz, monotone
    assert abs(lim.value - 1) < max(10 * lim.error, 1e-8)
