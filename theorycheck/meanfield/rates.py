"""Depth scales xi = -1/log(rate): from a map's slope, or measured from iterated deviations.

A map contracting towards its fixed point with slope lambda has deviations d_l ~ A lambda^l,
so the depth scale is xi = -1/log(lambda) (Schoenholz et al. 2017 Eqs. (5), (8)).  Three routes:
:func:`neg_inv_log` (lambda known, error propagated), :func:`fit_rate` (a least-squares line
through log d_l), :func:`geometric_rate` (lambda from successive ratios d_{l+1}/d_l).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from theorycheck.errors import TheoryCheckError
from theorycheck.numbers import Estimate


def neg_inv_log(arg: Estimate) -> Estimate | None:
    """xi = -1/log(arg) with error propagation; None when arg <= 0 or arg == 1 (infinite).

    Works 10 digits above the caller's mpmath precision.
    """
    a = arg.value
    if a <= 0 or a == 1:
        return None
    with mp.workdps(mp.mp.dps + 10):
        L = mp.log(a)
        xi = -1 / L
        err = arg.error / (abs(a) * L * L)
    return Estimate(xi, err, arg.method)


def fit_rate(dev: list[float]) -> Estimate | None:
    """xi from a least-squares fit log|x_l - x*| = const - l / xi; error from two halves."""
    d = np.log(np.asarray([v for v in dev if v > 0]))
    if d.size < 4:
        return None
    lay = np.arange(d.size)
    slope = np.polyfit(lay, d, 1)[0]
    h = d.size // 2
    s1 = np.polyfit(lay[:h], d[:h], 1)[0] if h >= 2 else slope
    s2 = np.polyfit(lay[h:], d[h:], 1)[0] if d.size - h >= 2 else slope
    if slope >= 0:
        return None
    xi = -1 / slope
    err = abs(-1 / s1 + 1 / s2) if s1 < 0 and s2 < 0 else abs(xi)
    return Estimate(mp.mpf(xi), mp.mpf(err), "fit of the iterated exact map (float64)")


def geometric_rate(dev: np.ndarray, floor: float) -> Estimate:
    """The asymptotic ratio lambda of deviations d_l ~ A lambda^l from their successive ratios.

    Uses the d_l with ``|d_l| > floor`` (above the numerical noise); the ratios
    r_l = d_{l+1}/d_l approach lambda linearly in d_l (the next Taylor term of the map), so
    lambda is the intercept of a least-squares line r_l = lambda + a d_l; the error is the
    intercept's standard error plus the change from dropping the first ratio.
    """
    d = np.asarray(dev, dtype=float)
    keep = np.abs(d) > floor
    idx = np.nonzero(keep[:-1] & keep[1:])[0]
    if idx.size < 4:
        raise TheoryCheckError("too few iterations above the noise floor to measure a rate")
    r, x = d[idx + 1] / d[idx], d[idx]

    def fit(r: np.ndarray, x: np.ndarray) -> tuple[float, float]:
        A = np.vstack([np.ones_like(x), x]).T
        coef, *_ = np.linalg.lstsq(A, r, rcond=None)
        res = r - A @ coef
        dof = max(1, r.size - 2)
        cov = np.linalg.pinv(A.T @ A) * float(res @ res) / dof
        return float(coef[0]), float(math.sqrt(max(cov[0, 0], 0.0)))

    lam, se = fit(r, x)
    lam2, _ = fit(r[1:], x[1:])
    return Estimate(mp.mpf(lam), mp.mpf(se + abs(lam - lam2) + 1e-15), "fit of successive ratios")
