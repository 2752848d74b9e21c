"""Random-matrix moments of the input-output Jacobian (seed 000, Eqs. (60)-(67); seed 002,
Sec. 3.2): the infinite-width free-probability formulas, every moment from the S-transform
series, and the exact finite-width counterpart of the first two under the same independence
model. Pure Python: the simulation layer measures, this layer predicts.

Series conventions (Pennington, Schoenholz & Ganguli 2018, Sec. 2): for a law with moments
``m_k``, ``psi(z) = sum_{k>=1} m_k z^k``, ``chi = psi^{-1}`` (compositional inverse) and
``S(w) = chi(w) (1 + w)/w``.  For ``H = J J^T`` with ``J = prod_l D_l W_l`` and freely
independent factors (seed 000, Eq. (60)): ``S_H = (S_{D^2} S_{WW^T})^L``, with
``S_{WW^T}(w) = 1/(sw2 (1 + w))`` (Gaussian: Marchenko-Pastur at ratio 1) or ``1/sw2``
(orthogonal).  :func:`free_moments` runs that chain on truncated power series: the k-th moment
of H needs the moments ``mu_1..mu_k`` of ``D^2`` and is exact (a polynomial in them); with
``k = 1, 2`` it reproduces Eqs. (64)-(65), and for linear Gaussian networks (``D = 1``, ``sw2 =
1``) the Fuss-Catalan numbers ``binom((L+1)k, k)/(Lk + 1)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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


def _mul(a: Sequence[Any], b: Sequence[Any], n: int) -> list[Any]:
    """The product of two power series truncated to ``n`` coefficients."""
    out = [a[0] * 0] * n
    for i, ai in enumerate(a[:n]):
        for j, bj in enumerate(b[: n - i]):
            out[i + j] = out[i + j] + ai * bj
    return out


def _power(a: Sequence[Any], p: int, n: int) -> list[Any]:
    """``a^p`` truncated to ``n`` coefficients (binary exponentiation)."""
    result = [a[0] ** 0] + [a[0] * 0] * (n - 1)
    base = list(a[:n])
    while p:
        if p & 1:
            result = _mul(result, base, n)
        base = _mul(base, base, n)
        p >>= 1
    return result


def _reverse(c: Sequence[Any]) -> list[Any]:
    """Compositional inverse of ``f(z) = sum_{k>=1} c[k-1] z^k`` (``c[0] != 0``), order by order:
    the coefficient of ``w^n`` in ``f(g(w))`` is ``c_1 g_n + (terms in g_1..g_{n-1})``."""
    n = len(c)
    g = [c[0] * 0] * n                  # g[k-1]: coefficient of w^k
    for order in range(1, n + 1):
        # f(g) with g_order = 0, read at w^order (series in w with index k-1 <-> w^k)
        comp = [c[0] * 0] * n
        gpow = [c[0] ** 0] + [c[0] * 0] * n   # g^0 as a series with index k <-> w^k
        gw = [c[0] * 0, *g]                    # g with index k <-> w^k
        for k in range(1, n + 1):
            gpow = _mul(gpow, gw, n + 1)
            for i in range(n + 1):
                if 1 <= i <= n:
                    comp[i - 1] = comp[i - 1] + c[k - 1] * gpow[i]
        target = 1 if order == 1 else 0
        g[order - 1] = (target - comp[order - 1]) / c[0]
    return g


def s_series(moments: Sequence[Any]) -> list[Any]:
    """``S(w) = sum_k s_k w^k`` to ``len(moments)`` terms from the moments ``m_1, m_2, ...``."""
    chi = _reverse(moments)             # chi[k-1]: coefficient of w^k
    # S = chi(w)(1 + w)/w: s_k = chi_{k+1} + chi_k
    return [chi[k] + (chi[k - 1] if k else 0) for k in range(len(moments))]


def moments_from_s(s: Sequence[Any]) -> list[Any]:
    """The moments ``m_1..m_n`` of the law whose S-transform series is ``s`` (n = len(s))."""
    n = len(s)
    # chi(w) = S(w) w/(1 + w): chi_k = sum_{j<k} s_j (-1)^(k-1-j)
    chi = [sum(s[j] * (-1) ** (k - 1 - j) for j in range(k)) for k in range(1, n + 1)]
    return _reverse(chi)


def free_moments(mu: Sequence[Any], sw2: Any, depth: int, weights: str) -> list[Any]:
    """Moments ``m_1..m_n`` of ``H = J J^T`` from the moments ``mu_k = E psi'(h)^(2k)`` of
    ``D^2`` (``n = len(mu)``), by ``S_H = (S_{D^2} S_{WW^T})^L`` (see the module doc).

    ``weights``: "gaussian" or "orthogonal"; exact arithmetic in the type of ``mu`` (float,
    mpmath, SymPy).  ``free_moments([mu1, mu2], ...)`` equals Eqs. (64)-(65).
    """
    n = len(mu)
    sd = s_series(mu)
    one = mu[0] ** 0
    if weights == "gaussian":
        sw = [one * (-1) ** k / sw2 for k in range(n)]
    elif weights == "orthogonal":
        sw = [one / sw2] + [one * 0] * (n - 1)
    else:
        raise ValueError(f"weights must be gaussian or orthogonal, got {weights!r}")
    return moments_from_s(_power(_mul(sd, sw, n), depth, n))
