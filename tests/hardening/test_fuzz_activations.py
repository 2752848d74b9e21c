"""Fuzzing beyond the parser: random *expression trees* from the allowed grammar (valid-looking
formulas, pathological ones included) go through everything a user formula reaches --
``get_activation``, ``.properties`` and a Gaussian expectation -- and each either succeeds or
raises :class:`TheoryCheckError` with a one-line reason, within a time bound per formula; a
subprocess under ``RLIMIT_AS`` shows the pathological ones stay within a memory bound.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import mpmath as mp
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from theorycheck.activations import get_activation
from theorycheck.errors import TheoryCheckError
from theorycheck.timing import StepTimeoutError, time_limit

#: seconds one formula may take from text to a Gaussian expectation (symbolic steps are bounded
#: at 2 s each and fall back to numeric routes)
PER_FORMULA_SECONDS = 20.0

PATHOLOGICAL = [
    "exp(exp(exp(x)))", "x**64", "exp(x**2)", "exp(-exp(x))", "sin(exp(x))",
    "tanh(tanh(tanh(tanh(tanh(x)))))", "x**64 - x**63", "log(1+exp(exp(x)))",
    "Piecewise((Piecewise((x, x < 1), (1, True)), x > 0), (Piecewise((-1, x < -2), (x/2, True)),"
    " True))",
    "Piecewise((Piecewise((Piecewise((x, x < 2), (2, True)), x < 3), (3, True)), x > -1),"
    " (-1, True))",
    "max(min(x, 1), min(-x, 1), 0.5*x)", "1/(1+x**2)", "sqrt(1+x**2)", "x*sin(1/(1+x**2))",
    "Abs(x - 0.3) + Abs(x + 0.7)", "Heaviside(x - 1)*x", "erf(x)**64", "sigmoid(100*x)",
    "softplus(1000*x)", "cosh(x)**2", "exp(10*x)", "1e-14*x", "999999999999999*x",
]

_LEAVES = st.sampled_from(["x", "x", "x", "1", "2", "0.5", "pi", "E", "3.25"])
_UNARY = ["tanh", "exp", "sin", "cos", "erf", "Abs", "sigmoid", "softplus", "atan", "sinh",
          "relu", "sign", "Heaviside", "erfc"]


def _trees(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    unary = st.tuples(st.sampled_from(_UNARY), children).map(lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]}) {t[1]} ({t[2]})")
    power = st.tuples(children, st.integers(0, 64)).map(lambda t: f"({t[0]})**{t[1]}")
    at = st.floats(-3, 3, allow_nan=False).map(lambda v: f"{v:.3g}")
    piecewise = st.tuples(children, at, children).map(
        lambda t: f"Piecewise(({t[0]}, x < {t[1]}), ({t[2]}, True))")
    extremum = st.tuples(st.sampled_from(["max", "min"]), children, children).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})")
    return st.one_of(unary, binary, power, piecewise, extremum)


FORMULAS = st.recursive(_LEAVES, _trees, max_leaves=8)


def exercise(text: str) -> str:
    """Parse, decide properties, integrate psi^2 against N(0, 1); ``ok`` or the error status."""
    try:
        act = get_activation(text)
        props = act.properties
        assert props.parity in ("odd", "even", "neither")
        psi = act.mpmath(0)
        from theorycheck.gaussian import expect_mp

        est = expect_mp(lambda u: psi(u) ** 2, 1, dps=15,
                        breakpoints=[float(k) for k in act.kinks])
        assert mp.isfinite(est.value) and mp.isfinite(est.error)
        return "ok"
    except TheoryCheckError as err:
        assert "\n" not in str(err) and 0 < len(str(err)) < 1000, str(err)
        return str(err.status)


def bounded(text: str) -> str:
    t0 = time.perf_counter()
    try:
        with time_limit(PER_FORMULA_SECONDS):
            outcome = exercise(text)
    except StepTimeoutError:
        pytest.fail(f"{text!r} took more than {PER_FORMULA_SECONDS} s")
    assert time.perf_counter() - t0 < PER_FORMULA_SECONDS
    return outcome


@seed(20240611)
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(FORMULAS)
def test_random_expression_trees(text: str) -> None:
    bounded(text)


@pytest.mark.parametrize("text", ["exp(exp(exp(x)))", "x**64"])
def test_pathological_in_process(text: str) -> None:
    bounded(text)


_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (__LIMIT__, __LIMIT__))
sys.path.insert(0, __TESTS__)
from test_fuzz_activations import PATHOLOGICAL, exercise
out = {}
for text in PATHOLOGICAL:
    t0 = time.perf_counter()
    out[text] = [exercise(text), round(time.perf_counter() - t0, 2)]
print(json.dumps(out))
"""


def test_pathological_formulas_under_a_memory_limit() -> None:
    """Every pathological formula, in a child process whose address space is capped at 3 GiB:
    no MemoryError, no crash, each decided (ok or a named status) within the time bound."""
    limit = 3 * 1024**3
    code = _CHILD.replace("__LIMIT__", str(limit)).replace(
        "__TESTS__", repr(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=240, env={**os.environ, "OMP_NUM_THREADS": "1",
                                            "OPENBLAS_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(results) == set(PATHOLOGICAL)
    for text, (outcome, seconds) in results.items():
        assert outcome == "ok" or "-" in outcome, (text, outcome)
        assert seconds < PER_FORMULA_SECONDS, (text, seconds)
    assert results["exp(x**2)"][0] == "divergent-integral"
    assert results["exp(exp(exp(x)))"][0] == "divergent-integral"
