"""Random test matrices for the property checks of seed 000, Eqs. (40)-(49): symmetric positive
(semi-)definite matrices, correlation matrices and a depth-``l`` product of Gaussian weights."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def random_spd(rng: np.random.Generator, n: int, *, ridge: float = 0.1) -> Array:
    """``A A^T / n + ridge I`` with ``A`` standard Gaussian ``n x n``: SPD, condition number
    at most about ``(4 + ridge) / ridge``."""
    a = rng.standard_normal((n, n))
    s = a @ a.T / n + ridge * np.eye(n)
    return 0.5 * (s + s.T)


def random_psd(rng: np.random.Generator, n: int, rank: int) -> Array:
    """``B B^T`` with ``B`` Gaussian ``n x rank``: PSD of rank ``min(n, rank)`` (singular when
    ``rank < n``; ``rank = 0`` gives the zero matrix)."""
    b = rng.standard_normal((n, rank)) / np.sqrt(max(n, 1))
    s = b @ b.T
    return 0.5 * (s + s.T)


def random_correlation(rng: np.random.Generator, n: int, *, ridge: float = 0.1) -> Array:
    """A correlation matrix (unit diagonal) ``D^-1/2 S D^-1/2`` of a :func:`random_spd` ``S``."""
    s = random_spd(rng, n, ridge=ridge)
    d = 1.0 / np.sqrt(np.diag(s))
    c = s * d[:, None] * d[None, :]
    c = 0.5 * (c + c.T)
    np.fill_diagonal(c, 1.0)
    return c


def weight_product(rng: np.random.Generator, widths: list[int]) -> Array:
    """``P = prod_{i=1}^{l} (W^(i)/sigma_w)^T / sqrt(N_{i-1})`` of seed 000, Eq. (39), with
    ``W^(i)/sigma_w`` standard Gaussian ``N_i x N_{i-1}``; ``widths = [N_0, ..., N_l]``.
    Shape ``N_0 x N_l``."""
    p = np.eye(widths[0])
    for n_prev, n_next in itertools.pairwise(widths):
        g = rng.standard_normal((n_next, n_prev))
        p = p @ (g.T / np.sqrt(n_prev))
    return p
