"""Gaussian mutual information, the determinant identities of seed 000 Sec. IV, and true
mutual information of low-dimensional channels by quadrature (numpy/scipy/mpmath/sympy only).

Sources: seed 000 (Weng et al.), Eqs. (34)-(35), (40)-(49), Appendix A; seed 001, Prop. 1, Eq. (6).
"""

from theorycheck.information.gaussian_mi import (
    bivariate_mi_exact,
    condition_number,
    gaussian_mi,
    gaussian_mi_correlation,
    gaussian_mi_correlation_mp,
    gaussian_mi_mp,
    gaussian_mi_schur,
    logdet_spd,
    require_well_conditioned,
)
from theorycheck.information.identities import (
    SchurFactorisation,
    SylvesterForms,
    cholesky_omegas,
    mi_from_omegas,
    schur_factorisation,
    sylvester_forms,
)
from theorycheck.information.true_mi import (
    channel_covariance_2d,
    gaussian_mi_binary,
    gaussian_mi_channel,
    gaussian_mi_channel_mp,
    gaussian_moments_mp,
    true_mi_binary,
    true_mi_channel,
    true_mi_channel_2d,
)

__all__ = [
    "SchurFactorisation",
    "SylvesterForms",
    "bivariate_mi_exact",
    "channel_covariance_2d",
    "cholesky_omegas",
    "condition_number",
    "gaussian_mi",
    "gaussian_mi_binary",
    "gaussian_mi_channel",
    "gaussian_mi_channel_mp",
    "gaussian_mi_correlation",
    "gaussian_mi_correlation_mp",
    "gaussian_mi_mp",
    "gaussian_mi_schur",
    "gaussian_moments_mp",
    "logdet_spd",
    "mi_from_omegas",
    "require_well_conditioned",
    "schur_factorisation",
    "sylvester_forms",
    "true_mi_binary",
    "true_mi_channel",
    "true_mi_channel_2d",
]
