"""gaussian-mi-lower-bound: the engine's verdict and its evidence against exact references."""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import pytest

from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import run
from theorycheck.numbers import Precision


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    ctx = RunContext(profile="quick", precision=Precision(30), seed=0)
    return run(["gaussian-mi-lower-bound"], ctx)["claims"][0]


def _check(rec: dict[str, Any], name_part: str) -> dict[str, Any]:
    return next(c for c in rec["checks"] if name_part in c["name"])


def test_verdict_and_findings(record: dict[str, Any]) -> None:
    assert record["verdict"] == "holds-corrected"
    where = {f["where"] for f in record["findings"] if f["kind"] == "misprint"}
    assert "seed 000, Appendix A, Eq. (A2)" in where
    assert "seed 000, Appendix A, Eqs. (A7)-(A8)" in where


def test_linear_channel_equals_exact(record: dict[str, Any]) -> None:
    rows = _check(record, "quadrature vs I_N")["evidence"]["rows"]
    for row in (r for r in rows if r["psi"] == "linear"):
        exact = 0.5 * math.log1p(1 / row["sigma"] ** 2)
        assert float(row["I_true"]) == pytest.approx(exact, abs=1e-11)
        assert float(row["I_N"]) == pytest.approx(exact, abs=1e-14)
    assert all(r["holds"] for r in rows)
    assert min(float(r["gap"]) for r in rows if r["psi"] in ("tanh", "relu", "cubic")) > 1e-3


def test_outside_hypothesis_binary(record: dict[str, Any]) -> None:
    rows = _check(record, "outside")["evidence"]["rows"]
    for row in rows:
        with mp.workdps(30):
            exact = mp.log1p(1 / mp.mpf(row["sigma"]) ** 2) / 2
            assert abs(mp.mpf(row["I_N"]) - exact) < mp.mpf(10) ** -25
        assert row["I_true_below_I_N"] and row["I_true_le_log2"]


def test_appendix_a2_log_moment(record: dict[str, Any]) -> None:
    ev = _check(record, "LMMSE")["evidence"]
    assert float(ev["E_log_quadratic_form_n1"]) == pytest.approx(
        float(-mp.euler - mp.log(2)), abs=1e-15)
    assert ev["E_quadratic_form_n1"] == "1"
