"""The spectral law of J J^T (theorycheck.spectra, issue 13): the S-transform series against
Fuss-Catalan numbers and Eqs. (64)-(65), the density against Marchenko-Pastur in closed form,
the density's own integrals against the moment series, atoms against their Gaussian
probabilities, and finite networks' eigenvalues against the law within the derived KS
tolerance."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from typer.testing import CliRunner

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import MeanField
from theorycheck.spectra import free_moments, jacobian_moments_inf, spectrum

#: tanh on the edge of chaos at sb2 = 0.05 (MeanField.eoc_sw2, 20 digits)
TANH_EOC_SW2 = 1.7609546396067393


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_series_gives_fuss_catalan_numbers(depth: int) -> None:
    got = free_moments([Fraction(1)] * 6, Fraction(1), depth, "gaussian")
    want = [Fraction(math.comb((depth + 1) * k, k), depth * k + 1) for k in range(1, 7)]
    assert got == want


@pytest.mark.parametrize("weights,s1", [("gaussian", -1), ("orthogonal", 0)])
@pytest.mark.parametrize("depth", [1, 2, 7, 40])
def test_series_gives_eqs_64_65(weights: str, s1: int, depth: int) -> None:
    mu1, mu2, sw2 = Fraction(7, 10), Fraction(3, 5), Fraction(13, 10)
    m1, m2 = free_moments([mu1, mu2], sw2, depth, weights)
    r = mu2 / mu1**2
    assert m1 == (sw2 * mu1) ** depth
    assert m2 == (sw2 * mu1) ** (2 * depth) * (r + Fraction(1, depth) - 1 - s1) * depth


def test_marchenko_pastur_at_depth_one() -> None:
    res = spectrum("linear", 1.0, 0.0, 1, points=200, reference=False)
    assert res.support[1] == pytest.approx(4.0, abs=1e-12)
    x = res.x
    closed = np.sqrt(np.maximum(4 - x, 0) * x) / (2 * np.pi * x)
    assert np.max(np.abs(res.density - closed) * x) < 1e-9      # density of ln x
    assert res.normalisation["total"] == pytest.approx(1.0, abs=1e-8)
    for k, want in (("m1", 1.0), ("m2", 2.0), ("m3", 5.0)):
        assert res.density_moments[k]["value"] == pytest.approx(want, abs=1e-8)
    assert res.atoms == []


@pytest.mark.parametrize("sw2", [1.0, 0.5])
def test_fuss_catalan_at_depth_two(sw2: float) -> None:
    res = spectrum("linear", sw2, 0.0, 2, points=100, reference=False)
    assert res.support[1] == pytest.approx(27 / 4 * sw2**2, rel=1e-12)
    assert res.normalisation["total"] == pytest.approx(1.0, abs=1e-8)
    for k, c in ((1, 1), (2, 3), (3, 12)):
        want = c * sw2 ** (2 * k)
        assert res.density_moments[f"m{k}"]["value"] == pytest.approx(want, abs=1e-8 * want)
        assert res.moments[f"m{k}"]["value"] == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("weights,s1", [("gaussian", -1), ("orthogonal", 0)])
def test_tanh_on_the_eoc_matches_eqs_64_65(weights: str, s1: int) -> None:
    mf = MeanField("tanh", dps=20)
    pt = mf.eoc_sw2(mp.mpf("0.05"))
    assert pt.mu1 is not None and pt.mu2 is not None
    mu1, mu2, sw2 = float(pt.mu1.value), float(pt.mu2.value), float(pt.sw2.value)
    m1, m2 = jacobian_moments_inf(sw2 * mu1, mu2 / mu1**2, 4, s1)
    # Gaussian: q*, mu from MeanField (20 digits); orthogonal: the float64 route, held against
    # the mpmath mu1, mu2 through Eqs. (64)-(65)
    res = spectrum("tanh", sw2, 0.05, 4, weights=weights, points=100,
                   reference=weights == "gaussian")
    dm = res.density_moments
    assert dm["m1"]["value"] == pytest.approx(m1, abs=1e-8)
    assert dm["m2"]["value"] == pytest.approx(m2, abs=1e-8)
    assert dm["m3"]["value"] == pytest.approx(res.moments["m3"]["value"], abs=1e-8)
    assert abs(res.normalisation["total"] - 1.0) < 1e-8
    assert abs(res.normalisation["total"] - 1.0) <= res.normalisation["error"] + 1e-12
    assert res.density_error < 1e-6


def test_tanh_at_depth_1000() -> None:
    res = spectrum("tanh", TANH_EOC_SW2, 0.05, 1000, points=100, reference=False)
    assert res.normalisation["total"] == pytest.approx(1.0, abs=1e-8)
    assert res.density_moments["m1"]["value"] == pytest.approx(1.0, abs=1e-8)
    m2 = res.moments["m2"]["value"]
    assert res.density_moments["m2"]["value"] == pytest.approx(m2, rel=1e-8)


@pytest.mark.parametrize("weights,m2", [("gaussian", 7.0), ("orthogonal", 4.0)])
def test_relu_has_an_atom_at_zero_of_mass_one_half(weights: str, m2: float) -> None:
    # D^2 ~ Bernoulli(1/2): mu1 = 1/2, mu2 = 1/2, r = 2; m2 = (2 + 1/3 - 1 - s1) 3 at L = 3
    res = spectrum("relu", 2.0, 0.0, 3, weights=weights, points=100, reference=False)
    assert len(res.atoms) == 1
    assert res.atoms[0][0] == 0.0
    assert res.atoms[0][1] == pytest.approx(0.5, abs=1e-14)
    assert res.normalisation["continuous"] == pytest.approx(0.5, abs=1e-8)
    assert res.density_moments["m2"]["value"] == pytest.approx(m2, abs=1e-8)


def test_hard_tanh_atoms() -> None:
    # psi' = 1 on |h| < 1, else 0: D^2 has atoms 1 - p at 0 and p = erf(1/sqrt(2 q*)) at 1
    res = spectrum("hardtanh", 1.5, 0.2, 2, weights="orthogonal", points=100, reference=False)
    p = math.erf(1 / math.sqrt(2 * res.q_star))
    assert p > 0.5      # so that the atom at 1 survives the product
    (zero, zero_mass), (top, top_mass) = res.atoms
    assert (zero, zero_mass) == (0.0, pytest.approx(1 - p, abs=1e-13))
    # Bercovici-Voiculescu: mass 2p - 1 at sw2^2; the continuous part of two free projections
    # of trace p ends at 4 p (1 - p)
    assert (top, top_mass) == (pytest.approx(1.5**2), pytest.approx(2 * p - 1, abs=1e-13))
    assert res.support[1] == pytest.approx(4 * p * (1 - p) * 1.5**2, rel=1e-10)
    assert res.normalisation["continuous"] == pytest.approx(1 - zero_mass - top_mass, abs=1e-8)
    assert res.normalisation["total"] == pytest.approx(1.0, abs=1e-8)


def test_undefined_cases_have_named_statuses() -> None:
    with pytest.raises(TheoryCheckError) as err:
        spectrum("Heaviside(x)", 1.0, 0.1, 2)
    assert err.value.status == Status.NOT_FINITE
    with pytest.raises(TheoryCheckError) as err:
        spectrum("relu", 3.0, 0.1, 2)
    assert err.value.status == Status.NO_FINITE_FIXED_POINT
    with pytest.raises(TheoryCheckError) as err:
        spectrum("tanh", 1.0, 0.1, 2, weights="haar")
    assert err.value.status == Status.INVALID_ARGUMENT


def test_finite_networks_agree_within_the_ks_tolerance() -> None:
    from theorycheck.placement import resolve_placement
    from theorycheck.simulate.spectrum import ks_distance, simulate_spectrum

    place = resolve_placement("cpu")
    laws = {w: spectrum("tanh", TANH_EOC_SW2, 0.05, 4, weights=w, points=300, reference=False)
            for w in ("gaussian", "orthogonal")}
    for weights, law in laws.items():
        sim = simulate_spectrum(law, "tanh", width=400, samples=2, seed=3, placement=place)
        assert sim["eigenvalue_count"] == 800
        assert sim["ks_distance"] <= sim["ks_tolerance"]
        # the same eigenvalues are far from the other weights' law: the test can fail
        other = laws["orthogonal" if weights == "gaussian" else "gaussian"]
        wrong = ks_distance(sim["eigenvalues"], other.cdf,
                            lambda x, law=other: law.cdf(x, left=True))
        assert wrong > 2 * sim["ks_tolerance"]


def test_ks_distance_with_an_atom() -> None:
    from theorycheck.simulate.spectrum import ks_distance

    def cdf(x: np.ndarray, left: bool = False) -> np.ndarray:   # 1/2 at 0 + uniform(0, 1)/2
        return np.where((x > 0) if left else (x >= 0), 0.5, 0.0) + 0.5 * np.clip(x, 0, 1)

    sample = np.concatenate([np.zeros(500), (np.arange(500) + 0.5) / 500])
    assert ks_distance(sample, cdf, lambda x: cdf(x, left=True)) <= 1 / 1000 + 1e-12
    assert ks_distance(np.linspace(0.01, 1, 100), cdf, lambda x: cdf(x, left=True)) > 0.49


def test_cli_json_and_display() -> None:
    import json

    from theorycheck.cli import _load_commands, app

    _load_commands()
    out = CliRunner().invoke(app, ["spectrum", "linear", "--sw2", "1", "--sb2", "0", "--depth",
                                   "2", "--points", "50", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    for key in ("x", "density", "support", "atoms", "moments", "seconds"):
        assert key in doc
    assert len(doc["x"]) == len(doc["density"]) == 51
    assert doc["moments"]["m3"]["value"] == pytest.approx(12.0, rel=1e-12)
    bad = CliRunner().invoke(app, ["spectrum", "relu", "--sw2", "3", "--sb2", "0.1",
                                   "--depth", "2"])
    assert bad.exit_code == 2
    assert "no-finite-fixed-point" in bad.output
    res = spectrum("relu", 2.0, 0.0, 1, points=20, reference=False)
    html = res._repr_html_()
    assert "<table>" in html and "relu" in html and "0.5 at 0" in html
    assert "| atoms | 0.5 at 0 |" in res._repr_markdown_()


def test_orthogonal_depth_one_is_the_law_of_psi_prime_squared() -> None:
    from theorycheck.placement import resolve_placement
    from theorycheck.simulate.spectrum import simulate_spectrum

    # relu: sw2 D^2 has atoms 1/2 at 0 and 1/2 at sw2, nothing else
    relu = spectrum("relu", 2.0, 0.0, 1, weights="orthogonal", reference=False)
    assert [(a, pytest.approx(m, abs=1e-14)) for a, m in relu.atoms] == [(0.0, 0.5), (2.0, 0.5)]
    # tanh: a density with a square-root-type edge at sw2 psi'(0)^2 ... (h = 0 is psi'^2's max);
    # its moments sw2^k E psi'^(2k) and finite networks' eigenvalues (exactly sw2 psi'(h_i)^2)
    law = spectrum("tanh", 2.0, 0.1, 1, weights="orthogonal", points=300, reference=False)
    assert law.atoms == []
    assert law.support[1] == pytest.approx(2.0, rel=1e-6)
    for k in ("m1", "m2", "m3"):
        assert law.density_moments[k]["value"] == pytest.approx(law.moments[k]["value"],
                                                                rel=1e-12)
    sim = simulate_spectrum(law, "tanh", width=400, samples=2, seed=1,
                            placement=resolve_placement("cpu"))
    assert sim["ks_distance"] <= sim["ks_tolerance"]


def test_cli_simulate_and_out(tmp_path: Path) -> None:
    import json

    from theorycheck.cli import _load_commands, app

    _load_commands()
    out = CliRunner().invoke(app, ["spectrum", "relu", "--sw2", "2", "--sb2", "0", "--depth", "2",
                                   "--points", "60", "--simulate", "--width", "100", "--device",
                                   "cpu", "--json", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert 0 <= doc["ks_distance"] <= doc["ks_tolerance"]
    assert doc["atoms"] == [[0.0, pytest.approx(0.5, abs=1e-14)]]
    assert json.loads((tmp_path / "spectrum.json").read_text())["ks_distance"] == \
        doc["ks_distance"]
    assert (tmp_path / "spectrum.png").stat().st_size > 0


def test_pushforward_node_set_against_gaussian_moments() -> None:
    from theorycheck.gaussian.pushforward import normal_pushforward

    # y = x^2, x = sqrt(q) z: E y^k = q^k (2k - 1)!!; a kink at x = 0.3 splits a panel
    fine, coarse = normal_pushforward(lambda x: x * x, 2.5, kinks=(0.3,))
    for k, dfact in ((1, 1), (2, 3), (3, 15)):
        want = 2.5**k * dfact
        assert float(np.sum(fine.weights * fine.values**k)) == pytest.approx(want, rel=1e-13)
        assert float(np.sum(coarse.weights * coarse.values**k)) == pytest.approx(want, rel=1e-12)
    assert np.any(np.isclose(fine.x[np.diff(fine.panel, prepend=-1) != 0], 0.3, atol=0.05))
    # a Stieltjes transform of the law, E[1/(1 - u y)] at complex u, against mpmath
    u = 0.2 - 0.3j
    got = complex(np.sum(fine.weights / (1 - u * fine.values)))
    want = complex(mp.quadgl(lambda z: mp.npdf(z) / (1 - u * 2.5 * z * z), [-mp.inf, 0, mp.inf]))
    assert abs(got - want) < 1e-12
