"""One module per claim of ../shared/CLAIMS.md: what the source states and the checks that apply.

Each module registers its claim with ``theorycheck.claims.claim``; verdicts are computed by the
engine from the checks' results, never written here.
"""

from proofs import (  # noqa: F401  (each module declares its claim when imported)
    beta_le_one,
    beta_max_at_di,
    chi1_jacobian,
    chi_square_variance,
    cmap_fixed_point,
    cnn_fixed_point,
    correlation_variance_finite,
    depth_scales,
    finite_width_ratio,
    gaussian_mi_lower_bound,
    jacobian_moments,
    mf_mi_lower_bound,
    mi_depth_limit,
    mi_max_at_di,
    mi_monotone_in_beta,
    orthogonal_faster,
    qmap,
    schur_determinant,
    sigmoid_sw_bound,
    sylvester_cholesky,
    trainability_depth,
)
