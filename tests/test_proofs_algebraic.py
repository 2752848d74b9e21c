"""The algebraic information claims (schur-determinant, sylvester-cholesky, chi-square-variance,
mi-monotone-in-beta): verdicts computed by the engine and the evidence behind them, checked
against independent references."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import sympy as sp

from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import run
from theorycheck.information.randmat import random_correlation
from theorycheck.numbers import Precision


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    ids = ["schur-determinant", "sylvester-cholesky", "chi-square-variance",
           "mi-monotone-in-beta"]
    out = run(ids, RunContext(profile="quick", precision=Precision(30), seed=0))
    return {r["id"]: r for r in out["claims"]}


def _check(rec: dict[str, Any], method: str, contains: str) -> dict[str, Any]:
    return next(c for c in rec["checks"] if c["method"] == method and contains in c["name"])


def test_printed_limit_27_is_two_sigma_w_fourth() -> None:
    n, s = sp.symbols("N sigma_w", positive=True)
    assert sp.limit(2 * n * s ** 4 / n, n, sp.oo) == 2 * s ** 4
    assert sp.limit(2 * n * s ** 4 / n ** 2, n, sp.oo) == 0


def test_schur_determinant(records: dict[str, dict[str, Any]]) -> None:
    rec = records["schur-determinant"]
    assert rec["verdict"] == "holds-corrected"
    red = _check(rec, "symbolic", "(41)-(44)")
    assert red["evidence"]["printed_42_ratio"] == "1"
    assert red["evidence"]["printed_43_ratio"] == "1"
    num = _check(rec, "numeric", "(35)")
    # independent reference: numpy determinants of the same construction
    rng = np.random.default_rng(0 + 40)
    c = random_correlation(rng, 5, ridge=0.3)
    d = np.exp(rng.uniform(-1.0, 1.0, 5))
    sigma = c * d[:, None] * d[None, :]
    ref = 0.5 * math.log(np.linalg.det(sigma[:2, :2]) * np.linalg.det(sigma[2:, 2:])
                         / np.linalg.det(sigma))
    assert float(num["evidence"]["I_35"]) == pytest.approx(ref, abs=1e-12)
    assert float(num["evidence"]["I_43_corrected"]) == pytest.approx(ref, abs=1e-12)
    assert {f["where"] for f in rec["findings"] if f["kind"] == "misprint"} == {
        "seed 000, Eq. (42)", "seed 000, Eq. (43)"}


def test_sylvester_cholesky(records: dict[str, dict[str, Any]]) -> None:
    rec = records["sylvester-cholesky"]
    assert rec["verdict"] == "holds"
    num = _check(rec, "numeric", "(46)-(49)")
    ev = num["evidence"]
    assert ev["rank_M"] == 2 and ev["zero_omegas"] == 2
    assert ev["det_46"] == ev["det_48"] == ev["det_49"]
    assert all(c["status"] == "passed" for c in rec["checks"])


def test_chi_square_variance(records: dict[str, dict[str, Any]]) -> None:
    rec = records["chi-square-variance"]
    assert rec["verdict"] == "holds-corrected"
    sym = _check(rec, "symbolic", "(23)-(27)")["evidence"]
    assert sp.sympify(sym["printed_27_limit"]) == 2 * sp.Symbol("sigma_w") ** 4
    assert sym["corrected_27_limit"] == "0"
    mc = _check(rec, "numeric", "Monte Carlo of Var")["evidence"]
    alpha, sw2 = float(mc["alpha"]), mc["sw2"]
    for row in mc["rows"]:
        exact = 2 * alpha ** 2 * sw2 ** 2 / row["N"]
        assert float(row["exact"]) == pytest.approx(exact, rel=1e-12)
        assert abs(float(row["var_hat"]) - exact) <= 4 * float(row["se"])
    hints = _check(rec, "numeric", "hints")["evidence"]
    assert float(hints["sigmoid_mean"]) == pytest.approx(0.5, abs=1e-25)
    assert float(hints["relu_mean"]) == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-15)
    assert abs(float(hints["tanh_mean"])) < 1e-25
    kinds = sorted(f["kind"] for f in rec["findings"])
    assert kinds.count("misprint") == 3 and "unstated-condition" in kinds


def test_mi_monotone_in_beta(records: dict[str, dict[str, Any]]) -> None:
    rec = records["mi-monotone-in-beta"]
    assert rec["verdict"] == "conditional"
    assert "beta >= 0" in rec["condition"]
    allb = _check(rec, "property", "all beta")
    assert allb["status"] == "failed"
    ce = allb["counterexample"]
    assert min(ce["beta1_over_beta_max"], ce["beta2_over_beta_max"]) < 0
    assert _check(rec, "property", "beta >= 0")["status"] == "passed"
