"""One home for Gaussian quadrature: no node set or mpmath/scipy quadrature outside gaussian/.

The grep test fails on any file under ``theorycheck/`` or ``proofs/`` (outside
``theorycheck/gaussian/``) that names a quadrature rule -- in code, comments or docstrings.  The
other tests hold each function of ``gaussian.rules`` / ``gaussian.mp_rules`` against an
independent reference: a closed form, or ``scipy.integrate.quad`` computed here.  Tolerances:
1e-12 for float64 rules on smooth integrands (design accuracy ~1e-14, slack for sums of ~1000
terms), looser where a rule converges algebraically (kinks under Gauss-Hermite), and
10**-(dps-3) for the mpmath rules.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate
from scipy.special import erf

from theorycheck.gaussian import (
    bivariate,
    expect_normal_mp,
    gauss_legendre_expect,
    gaussian_moments_mp,
    gexp,
    hermite_nodes,
    hermite_tensor2,
    integrate_mp,
    integrate_two_rules_mp,
    legendre_nodes,
    normal_weights,
    panel_nodes,
    univariate,
)

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("leggauss", "hermegauss", "hermgauss", "roots_hermite", "roots_legendre",
             "mp.quad", "mpmath.quad", "integrate.quad")


def quadrature_outside_gaussian(root: Path) -> list[str]:
    """``path:line: pattern`` per forbidden name under theorycheck/, proofs/ (not gaussian/)."""
    home = root / "theorycheck" / "gaussian"
    hits = []
    for top in ("theorycheck", "proofs"):
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or home in path.parents or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                hits += [f"{path.relative_to(root)}:{n}: {p}" for p in FORBIDDEN if p in line]
    return hits


def test_no_quadrature_outside_gaussian() -> None:
    assert quadrature_outside_gaussian(ROOT) == []


def test_the_grep_sees_code_and_docstrings(tmp_path: Path) -> None:
    (tmp_path / "theorycheck" / "gaussian").mkdir(parents=True)
    (tmp_path / "proofs").mkdir()
    (tmp_path / "theorycheck" / "gaussian" / "ok.py").write_text("x, w = leggauss(4)\n")
    (tmp_path / "theorycheck" / "x.py").write_text('"""by ``mp.quad`` on panels"""\n')
    (tmp_path / "proofs" / "y.py").write_text("z, w = np.polynomial.hermite_e.hermegauss(8)\n")
    assert quadrature_outside_gaussian(tmp_path) == ["theorycheck/x.py:1: mp.quad",
                                                     "proofs/y.py:1: hermegauss"]


def test_recursions_are_torch_free() -> None:
    code = ("import sys; sys.modules['torch'] = None\n"
            "import theorycheck.meanfield.finite_width, theorycheck.meanfield.noisy\n"
            "import theorycheck.information.meanfield_bound\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _scipy_normal(f, q: float = 1.0, points=(0.0,)) -> float:  # type: ignore[no-untyped-def]
    s = math.sqrt(q)
    val, _ = integrate.quad(lambda z: f(s * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                            -40, 40, points=list(points), limit=400, epsabs=1e-14, epsrel=1e-13)
    return val


# -- float64 rules ---------------------------------------------------------------------------------
def test_legendre_and_hermite_nodes_integrate_polynomials() -> None:
    x, w = legendre_nodes(7)
    assert abs(w.sum() - 2) < 1e-14 and abs(w @ x**12 - 2 / 13) < 1e-14
    z, v = hermite_nodes(10)
    assert abs(v.sum() - 1) < 1e-14 and abs(v @ z**6 - 15) < 1e-12   # E z^6 = 5!! = 15


def test_panel_nodes_and_normal_weights() -> None:
    z, w = panel_nodes(np.array([0.0, 1.0, math.pi]), 8)
    assert z.shape == w.shape == (16,)
    assert abs(w @ np.sin(z) - 2) < 1e-13
    rows = np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0]])
    z2, w2 = panel_nodes(rows, 5)
    assert z2.shape == (2, 10) and np.allclose(w2.sum(axis=1), [2.0, 2.0], atol=1e-14)
    z, w = panel_nodes(np.linspace(-12, 12, 25), 12)
    nw = normal_weights(z, w)
    assert abs(nw.sum() - 1) < 1e-13 and abs(nw @ z**2 - 1) < 1e-13


@pytest.mark.parametrize("q", [0.3, 2.0, 45.0])
def test_gexp_closed_forms(q: float) -> None:
    v, e = gexp(lambda u, z: u * u, q)
    assert abs(v - q) < 1e-12 * q and e < 1e-12 * q
    v, e = gexp(lambda u, z: np.maximum(u, 0.0), q, (0.0,))
    assert abs(v - math.sqrt(q / (2 * math.pi))) < 1e-13 * math.sqrt(q)
    assert gexp(lambda u, z: u + 2.0, 0.0) == (2.0, 0.0)


def test_gexp_against_scipy() -> None:
    v, e = gexp(lambda u, z: np.tanh(u) ** 2 * z * z, 1.7)
    ref = _scipy_normal(lambda x: math.tanh(x) ** 2 * x * x / 1.7, 1.7)
    # one panel of width 24: the 120-node rule is ~5e-9 off, so the estimate is pessimistic
    assert abs(v - ref) < 1e-12 and abs(v - ref) <= e < 1e-7


def test_univariate_and_bivariate() -> None:
    var = np.array([0.5, 1.0, 3.0])
    assert np.allclose(univariate(lambda x: x * x, var), var, rtol=1e-13)
    ref = _scipy_normal(lambda x: math.tanh(x) ** 2, 0.8)
    assert abs(univariate(lambda x: np.tanh(x) ** 2, 0.8) - ref) < 1e-11
    cov = np.array([0.1, -0.4, 2.0])
    assert np.allclose(bivariate(lambda x: x, lambda x: x, var, cov), cov, atol=1e-13)
    # Williams 1997: E erf(u1) erf(u2) = (2/pi) arcsin(2 cov / (1 + 2 var))
    k = bivariate(erf, erf, var, cov)
    assert np.allclose(k, 2 / np.pi * np.arcsin(2 * cov / (1 + 2 * var)), atol=1e-9)


def test_hermite_tensor2() -> None:
    qa, qb, c = 0.7, 1.9, 0.35
    assert abs(hermite_tensor2(lambda x: x, lambda x: x, qa, qb, c, 20) - c * math.sqrt(qa * qb)) \
        < 1e-13
    s12 = c * math.sqrt(qa * qb)
    exact = 2 / math.pi * math.asin(2 * s12 / math.sqrt((1 + 2 * qa) * (1 + 2 * qb)))
    assert abs(hermite_tensor2(erf, erf, qa, qb, c, 80) - exact) < 1e-9


# -- mpmath rules ----------------------------------------------------------------------------------
def test_integrate_mp_and_two_rules() -> None:
    with mp.workdps(30):
        assert abs(integrate_mp(lambda x: mp.exp(-x), [0, 1, mp.inf]) - 1) < mp.mpf(10) ** -28
        a, b = integrate_two_rules_mp(lambda x: x**3 * mp.cos(x), [0, 1, 2])
        def antiderivative(t: mp.mpf) -> mp.mpf:
            return t**3 * mp.sin(t) + 3 * t**2 * mp.cos(t) - 6 * t * mp.sin(t) - 6 * mp.cos(t)

        ref = antiderivative(mp.mpf(2)) - antiderivative(mp.mpf(0))
        assert abs(a - ref) < mp.mpf(10) ** -27 and abs(b - ref) < mp.mpf(10) ** -27


def test_expect_normal_mp() -> None:
    with mp.workdps(30):
        assert abs(expect_normal_mp(lambda t: t * t) - 1) < mp.mpf(10) ** -27
        e_log = expect_normal_mp(lambda t: mp.log(t * t))
        assert abs(e_log - (-mp.euler - mp.log(2))) < mp.mpf(10) ** -25


def test_gauss_legendre_expect() -> None:
    with mp.workdps(40):
        relu = gauss_legendre_expect(lambda x: max(x, mp.mpf(0)), 2, 30, breakpoints=(0,))
        assert abs(relu - mp.sqrt(mp.mpf(2) / (2 * mp.pi))) < mp.mpf(10) ** -27
        t2 = gauss_legendre_expect(lambda x: mp.tanh(x) ** 2, "0.8", 30)
    assert abs(float(t2) - _scipy_normal(lambda x: math.tanh(x) ** 2, 0.8)) < 1e-13


def test_gaussian_moments_mp() -> None:
    s = mp.mpf("1.5")
    m = gaussian_moments_mp(lambda x: max(x, mp.mpf(0)), s, kinks=(0.0,), dps=25)
    with mp.workdps(35):
        refs = {"mean": s / mp.sqrt(2 * mp.pi), "cross": s / 2, "second": s * s / 2}
        for name, ref in refs.items():
            assert abs(m[name].value - ref) < mp.mpf(10) ** -22
            assert m[name].error < mp.mpf(10) ** -20
