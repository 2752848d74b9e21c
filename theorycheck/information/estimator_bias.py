"""Bias of the plug-in Gaussian mutual-information estimator on Gaussian data (exact).

Used to centre sampled MI bounds of finite networks (seed 000, Eq. (35); seed 001, Eq. (11)).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma

from theorycheck.errors import Status, TheoryCheckError


def wishart_logdet_bias(p: int, n: int) -> float:
    """E log det S - log det Sigma for the unbiased sample covariance S of n Gaussian draws in
    p dimensions: sum_{i=1..p} digamma((n - i)/2) + p log(2/(n - 1)) (exact; Muirhead 1982,
    Thm. 3.2.15)."""
    if n <= p + 1:
        raise TheoryCheckError(f"need more samples ({n}) than dimensions + 1 ({p + 1})",
                               status=Status.INVALID_ARGUMENT)
    i = np.arange(1, p + 1)
    return float(np.sum(digamma((n - i) / 2.0)) + p * math.log(2.0 / (n - 1)))


def mi_bias(n_x: int, n_y: int, samples: int) -> float:
    """Bias of the plug-in Gaussian MI 1/2 log(det S_xx det S_yy / det S) for Gaussian data:
    1/2 [b(n_x) + b(n_y) - b(n_x + n_y)] with b = :func:`wishart_logdet_bias`."""
    return 0.5 * (wishart_logdet_bias(n_x, samples) + wishart_logdet_bias(n_y, samples)
                  - wishart_logdet_bias(n_x + n_y, samples))


__all__ = ["mi_bias", "wishart_logdet_bias"]
