"""One-dimensional and bivariate Gaussian expectations: closed form, mpmath, grid engine.

* :func:`closed_form` -- exact values for linear, relu and erf (the test oracle)
* :func:`expect_mp`, :func:`expect2_mp` -- mpmath reference at any precision, with error estimate
* :class:`GridEngine` -- vectorised float64 quadrature for whole grids of variances
"""

from theorycheck.gaussian.closed_form import closed_form
from theorycheck.gaussian.grid import GridEngine
from theorycheck.gaussian.mp import expect2_mp, expect_mp

__all__ = ["GridEngine", "closed_form", "expect2_mp", "expect_mp"]
