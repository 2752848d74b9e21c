"""The five core claims, checked against references computed here, independently of the proofs:
scipy quadrature, mpmath at two precisions, Monte Carlo, closed forms.  Verdicts are compared
with ``decide(outcome)`` and with a reason the test computes itself; whole-claim runs of the
slower claims are under ``@pytest.mark.slow``."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.special import expit

from theorycheck.activations import get_activation
from theorycheck.claims import ClaimOutcome, ClaimRun, RunContext, decide
from theorycheck.numbers import Precision

pytest.importorskip("theorycheck.gaussian")
pytest.importorskip("theorycheck.activations")


def _gauss_expect(f, q: float) -> float:
    s = math.sqrt(q)
    return integrate.quad(lambda z: f(s * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                          -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13, limit=400)[0]


def _scipy_sigmoid_minimum() -> tuple[float, float]:
    """min sw2 on {chi1 = 1, sb2 = 0} for the sigmoid: brentq on sb2(q) = q - E phi^2/E phi'^2."""
    def sb2(q: float) -> float:
        a = _gauss_expect(lambda x: expit(x) ** 2, q)
        b = _gauss_expect(lambda x: (expit(x) * expit(-x)) ** 2, q)
        return q - a / b

    q = optimize.brentq(sb2, 10.0, 100.0, xtol=1e-13, rtol=1e-15)
    return q, 1 / _gauss_expect(lambda x: (expit(x) * expit(-x)) ** 2, q)


# -- sigmoid-sw-bound ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sigmoid_run() -> ClaimOutcome:
    from theorycheck.claims import get_claim
    from theorycheck.claims.engine import execute

    return execute(get_claim("sigmoid-sw-bound"),
                   RunContext(profile="quick", precision=Precision(20)))


def _check(outcome: ClaimOutcome, name: str):
    return next(c for c in outcome.checks if c.name.startswith(name))


def test_sigmoid_minimum_matches_scipy_and_a_second_precision(sigmoid_run: ClaimOutcome) -> None:
    from theorycheck.meanfield.sigmoid_line import minimum_sw2

    ev = _check(sigmoid_run, "min sw2").evidence
    q_ref, sw2_ref = _scipy_sigmoid_minimum()
    assert abs(float(ev["min_sw2"]) - sw2_ref) < 1e-8 * sw2_ref
    assert abs(float(ev["q_star_at_min"]) - q_ref) < 1e-7 * q_ref
    assert float(ev["min_sw2_err"]) < 1e-17
    # the same minimum at 40 digits agrees with the 20-digit run to its stated error
    m40 = minimum_sw2(40)
    with mp.workdps(45):
        assert abs(m40["sw2"].value - mp.mpf(ev["min_sw2"])) < mp.mpf(10) ** -17
        assert m40["sw2"].error < mp.mpf(10) ** -37
    # the printed sigma_w ~ 103.05 is neither sigma_w nor (to its digits) sigma_w^2
    assert abs(sw2_ref - 103.05) > 0.04 and abs(math.sqrt(sw2_ref) - 103.05) > 90


def test_sigmoid_phi_second_derivative_is_minus_one_sixteenth(sigmoid_run: ClaimOutcome) -> None:
    ev = _check(sigmoid_run, "printed Phi''(0)").evidence
    assert ev["Phi_second_at_0"] == "-1/16"
    with mp.workdps(40):                    # independent: numeric second derivative of phi'^2
        d2 = mp.diff(lambda x: (1 / (1 + mp.exp(-x)) * (1 - 1 / (1 + mp.exp(-x)))) ** 2, 0, 2)
        assert abs(d2 + mp.mpf(1) / 16) < mp.mpf(10) ** -30


def test_sigmoid_verdict_follows_from_its_checks(sigmoid_run: ClaimOutcome) -> None:
    assert not any(c.status == "failed" for c in sigmoid_run.checks)
    # reason computed here: the theorem's bound holds (scipy min > 100) but printed steps are
    # wrong (Phi''(0) = -1/16, not -1), so the substance holds with corrections
    _, sw2_ref = _scipy_sigmoid_minimum()
    assert sw2_ref > 100
    assert any(f.kind == "misprint" for f in sigmoid_run.findings)
    assert decide(sigmoid_run) == "holds-corrected"


# -- correlation-variance-finite -------------------------------------------------------------------
def _ratio_moment_mc(n0: int, m: int, seed: int) -> tuple[float, float]:
    """E[W_1^2/(sum W^2)^2], W ~ N(0, I/N0): importance sampling on the radius with a
    Gamma(0.75 (N0 - 2)) proposal (finite variance for N0 >= 3), direction from a Gaussian."""
    rng = np.random.default_rng(seed)
    s2 = 1.0 / n0
    k = 0.75 * (n0 - 2)
    r2 = rng.gamma(k, 2 * s2, size=m)
    g = rng.normal(size=(m, n0))
    u1 = g[:, 0] ** 2 / np.sum(g * g, axis=1)
    logw = stats.gamma(n0 / 2, scale=2 * s2).logpdf(r2) - stats.gamma(k, scale=2 * s2).logpdf(r2)
    vals = u1 / r2 * np.exp(logw)
    return float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(m))


def test_ratio_moment_symbolic_against_monte_carlo() -> None:
    import sympy as sp

    from theorycheck.information.input_correlation import ratio_moment_symbolic

    r = ratio_moment_symbolic()
    sw2 = r["sw2"]
    assert r["polar"][1] == sp.oo and r["polar"][2] == sp.oo
    for n0 in range(3, 7):
        exact = float(r["polar"][n0].subs(sw2, 1))
        mean, se = _ratio_moment_mc(n0, 200_000, seed=n0)
        assert abs(mean - exact) < 5 * se, (n0, mean, exact, se)
        assert float(r["laplace"][n0].subs(sw2, 1)) == pytest.approx(exact, rel=1e-15)


def test_plain_monte_carlo_of_the_printed_moment_keeps_growing_for_small_n0() -> None:
    rng = np.random.default_rng(0)
    for n0 in (1, 2):
        w = rng.normal(0, math.sqrt(1 / n0), size=(10**6, n0))
        f = w[:, 0] ** 2 / np.sum(w * w, axis=1) ** 2
        assert f[:10**6].mean() > f[:10**3].mean()          # no finite mean to settle on


@pytest.fixture(scope="module")
def correlation_run() -> ClaimOutcome:
    from theorycheck.claims import get_claim
    from theorycheck.claims.engine import execute

    return execute(get_claim("correlation-variance-finite"),
                   RunContext(profile="quick", precision=Precision(20),
                              activations=(get_activation("tanh"), get_activation("erf"))))


def test_correlation_verdict_follows_from_its_checks(correlation_run: ClaimOutcome) -> None:
    failed = [c for c in correlation_run.checks if c.status == "failed"]
    assert failed and all(c.counterexample for c in failed)
    assert decide(correlation_run) == decide(ClaimOutcome(checks=correlation_run.checks,
                                                          findings=correlation_run.findings))
    # reason computed here: the correlation (20) of one tanh layer, over 4000 inputs, for 200
    # weight draws with N0 = 1 (where the claim's Gaussian spread is largest), never leaves
    # [-1, 1]; so 'values outside [-1, 1] with non-zero probability' is false -> fails
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(200):
        x = rng.normal(size=(4000, 1))
        w = rng.normal(0, math.sqrt(1.5), size=(8, 1))
        h = np.tanh(x) @ w.T + rng.normal(0, math.sqrt(0.05), size=(1, 8))
        c = np.corrcoef(np.hstack([x, h]).T)[0, 1:]
        worst = max(worst, float(np.abs(c).max()))
    assert worst <= 1.0
    assert decide(correlation_run) == "fails"


def test_correlation_bound_per_activation(correlation_run: ClaimOutcome) -> None:
    row = correlation_run.per_activation["tanh"]["C01"]
    beta0 = _gauss_expect(lambda x: x * math.tanh(x), 1.0)
    var = _gauss_expect(lambda x: math.tanh(x) ** 2, 1.0)
    assert float(row["beta0"]) == pytest.approx(beta0, rel=1e-11)
    assert float(row["max_abs_C01_bound"]) == pytest.approx(beta0 / math.sqrt(var), rel=1e-11)
    assert float(row["V_C01_N0=3"]) == pytest.approx(beta0**2 / (3 * var), rel=1e-11)


# -- beta: definition vs Stein; the DI point of erf -----------------------------------------------
def test_beta_two_ways_at_a_fixed_point() -> None:
    from theorycheck.activations import get_activation
    from theorycheck.meanfield.search import FastMeanField, mp_fixed_point_beta

    act = get_activation("tanh")
    sw2, sb2 = 1.7, 0.3
    fps = [f for f in FastMeanField(act).fixed_points(sw2, sb2) if f.kind == "stable"]
    assert len(fps) == 1
    r = mp_fixed_point_beta(act, fps[0].q, mp.mpf("1.7"), mp.mpf("0.3"), 30)
    with mp.workdps(40):
        assert abs(r["residual"]) < mp.mpf(10) ** -28
        assert abs(r["beta"] - r["beta_stein"]) < mp.mpf(10) ** -26
    # scipy: definition sw E[psi(s z) z]/s and Stein sw E psi'(s z) at the same q*
    q = float(r["q"])
    direct = math.sqrt(sw2) * _gauss_expect(lambda x: x * math.tanh(x), q) / q
    stein = math.sqrt(sw2) * _gauss_expect(lambda x: 1 - math.tanh(x) ** 2, q)
    assert direct == pytest.approx(float(r["beta"]), rel=1e-11)
    assert stein == pytest.approx(float(r["beta"]), rel=1e-11)
    assert float(r["beta"]) < 1


def test_erf_di_point_and_limit() -> None:
    from theorycheck.activations import get_activation
    from theorycheck.proofs.beta_max_at_di import _di_numeric, _limit_numeric

    run = ClaimRun(ctx=RunContext(profile="quick", precision=Precision(20),
                                  activations=(get_activation("erf"),)))
    assert [a.name for a in run.activations()] == [get_activation("erf").name]
    res = _di_numeric(run)
    sw2 = float(res.evidence["per_activation"]["erf"]["di_point"].strip("()").split(",")[0])
    assert sw2 == pytest.approx(math.pi / 4, rel=1e-14)       # sw = sqrt(pi)/2
    assert res.evidence["per_activation"]["erf"]["q_star_0_attracts_all_q"]
    lim = _limit_numeric(run).evidence["per_activation"]["erf"]
    assert abs(float(lim["limit"]) - 2 / math.sqrt(math.pi)) < 1e-9


def test_beta_le_one_search_finds_the_linear_case() -> None:
    from theorycheck.proofs.beta_le_one import _property

    res = _property(ClaimRun(ctx=RunContext(profile="quick", seed=0)), nonlinear_only=False)
    assert res.status == "failed"
    ce = res.counterexample
    # reason computed here: psi(x) = a x at sw2 = 1/a^2, sb2 = 0 maps every q to itself, and
    # beta = sw E[a s z z]/s = sw a = 1
    a = slope_of(ce["psi"])
    assert ce["linear"] == "True"
    assert float(ce["sw2"]) * a * a == pytest.approx(1.0) and float(ce["sb2"]) == 0.0
    assert float(ce["beta"]) == pytest.approx(1.0, abs=1e-25)


def slope_of(formula: str) -> float:
    """Slope of a linear formula 'x', '2*x', 'x/2' (read by the activation parser, no eval)."""
    from theorycheck.activations import get_activation

    return float(get_activation(formula).numpy(0)(1.0))


# -- whole claims (slow) ------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["beta-le-one", "beta-max-at-di", "jacobian-moments"])
def test_whole_claim_verdicts_follow_from_checks(claim_id: str) -> None:
    from theorycheck.claims import get_claim
    from theorycheck.claims.engine import execute

    out = execute(get_claim(claim_id), RunContext(profile="quick", precision=Precision(20)))
    failed = [c for c in out.checks if c.status == "failed"]
    assert all(c.counterexample for c in failed)
    verdict = decide(out)
    if failed:
        assert verdict in ("fails", "conditional")
        assert (verdict == "conditional") == bool(out.condition)
    # each of these claims is refuted as printed by a search counterexample that the condition
    # excludes; inside it every check passes
    if out.condition:
        inside = [c for c in out.checks if "inside the condition" in c.name]
        assert inside and all(c.status == "passed" for c in inside)
