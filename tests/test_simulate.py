"""Simulation engine: finite random networks against infinite-width theory (CPU, small sizes).

Theory values for the plain-torch activations are recomputed here by an independent
Gauss-Hermite quadrature, so these tests do not rest on the engine's own theory module.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import CPU, resolve_placement
from theorycheck.simulate import measure
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.jacobian import measure_jacobian
from theorycheck.simulate.kurtosis import measure_kurtosis, relu_fourth_moment_rel_se
from theorycheck.simulate.mi import gaussian_mi, logdet_bias
from theorycheck.simulate.networks import NetSpec, haar_orthogonal
from theorycheck.simulate.theory import ActFns
from theorycheck.simulate.variance import measure_correlation, measure_variance
from theorycheck.spectra import jacobian_moments_finite, jacobian_moments_inf

CPU_TORCH = torch_placement(CPU, entry="tests")
TANH = ActFns.from_torch("tanh", torch.tanh, lambda x: 1 - torch.tanh(x) ** 2)
RELU = ActFns.from_torch("relu", torch.relu, lambda x: (x > 0).to(x.dtype), kinks=(0.0,))
LIN = ActFns.from_torch("linear", lambda x: x, torch.ones_like)

_X, _W = np.polynomial.hermite_e.hermegauss(200)
_W = _W / math.sqrt(2 * math.pi)


def e_gauss(f, q: float) -> float:
    """Independent reference: E f(sqrt(q) z) by 200-node Gauss-Hermite."""
    return float(np.dot(_W, f(math.sqrt(q) * _X)))


def tanh_fixed_point(sw2: float, sb2: float) -> tuple[float, float, float]:
    q = 1.0
    for _ in range(2000):
        q = sw2 * e_gauss(lambda u: np.tanh(u) ** 2, q) + sb2
    d2 = lambda u: (1 - np.tanh(u) ** 2) ** 2  # noqa: E731
    return q, e_gauss(d2, q), e_gauss(lambda u: d2(u) ** 2, q)


# ----------------------------------------------------------------------------- infrastructure
def test_cpu_placement_is_float64() -> None:
    assert CPU_TORCH.dtype == torch.float64 and CPU_TORCH.name == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present")
def test_cuda_absent_is_device_unavailable() -> None:
    with pytest.raises(TheoryCheckError) as err:
        resolve_placement("cuda")
    assert err.value.status == Status.DEVICE_UNAVAILABLE


def test_haar_orthogonal_is_orthogonal_and_unbiased() -> None:
    q = haar_orthogonal(CPU_TORCH.generator(0), CPU_TORCH, 200, 6, 6)
    eye = torch.eye(6, dtype=q.dtype).expand(200, 6, 6)
    assert torch.allclose(q.transpose(1, 2) @ q, eye, atol=1e-12)
    # Haar: every entry has mean 0 and E Q_ij^2 = 1/N; QR without the sign fix fails the mean
    assert abs(float(q[:, 0, 0].mean())) < 4 / math.sqrt(6 * 200)
    assert abs(float((q**2).mean()) - 1 / 6) < 1e-12


def test_same_seed_same_result_different_seed_different() -> None:
    spec = NetSpec(1.5, 0.1, 32, 4)
    a = measure_variance(TANH, spec, 20, 7, placement=CPU)
    b = measure_variance(TANH, spec, 20, 7, placement=CPU)
    c = measure_variance(TANH, spec, 20, 8, placement=CPU)
    assert a.measured == b.measured and a.stderr == b.stderr
    assert a.measured != c.measured


def test_too_large_is_refused_with_a_size_that_fits() -> None:
    with pytest.raises(TheoryCheckError) as err:
        measure("jacobian", TANH, sw2=1.5, sb2=0.1, width=2_000_000, depth=2, samples=2,
                placement=CPU, method="exact")
    assert err.value.status == Status.TOO_LARGE
    assert "width <=" in err.value.message and "GiB" in err.value.message


# ----------------------------------------------------------------------------- theory helpers
def test_finite_width_jacobian_model_tends_to_eqs_64_65() -> None:
    for weights, s1 in (("gaussian", -1.0), ("orthogonal", 0.0)):
        inf = jacobian_moments_inf(1.3 * 0.6, 0.5 / 0.36, 7, s1)
        fin = jacobian_moments_finite(1.3, 0.6, 0.5, 7, 10**9, weights)
        assert fin == pytest.approx(inf, rel=1e-6)
    # linear Gaussian: m2 = L + 1 at infinite width; the finite-N value is larger
    assert jacobian_moments_inf(1.0, 1.0, 5, -1.0)[1] == pytest.approx(6.0)
    assert jacobian_moments_finite(1.0, 1.0, 1.0, 1, 10, "gaussian")[1] == pytest.approx(2.1)


def test_logdet_bias_matches_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    p, m = 5, 40
    lds = [np.linalg.slogdet(np.cov(rng.standard_normal((m, p)), rowvar=False))[1]
           for _ in range(4000)]
    assert np.mean(lds) == pytest.approx(logdet_bias(p, m), abs=4 * np.std(lds) / 63)


# ----------------------------------------------------------------------------- measurements
def test_variance_map_agrees_and_wrong_map_is_flagged() -> None:
    spec = NetSpec(1.5, 0.1, 64, 6)
    m = measure_variance(TANH, spec, 100, 1, placement=CPU, q0=2.0)
    q, ref = 2.0, []
    for _ in range(6):
        q = 1.5 * e_gauss(lambda u: np.tanh(u) ** 2, q) + 0.1
        ref.append(q)
    assert np.allclose(m.extra["layers"]["theory"], ref, rtol=1e-9)
    assert m.agree, m.extra["layers"]
    wrong = measure_variance(TANH, spec, 100, 1, placement=CPU, q0=2.0,
                             theory_override=np.array(ref) * 1.05)
    assert not wrong.agree


def test_correlation_map_agrees_and_wrong_is_flagged() -> None:
    spec = NetSpec(2.0, 0.05, 64, 5)
    m = measure_correlation(TANH, spec, 80, 2, placement=CPU, c0=0.3)
    assert m.agree, m.extra["layers"]
    bad = measure_correlation(TANH, spec, 80, 2, placement=CPU, c0=0.3,
                              theory_override=np.array(m.extra["layers"]["theory"]) + 0.15)
    assert not bad.agree


@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_jacobian_moments_agree_with_eqs_64_65(weights: str) -> None:
    q, mu1, mu2 = tanh_fixed_point(1.5, 0.1)
    s1 = -1.0 if weights == "gaussian" else 0.0
    L = 6
    m1 = (1.5 * mu1) ** L
    m2 = (1.5 * mu1) ** (2 * L) * (mu2 / mu1**2 + 1 / L - 1 - s1) * L
    res = measure_jacobian(TANH, NetSpec(1.5, 0.1, 96, L, weights=weights), 24, 3, placement=CPU,
                           method="exact")
    assert res.extra["q_star"] == pytest.approx(q, rel=1e-8)
    assert res.extra["m1"]["theory"] == pytest.approx(m1, rel=1e-8)
    assert res.theory == pytest.approx(m2, rel=1e-8)
    assert res.agree, res.extra
    wrong = measure_jacobian(TANH, NetSpec(1.5, 0.1, 96, L, weights=weights), 24, 3, placement=CPU,
                             method="exact", theory_m2=m2 * 1.5)
    assert not wrong.agree


def test_jacobian_probe_method_agrees_with_exact_spectrum() -> None:
    spec = NetSpec(1.0, 0.0, 64, 4)   # linear network: the finite-N model is exact
    ex = measure_jacobian(LIN, spec, 40, 5, placement=CPU, method="exact")
    pr = measure_jacobian(LIN, spec, 40, 6, placement=CPU, method="probe", probes=48)
    assert ex.agree and pr.agree
    fin = ex.extra["m2"]["finite_width_model"]
    for r in (ex, pr):   # E m2 equals the exact finite-width value within z * stderr
        assert abs(r.measured - fin) <= 3.5 * r.stderr
    assert abs(ex.measured - pr.measured) <= 3.5 * math.hypot(ex.stderr, pr.stderr)
    assert "spectrum_histogram" in ex.extra


def test_kurtosis_relu_critical_matches_exact_and_slope() -> None:
    m = measure_kurtosis(RELU, 2.0, 0.0, [32, 64], [3, 6], 6000, 4, placement=CPU,
                         method="marginal")
    for p in m.extra["points"]:
        exact = 3 * ((1 + 5 / p["width"]) ** (p["depth"] - 1) - 1)
        assert abs(p["measured"] - exact) <= 3.5 * p["stderr"], p
        assert p["theory"] == pytest.approx(15 * (p["depth"] - 1) / p["width"], rel=1e-6)
    assert m.agree
    wrong = measure_kurtosis(RELU, 2.0, 0.0, [32, 64], [3, 6], 6000, 4, placement=CPU,
                             method="marginal", theory_slope=5.0)   # the "5 L/n" misreading
    assert not wrong.agree


@pytest.mark.parametrize(("width", "depth"), [(16, 2), (64, 6), (32, 2)])
def test_relu_fourth_moment_error_formula_matches_monte_carlo(width: int, depth: int) -> None:
    """The exact relative error of the fourth-moment average (the kurtosis reliability rule)
    against a plain numpy Monte Carlo of the ReLU product law z = sqrt(G) xi (at moderate
    tails: where the formula gives a large error, the Monte Carlo spread is itself unreliable,
    which is the point of the rule)."""
    rng = np.random.default_rng(7)
    draws = 400_000
    g = np.full(draws, 2.0)
    for _ in range(depth - 1):
        u = np.sqrt(g)[:, None] * rng.standard_normal((draws, width))
        g = 2.0 * np.mean(np.maximum(u, 0.0) ** 2, axis=1)
    z = np.sqrt(g)[:, None] * rng.standard_normal((draws, width))
    a4 = np.mean(z**4, axis=1)
    per_draw = a4.std() / a4.mean()
    formula = relu_fourth_moment_rel_se(width, depth, 1)
    assert per_draw == pytest.approx(formula, rel=0.05)
    assert relu_fourth_moment_rel_se(width, depth, 100) == pytest.approx(formula / 10)


def test_kurtosis_fit_keeps_unreliable_points_out() -> None:
    """n = 8, L = 12 with 3000 draws: the fourth-moment error is far above 0.1, so that point is
    reported but not fitted; the fit uses the rest."""
    m = measure_kurtosis(RELU, 2.0, 0.0, [8, 64], [2, 12], 3000, 5, placement=CPU,
                         method="marginal")
    by = {(p["width"], p["depth"]): p for p in m.extra["points"]}
    assert not by[(8, 12)]["reliable"] and by[(8, 12)]["m4_rel_se"] > 0.1
    assert all(by[k]["reliable"] for k in [(8, 2), (64, 2), (64, 12)])
    assert m.extra["points_in_fit"] == "3 of 4"
    with pytest.raises(TheoryCheckError, match="reliable"):
        measure_kurtosis(RELU, 2.0, 0.0, [8], [40], 100, 5, placement=CPU, method="marginal")


def test_kurtosis_weights_and_marginal_methods_agree_tanh() -> None:
    a = measure_kurtosis(TANH, 1.0, 0.0, [32], [6], 2000, 1, placement=CPU, method="weights")
    b = measure_kurtosis(TANH, 1.0, 0.0, [32], [6], 8000, 2, placement=CPU, method="marginal")
    pa, pb = a.extra["points"][0], b.extra["points"][0]
    assert abs(pa["measured"] - pb["measured"]) <= 3.5 * math.hypot(pa["stderr"], pb["stderr"])
    assert a.agree and b.agree


def test_input_correlation_is_a_correlation_and_printed_eq31_is_not() -> None:
    m = measure("input-correlation", TANH, sw2=1.5, sb2=0.1, width=16, depth=2, in_dim=2,
                samples=40, inputs=2000, placement=CPU, seed=1)
    f = m.extra["layer1_formulas"]
    assert f["actual_fraction_outside"] == 0.0 and f["corrected_fraction_outside"] == 0.0
    assert f["printed_eq31_fraction_outside"] > 0.05
    assert all(lay["fraction_outside"] == 0.0 for lay in m.extra["layers"])
    beta0 = e_gauss(lambda u: np.tanh(u) * u, 1.0)
    alpha = e_gauss(lambda u: np.tanh(u) ** 2, 1.0)
    assert m.extra["beta0"] == pytest.approx(beta0, rel=1e-9)
    assert m.theory == pytest.approx(beta0**2 / (alpha * 2), abs=2e-3)
    assert m.agree
    wrong = measure("input-correlation", TANH, sw2=1.5, sb2=0.1, width=16, depth=2, in_dim=2,
                    samples=40, inputs=2000, placement=CPU, seed=1, theory_override=m.theory * 1.1)
    assert not wrong.agree


def test_gaussian_mi_reports_singular_instead_of_inf() -> None:
    rng = np.random.default_rng(1)
    z0 = rng.standard_normal((500, 3))
    res = gaussian_mi(z0, z0 @ rng.standard_normal((3, 5)))   # rank 3 output in 5 dims
    assert res["value"] is None and "output" in res["singular"]
    ok = gaussian_mi(z0, z0[:, :2] + 0.5 * rng.standard_normal((500, 2)))
    assert ok["value"] == pytest.approx(2 * 0.5 * math.log(1 + 4), abs=0.15)


def test_mi_grid_with_noise_reports_argmax_and_conditions() -> None:
    m = measure("mi", TANH, sw2=1.0, sb2=0.0, width=4, depth=2, in_dim=2, samples=3,
                placement=CPU, noise2=0.05, sw2_values=[0.5, 1.0, 2.0], sb2_values=[0.0, 0.1],
                inputs=600, input_kind="unit")
    assert {"sw2", "sb2", "value"} <= set(m.extra["argmax"])
    assert all("cond_max" in p for p in m.extra["grid"])
    assert m.measured <= 0.0 and m.extra["estimator_bias"] > 0


def test_cli_json(tmp_path) -> None:
    from typer.testing import CliRunner

    from theorycheck.cli import _load_commands
    from theorycheck.cli.app import app

    _load_commands()
    r = CliRunner().invoke(app, ["simulate", "variance", "tanh", "--sw2", "1.5", "--sb2", "0.1",
                                 "--width", "32", "--depth", "3", "--samples", "20",
                                 "--device", "cpu", "--json", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    for key in ("theory", "measured", "stderr", "agree", "device", "seed", "layers"):
        assert key in doc
    assert isinstance(doc["theory"], str) and doc["device"] == "cpu"
    assert (tmp_path / "variance_layers.png").exists()
    bad = CliRunner().invoke(app, ["simulate", "nonsense", "tanh", "--sw2", "1", "--sb2", "0"])
    assert bad.exit_code == 2


# ----------------------------------------------------------------------------- slow / gpu
@pytest.mark.slow
def test_jacobian_larger_probe_orthogonal() -> None:
    res = measure("jacobian", "tanh", sw2=1.2, sb2=0.05, width=512, depth=16,
                  weights="orthogonal", samples=16, placement=CPU, method="probe", probes=64)
    assert res.agree, res.extra


@pytest.mark.gpu
def test_gpu_jacobian_float32_agrees_and_is_deterministic() -> None:
    kw = dict(sw2=1.5, sb2=0.1, width=1024, depth=16, samples=16,
              placement=resolve_placement("cuda"), method="probe", probes=128, seed=11)
    a = measure("jacobian", TANH, **kw)
    b = measure("jacobian", TANH, **kw)
    assert a.agree, a.extra
    assert a.measured == b.measured
    assert "cuda" in a.device


@pytest.mark.gpu
def test_gpu_variance_and_kurtosis() -> None:
    v = measure("variance", TANH, sw2=1.5, sb2=0.1, width=512, depth=12, samples=400,
                placement=resolve_placement("cuda"), precision="float64")
    assert v.agree, v.extra["layers"]
    k = measure("kurtosis", RELU, sw2=2.0, sb2=0.0, widths=[64, 128], depths=[4, 8],
                samples=20000, placement=resolve_placement("cuda"), method="weights")
    assert k.agree
