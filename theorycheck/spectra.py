"""Random-matrix moments of the input-output Jacobian (seed 000, Eqs. (60)-(67); seed 002,
Sec. 3.2): the infinite-width free-probability formulas and their exact finite-width
counterpart under the same independence model. Pure Python: the simulation layer measures,
this layer predicts.
"""

from __future__ import annotations


def jacobian_moments_inf(m: float, r: float, depth: int, s1: float) -> tuple[float, float]:
    """Seed 000, Eqs. (64)-(65): ``m1 = m^L``, ``m2 = m^(2L) (r + 1/L - 1 - s1) L``, with
    ``m = sw2 mu1`` and ``r = mu2/mu1^2``."""
    m1 = m**depth
    m2 = m ** (2 * depth) * (r + 1.0 / depth - 1.0 - s1) * depth
    return m1, m2


def jacobian_moments_finite(sw2: float, mu1: float, mu2: float, depth: int, width: int,
                            weights: str) -> tuple[float, float]:
    """Exact finite-N ``(E m1, E m2)`` of ``H = J^T J`` under the free-probability model's
    independence assumption (diagonals D_l with i.i.d. entries of moments
    ``E d^2 = mu1``, ``E d^4 = mu2``, independent of the weights), derived in
    ``jacobian.py``. Tends to Eqs. (64)-(65) as N -> inf.
    """
    n = float(width)
    b1 = b2 = b1sq = e = 1.0
    g = mu2 - mu1 * mu1
    for _ in range(depth):
        c1 = mu1 * b1
        c2 = mu1 * mu1 * b2 + g * e
        c1sq = mu1 * mu1 * b1sq + g * e / n
        if weights == "gaussian":
            b1 = sw2 * c1
            b2 = sw2 * sw2 * ((1 + 1 / n) * c2 + c1sq)
            b1sq = sw2 * sw2 * (c1sq + 2 * c2 / (n * n))
            e = sw2 * sw2 * (c1sq + 2 * c2 / n)
        else:
            b1 = sw2 * c1
            b2 = sw2 * sw2 * c2
            b1sq = sw2 * sw2 * c1sq
            e = sw2 * sw2 * (n / (n + 2)) * (c1sq + 2 * c2 / n)
    return b1, b2
