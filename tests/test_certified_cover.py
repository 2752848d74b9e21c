"""Certified statements over regions (meanfield.certified_cover, certified_line and the
certified checks of the claims): enclosures over whole boxes against closed forms, a wrong
claim refuted with a certificate, and the rule that an unproved certificate never decides."""

from __future__ import annotations

import math

import mpmath as mp
import pytest
from flint import arb, ctx

from theorycheck.activations import get_activation
from theorycheck.claims.certified_checks import certified_beta_bound, certified_jacobian_gap
from theorycheck.claims.declare import ClaimRun
from theorycheck.claims.engine import rests_on_proof
from theorycheck.claims.model import Certificate, CheckResult, CheckStatus, RunContext
from theorycheck.gaussian.arb_scaled import expect_arb_scaled
from theorycheck.meanfield.certified_cover import (
    beta_on_box,
    chi1_on_box,
    interval,
    jacobian_gap_on_q,
    q_star_on_box,
)
from theorycheck.meanfield.certified_line import certify_critical_line_minimum


def _erf_q_star(sw2: float, sb2: float) -> float:
    """erf(x): E erf(sqrt(q) z)^2 = (2/pi) arcsin(2q/(1+2q)) (closed form), so q* solves
    q = sw2 (2/pi) arcsin(2q/(1+2q)) + sb2 (independent of every engine here)."""
    return float(mp.findroot(lambda q: sw2 * 2 / mp.pi * mp.asin(2 * q / (1 + 2 * q)) + sb2 - q,
                             1.0))


def test_standard_normal_form_contains_the_range_over_a_wide_q() -> None:
    """E erf'(sqrt(q) z)^2 = (4/pi) / sqrt(1 + 4q) (closed form) for all q in [0.3, 0.6]."""
    act = get_activation("erf")
    expr = act.derivative(1) ** 2
    ball = expect_arb_scaled(expr, act.x, interval(0.3, 0.6))
    for q in (0.3, 0.45, 0.6):
        assert ball.contains(arb(4 / math.pi / math.sqrt(1 + 4 * q)))
    assert ball.rad() < 0.2        # about the true range, 0.13, not the dependency blow-up


def test_q_star_box_holds_the_fixed_point_of_every_corner_erf() -> None:
    fp = q_star_on_box("erf", (1.5, 1.6), (0.1, 0.2))
    for sw2 in (1.5, 1.6):
        for sb2 in (0.1, 0.2):
            assert fp.q.contains(arb(_erf_q_star(sw2, sb2)))
    chi1 = chi1_on_box(fp)
    q = _erf_q_star(1.55, 0.15)
    assert chi1.contains(arb(1.55 * 4 / math.pi / math.sqrt(1 + 4 * q)))


def test_relu_beta_on_a_box_is_sqrt_sw2_over_two() -> None:
    """relu: E H(sqrt(q) z) = 1/2 for every q, so beta = sqrt(sw2)/2 whatever q* is."""
    fp = q_star_on_box("relu", (1.0, 1.2), (0.1, 0.2))
    beta = beta_on_box(fp)
    assert beta.contains(arb(math.sqrt(1.0) / 2)) and beta.contains(arb(math.sqrt(1.2) / 2))
    assert beta < 0.56


def test_jacobian_gap_of_relu_is_one_quarter() -> None:
    """relu: psi'^2 = psi'^4 = H, so mu2 - mu1^2 = 1/2 - 1/4 for every q."""
    gap = jacobian_gap_on_q("relu", (0.5, 3.0))
    assert gap.contains(arb(0.25)) and gap.rad() < 1e-6


def _run(profile: str = "quick") -> ClaimRun:
    return ClaimRun(RunContext(profile=profile, seed=0))


def test_a_wrong_bound_is_refuted_with_a_certified_counterexample() -> None:
    """'beta < 0.5 for tanh on the plane' is false (beta -> 1 near the DI point): the certified
    check fails and names a box on which beta >= 0.5 is proved."""
    result = certified_beta_bound(_run(), [get_activation("tanh")], bound=0.5,
                                  sw2=(1.0, 2.0), sb2=(0.05, 0.3))
    assert result.status == CheckStatus.FAILED
    assert result.counterexample and "sw2 in" in result.counterexample["box"]
    lo, _hi = result.counterexample["enclosure"]
    assert float(lo) >= 0.5
    assert result.certificate is not None and not result.certificate.proved


def test_the_true_bound_is_proved_on_a_small_cover() -> None:
    result = certified_beta_bound(_run(), [get_activation("tanh")], sw2=(1.0, 2.0),
                                  sb2=(0.1, 0.5))
    assert result.status == CheckStatus.PASSED and not result.inconclusive
    assert result.certificate is not None and result.certificate.proved
    lo, hi = result.certificate.enclosures["beta_tanh_over_proved_boxes"]
    assert 0 < float(lo) < float(hi) < 1


def test_linear_activation_gap_is_never_proved_positive() -> None:
    """psi = x: mu2 = mu1^2 exactly, so mu1^2 < mu2 cannot be proved: inconclusive, not pass."""
    result = rests_on_proof(certified_jacobian_gap(_run(), [get_activation("linear")],
                                                   q=(0.5, 2.0)))
    assert result.inconclusive and result.status == CheckStatus.PASSED
    assert "not proved" in result.summary


def test_an_unproved_certificate_never_decides() -> None:
    cert = Certificate("x < 1", "somewhere", "Arb", proved=False, unproved="box B")
    result = rests_on_proof(CheckResult("numeric", CheckStatus.PASSED, "ok", certificate=cert))
    assert result.inconclusive and "box B" in result.summary
    proved = Certificate("x < 1", "somewhere", "Arb", proved=True)
    assert not rests_on_proof(CheckResult("numeric", CheckStatus.PASSED, "ok",
                                          certificate=proved)).inconclusive


@pytest.mark.slow
def test_sigmoid_line_minimum_contains_the_two_method_reference() -> None:
    """The certified min sw2 (seed 002, Thm 1) contains the 30-digit value that Newton
    (tanh-sinh) and the secant (Gauss-Legendre) agree on, and is narrower than 1e-20."""
    from theorycheck.meanfield.sigmoid_line import minimum_sw2

    found = certify_critical_line_minimum("sigmoid", 30)
    reference = minimum_sw2(35)["sw2"]
    old, ctx.prec = ctx.prec, 200      # the reference string must not be rounded to 53 bits
    try:
        with mp.workdps(40):
            assert found.sw2.contains(mp.nstr(reference.value, 32))
    finally:
        ctx.prec = old
    assert found.sw2.width < 1e-20 and found.cover.proved
