"""One-dimensional and bivariate Gaussian expectations: closed form, mpmath, grid engine.

* :func:`closed_form` -- exact values for linear, relu and erf (the test oracle)
* :func:`expect_mp`, :func:`expect2_mp` -- mpmath reference at any precision, with error estimate
* :class:`GridEngine` -- vectorised float64 quadrature for whole grids of variances
* :class:`BivariateGrid` -- E f(u1) g(u2) for whole arrays of (q, c): Mehler series and a
  kink-aware product Gauss-Legendre rule, with error estimates
* :mod:`~theorycheck.gaussian.rules` -- fixed float64 node sets (Gauss-Legendre panels,
  Gauss-Hermite) and the expectations built on them: :func:`gexp`, :func:`univariate`,
  :func:`bivariate`, :func:`hermite_tensor2`
* :mod:`~theorycheck.gaussian.mp_rules` -- the mpmath second rule
  (:func:`gauss_legendre_expect`), panel integrals (:func:`integrate_mp`,
  :func:`integrate_two_rules_mp`, :func:`expect_normal_mp`) and :func:`gaussian_moments_mp`
"""

from theorycheck.gaussian.closed_form import closed_form
from theorycheck.gaussian.grid import GridEngine
from theorycheck.gaussian.grid2 import BivariateGrid
from theorycheck.gaussian.mp import expect2_mp, expect_mp
from theorycheck.gaussian.mp_rules import (
    expect_normal_mp,
    gauss_legendre_expect,
    gaussian_moments_mp,
    integrate_mp,
    integrate_two_rules_mp,
)
from theorycheck.gaussian.rules import (
    bivariate,
    gexp,
    hermite_nodes,
    hermite_tensor2,
    legendre_nodes,
    normal_weights,
    panel_nodes,
    univariate,
)

__all__ = ["BivariateGrid", "GridEngine", "bivariate", "closed_form", "expect2_mp", "expect_mp",
           "expect_normal_mp", "gauss_legendre_expect", "gaussian_moments_mp", "gexp",
           "hermite_nodes", "hermite_tensor2", "integrate_mp", "integrate_two_rules_mp",
           "legendre_nodes", "normal_weights", "panel_nodes", "univariate"]
