"""Small statistics helpers of the simulation and experiment checks: family-wise normal
quantiles, means and sample variances with standard errors, width extrapolation, weighted
fits, paired tests and the excess kurtosis with its delta-method standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats
from scipy.stats import norm

from theorycheck.errors import Status, TheoryCheckError


def width_extrapolate(m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Infinite-width estimate from widths N and 2N assuming an O(1/N) bias: 2 m(2N) - m(N)."""
    return 2 * m2 - m1, np.sqrt(4 * s2 ** 2 + s1 ** 2)


def z_crit(m: int, alpha: float = 1e-3) -> float:
    """Two-sided normal quantile at family-wise level alpha, Bonferroni over m comparisons."""
    return float(norm.isf(alpha / (2 * max(1, m))))


def mean_se(a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=float)
    return a.mean(axis=axis), a.std(axis=axis, ddof=1) / math.sqrt(a.shape[axis])


def variance_se(x: np.ndarray) -> tuple[float, float]:
    """Unbiased sample variance v of the 1-D sample ``x`` (n values) and its standard error from
    the fourth central moment m4: se^2 = (m4 - v^2 (n - 3)/(n - 1)) / n, clipped at 0 (the
    moment formula for i.i.d. samples; m4 is the plug-in estimate, valid for large n)."""
    n = x.size
    v_hat = float(np.var(x, ddof=1))
    c4 = float(np.mean((x - x.mean()) ** 4))
    return v_hat, math.sqrt(max(c4 - v_hat ** 2 * (n - 3) / (n - 1), 0.0) / n)


def excess_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Sample excess kurtosis m4/m2^2 - 3 of the 1-D sample ``x`` and its delta-method standard
    error (moments of the sample up to order 8; valid for large samples)."""
    x = np.asarray(x, float)
    n = x.size
    if n < 8:
        raise TheoryCheckError("need at least 8 samples for a kurtosis",
                               status=Status.INVALID_ARGUMENT)
    c = x - x.mean()
    m2, m4 = float(np.mean(c ** 2)), float(np.mean(c ** 4))
    k = m4 / m2 ** 2 - 3.0
    # influence function of m4/m2^2: (c^4 - m4)/m2^2 - 2 m4 (c^2 - m2)/m2^3
    infl = (c ** 4 - m4) / m2 ** 2 - 2.0 * m4 * (c ** 2 - m2) / m2 ** 3
    return k, float(np.std(infl, ddof=1) / math.sqrt(n))


def fit_through_origin(x: Sequence[float], y: Sequence[float], se: Sequence[float]
                       ) -> dict[str, float]:
    """Weighted least squares y = a x (weights 1/se^2): a, its standard error (scaled by
    sqrt(chi2/dof) when the fit is worse than the errors say), chi2 and dof."""
    xa, ya, sa = (np.asarray(v, float) for v in (x, y, se))
    w = 1.0 / np.maximum(sa, 1e-300) ** 2
    sxx = float(np.sum(w * xa * xa))
    a = float(np.sum(w * xa * ya) / sxx)
    chi2 = float(np.sum(w * (ya - a * xa) ** 2))
    dof = max(1, xa.size - 1)
    err = math.sqrt(1.0 / sxx) * max(1.0, math.sqrt(chi2 / dof))
    return {"a": a, "a_err": err, "chi2": chi2, "dof": float(dof)}


def paired_test(a: Sequence[float], b: Sequence[float]) -> dict[str, float]:
    """Paired comparison of a and b (same seeds): mean difference a - b, its standard error,
    the two-sided paired t-test p-value and a 95 % t confidence interval."""
    d = np.asarray(a, float) - np.asarray(b, float)
    n = d.size
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    if n > 1 and se > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), n - 1))
        h = float(stats.t.ppf(0.975, n - 1) * se)
    else:
        p, h = (0.0 if mean != 0 else 1.0), 0.0
    return {"mean_diff": mean, "se": se, "p_value": p, "ci_low": mean - h, "ci_high": mean + h,
            "n": float(n)}


__all__ = ["excess_kurtosis", "fit_through_origin", "mean_se", "paired_test", "variance_se",
           "width_extrapolate", "z_crit"]
