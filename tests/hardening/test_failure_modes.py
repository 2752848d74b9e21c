"""One test per failure mode of the hardening table (README, "When things go wrong").

Each asserts the named :class:`~theorycheck.errors.Status` the library raises and, where a
command exposes it, that the CLI prints one line ``theorycheck: error [<status>]: ...`` and exits
with status 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from typer.testing import CliRunner

from theorycheck.cli import _load_commands, app
from theorycheck.errors import Status, TheoryCheckError

_load_commands()
runner = CliRunner()


def cli_fails(args: list[str], status: Status) -> str:
    """Run the CLI; assert exit 2 and a one-line message naming ``status``; return the line."""
    r = runner.invoke(app, args)
    assert r.exit_code == 2, (args, r.exit_code, r.output)
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output
    assert lines[0].startswith(f"theorycheck: error [{status}]: "), lines[0]
    return lines[0]


def raises(status: Status, fn, *args, **kwargs) -> TheoryCheckError:  # type: ignore[no-untyped-def]
    with pytest.raises(TheoryCheckError) as info:
        fn(*args, **kwargs)
    assert info.value.status == status, str(info.value)
    assert "\n" not in str(info.value)
    return info.value


def test_unsafe_formula() -> None:
    from theorycheck.activations import get_activation

    raises(Status.UNSAFE_FORMULA, get_activation, "__import__('os').system('true')")
    cli_fails(["activation", "().__class__.__bases__[0].__subclasses__()"], Status.UNSAFE_FORMULA)


def test_unknown_function() -> None:
    line = cli_fails(["meanfield", "foo(x)", "--sw2", "1", "--sb2", "0.1"], Status.UNSAFE_FORMULA)
    assert "unknown function 'foo'" in line and "tanh" in line


def test_divergent_expectation() -> None:
    from theorycheck.gaussian import expect_mp

    raises(Status.DIVERGENT_INTEGRAL, expect_mp, lambda u: mp.exp(u * u), 1, dps=15)
    cli_fails(["meanfield", "exp(x**2)", "--sw2", "1", "--sb2", "0.5"],
              Status.DIVERGENT_INTEGRAL)


def test_no_finite_fixed_point() -> None:
    from theorycheck.meanfield import MeanField

    raises(Status.NO_FINITE_FIXED_POINT, MeanField("relu", dps=15).q_star, 3, 0)
    cli_fails(["meanfield", "relu", "--sw2", "3", "--sb2", "0"], Status.NO_FINITE_FIXED_POINT)


def test_non_unique_fixed_point() -> None:
    from theorycheck.meanfield import MeanField

    raises(Status.NON_UNIQUE_FIXED_POINT, MeanField("x", dps=15).q_star, 1, 0)
    cli_fails(["meanfield", "x", "--sw2", "1", "--sb2", "0"], Status.NON_UNIQUE_FIXED_POINT)


def test_eoc_without_root_in_range() -> None:
    from theorycheck.meanfield import MeanField

    # sigmoid: E sigmoid'^2 <= 1/16, so chi1 = 1 needs sw2 >= 16
    raises(Status.NO_ROOT_IN_RANGE, MeanField("sigmoid", dps=15).eoc_sb2, 4)
    cli_fails(["eoc", "sigmoid", "--sw2", "4", "--dps", "15"], Status.NO_ROOT_IN_RANGE)


def test_precision_not_reached() -> None:
    from theorycheck.gaussian import expect_mp

    kink = mp.mpf("0.3")  # a kink the caller did not declare as a breakpoint
    err = raises(Status.PRECISION_NOT_REACHED, expect_mp, lambda u: abs(u - kink), 1, dps=40)
    assert "breakpoint" in err.message
    # declared, the same integral reaches the precision
    assert expect_mp(lambda u: abs(u - kink), 1, dps=40, breakpoints=[kink]).error < 1e-40


def test_precision_escalation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two evaluations disagree at the first working precision: it is raised once (two
    more quadratures), and the Estimate's method says so."""
    from theorycheck.gaussian import expect_mp
    from theorycheck.gaussian import mp as engine

    calls = []
    real_quad = mp.quad

    def quad(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(mp.mp.dps)
        value = real_quad(*args, **kwargs)
        return value + (mp.mpf("1e-12") if len(calls) == 2 else 0)  # spoil attempt one only

    monkeypatch.setattr(engine.mp, "quad", quad)
    est = expect_mp(lambda u: u * u, 2, dps=30)
    assert len(calls) == 4 and calls[2] > calls[0]
    assert "raised" in est.method
    assert abs(est.value - 2) < 1e-30


def test_precision_escalation_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from theorycheck.gaussian import expect_mp
    from theorycheck.gaussian import mp as engine

    calls = []
    real_quad = mp.quad

    def quad(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real_quad(*args, **kwargs) + (mp.mpf("1e-12") if len(calls) % 2 == 0 else 0)

    monkeypatch.setattr(engine.mp, "quad", quad)
    raises(Status.PRECISION_NOT_REACHED, expect_mp, lambda u: u * u, 2, dps=30)
    assert len(calls) == 4  # raised exactly once, then reported


def test_ill_conditioned_covariance() -> None:
    from theorycheck.information.gaussian_mi import gaussian_mi

    singular = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    err = raises(Status.ILL_CONDITIONED, gaussian_mi, singular, 1)
    assert "condition number" in err.message


def test_simulation_too_large() -> None:
    from theorycheck.placement import CPU
    from theorycheck.simulate import measure

    err = raises(Status.TOO_LARGE, measure, "variance", "tanh", sw2=1.0, sb2=0.0,
                 width=10**6, depth=4, samples=4, placement=CPU)
    assert "fits" in err.message
    line = cli_fails(["simulate", "variance", "tanh", "--sw2", "1", "--sb2", "0", "--width",
                      "1000000", "--device", "cpu"], Status.TOO_LARGE)
    fits = int(line.rsplit("width <= ", 1)[1].split()[0])
    assert 1 <= fits < 10**6


def test_nan_never_reaches_a_report(tmp_path: Path) -> None:
    from theorycheck.numbers import to_decimal
    from theorycheck.report import write_report

    for bad in (math.nan, math.inf, mp.nan, -mp.inf, None):
        raises(Status.NOT_FINITE, to_decimal, bad, 10)
    results = {"run": {"version": "t", "profile": "quick", "dps": 30, "seed": 0},
               "claims": [{"id": "c", "verdict": "inconclusive", "checks": [
                   {"method": "numeric", "status": "skipped", "summary": "s",
                    "evidence": {"ratio": float("nan"), "top": float("inf"), "ok": 0.5}}]}]}
    with pytest.warns(RuntimeWarning, match="non-finite number nan"):
        out = write_report(results, tmp_path / "r")
    text = (out / "results.json").read_text()
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"JSON constant {c}"))
    evidence = doc["claims"][0]["checks"][0]["evidence"]
    assert evidence == {"ratio": "nan", "top": "inf", "ok": 0.5}
    assert "non-finite number nan" in (out / "index.md").read_text()
    # and on stdout: emit_json never writes a bare NaN
    import contextlib
    import io

    from theorycheck.cli.app import emit_json

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        emit_json({"x": float("nan")})
    assert json.loads(buf.getvalue(), parse_constant=lambda c: pytest.fail(c)) == {"x": "nan"}


def test_time_budget(tmp_path: Path) -> None:
    r = runner.invoke(app, ["verify", "qmap", "--max-seconds", "0.5", "--json", "--no-cache"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    claim = doc["claims"][0]
    assert claim["verdict"] == "inconclusive"
    assert claim["seconds"] < 5
    stopped = [c for c in claim["checks"] if c["inconclusive"]]
    assert stopped and stopped[0]["evidence"]["error_status"] == str(Status.TIME_BUDGET)
    assert "--max-seconds" in stopped[0]["summary"]
    cli_fails(["verify", "qmap", "--max-seconds", "0", "--no-cache"], Status.INVALID_ARGUMENT)


def test_bounded_symbolic_step_nests_with_the_claim_budget() -> None:
    """A symbolic step's own bound (timing.time_limit) neither swallows nor disarms the
    per-claim --max-seconds budget around it."""
    import signal
    import time

    from theorycheck.claims.runner import ClaimTimeout, time_budget
    from theorycheck.timing import StepTimeoutError, time_limit

    def spin(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass

    with pytest.raises(ClaimTimeout), time_budget(0.2), time_limit(5.0):
        spin(3)
    with time_budget(5.0):
        with pytest.raises(StepTimeoutError), time_limit(0.1):
            spin(3)
        assert 3.0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 5.0  # outer budget still armed
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
