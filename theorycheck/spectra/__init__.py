"""The spectrum of the input-output Jacobian (seed 000, Eqs. (60)-(67); seed 002, Sec. 3.2;
Pennington, Schoenholz & Ganguli 2017/2018).

* :mod:`~theorycheck.spectra.moments` -- m1, m2 in closed form (Eqs. (64)-(65)), every moment
  from the S-transform series (:func:`free_moments`), the finite-width recursion for m1, m2
* :mod:`~theorycheck.spectra.s_transform` -- the law of D^2 and the S-transform equation
* :mod:`~theorycheck.spectra.density` -- its solution by Newton continuation; mass and moments
* :func:`spectrum` -- the whole law of J J^T (density, support, atoms, moments) at q*
"""

from theorycheck.spectra.api import spectrum
from theorycheck.spectra.moments import (
    free_moments,
    jacobian_moments_finite,
    jacobian_moments_inf,
    moments_from_s,
    s_series,
)
from theorycheck.spectra.result import SpectrumResult

__all__ = ["SpectrumResult", "free_moments", "jacobian_moments_finite", "jacobian_moments_inf",
           "moments_from_s", "s_series", "spectrum"]
