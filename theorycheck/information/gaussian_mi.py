"""Mutual information of jointly Gaussian vectors, in the forms seed 000 prints (Eqs. 35, 41-43).

``I_N(X; Y) = 1/2 log(det S_xx det S_yy / det S)`` (seed 000, Eq. (35); seed 001, Eq. (6)), its
Schur-complement form and its correlation-matrix form (Eq. (43), corrected). float64 routes go
through Cholesky factors and refuse ill-conditioned matrices (``Status.ILL_CONDITIONED`` with the
condition number) instead of returning inf/NaN; the mpmath routes ((35) and (43)) report an error
estimate from two working precisions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
import numpy as np
from numpy.typing import ArrayLike, NDArray

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.numbers import Estimate

Array = NDArray[np.float64]

DEFAULT_MAX_COND = 1e12


def _symmetric(a: ArrayLike, what: str) -> Array:
    m = np.asarray(a, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise TheoryCheckError(f"{what} must be a non-empty square matrix, got shape {m.shape}",
                               status=Status.INVALID_ARGUMENT)
    if not np.all(np.isfinite(m)):
        raise TheoryCheckError(f"{what} has non-finite entries", status=Status.NOT_FINITE)
    scale = max(1.0, float(np.max(np.abs(m))))
    if not np.allclose(m, m.T, rtol=1e-10, atol=1e-12 * scale):
        raise TheoryCheckError(f"{what} is not symmetric", status=Status.INVALID_ARGUMENT)
    return 0.5 * (m + m.T)


def condition_number(a: ArrayLike) -> float:
    """2-norm condition number ``lambda_max / lambda_min`` of a symmetric matrix (``inf`` when
    it is not positive definite). float64 ``eigvalsh``: O(n^3)."""
    m = _symmetric(a, "matrix")
    ev = np.linalg.eigvalsh(m)
    if ev[0] <= 0.0:
        return math.inf
    return float(ev[-1] / ev[0])


def require_well_conditioned(a: ArrayLike, what: str = "covariance",
                             max_cond: float = DEFAULT_MAX_COND) -> float:
    """Return the condition number of the symmetric matrix ``a``; raise ``ILL_CONDITIONED``
    (with the condition number in the message and ``details``) when it exceeds ``max_cond`` or
    ``a`` is not positive definite."""
    cond = condition_number(a)
    if not cond <= max_cond:
        shown = "inf (not positive definite)" if math.isinf(cond) else f"{cond:.3e}"
        raise TheoryCheckError(
            f"{what} is ill-conditioned: condition number {shown} exceeds {max_cond:.1e}; "
            f"its log-determinant cannot be trusted in float64",
            status=Status.ILL_CONDITIONED, condition_number=cond, max_cond=max_cond)
    return cond


def logdet_spd(a: ArrayLike) -> float:
    """``log det a`` for a symmetric positive-definite ``a`` as ``2 sum log diag(chol(a))``."""
    m = _symmetric(a, "matrix")
    try:
        chol = np.linalg.cholesky(m)
    except np.linalg.LinAlgError as err:
        raise TheoryCheckError("matrix is not positive definite (Cholesky failed)",
                               status=Status.ILL_CONDITIONED, condition_number=math.inf) from err
    return float(2.0 * np.sum(np.log(np.diag(chol))))


def _split(cov: ArrayLike, n_x: int) -> tuple[Array, Array, Array, Array]:
    s = _symmetric(cov, "covariance")
    n = s.shape[0]
    if not (isinstance(n_x, int | np.integer) and 1 <= n_x < n):
        raise TheoryCheckError(f"n_x must be an integer in [1, {n - 1}], got {n_x!r}",
                               status=Status.INVALID_ARGUMENT)
    return s, s[:n_x, :n_x], s[n_x:, n_x:], s[:n_x, n_x:]


def gaussian_mi(cov: ArrayLike, n_x: int, *, max_cond: float = DEFAULT_MAX_COND) -> float:
    """``I_N = 1/2 log(det S_xx det S_yy / det S)`` in nats for the joint covariance ``cov`` whose
    first ``n_x`` coordinates are X (seed 000, Eq. (35); seed 001, Eq. (6)).

    Three Cholesky log-determinants, O(n^3); raises ``ILL_CONDITIONED`` when ``cond(S)`` exceeds
    ``max_cond`` (the sub-blocks are no worse conditioned than ``S``, by eigenvalue interlacing).
    Absolute error about ``n * cond(S) * 2.2e-16``.
    """
    s, sxx, syy, _ = _split(cov, n_x)
    require_well_conditioned(s, "joint covariance", max_cond)
    return 0.5 * (logdet_spd(sxx) + logdet_spd(syy) - logdet_spd(s))


def gaussian_mi_schur(cov: ArrayLike, n_x: int, *, max_cond: float = DEFAULT_MAX_COND) -> float:
    """Schur-complement form ``1/2 log(det S_xx / det(S_xx - S_xy S_yy^-1 S_yx))`` (seed 000,
    Eqs. (40)-(42), corrected). Same cost and conditioning rule as :func:`gaussian_mi`."""
    s, sxx, syy, sxy = _split(cov, n_x)
    require_well_conditioned(s, "joint covariance", max_cond)
    schur = sxx - sxy @ np.linalg.solve(syy, sxy.T)
    return 0.5 * (logdet_spd(sxx) - logdet_spd(0.5 * (schur + schur.T)))


def gaussian_mi_correlation(c00: ArrayLike, c0l: ArrayLike, cll: ArrayLike, *,
                            max_cond: float = DEFAULT_MAX_COND) -> float:
    """Correlation form ``1/2 log(det C00 / det(C00 - C0l Cll^-1 C0l^T))`` (seed 000, Eq. (43)
    as it should read; the printed (43) has the same expression above and below the bar).

    ``c00``, ``cll``: correlation (or covariance) matrices of X and Y; ``c0l``: the cross block.
    The diagonal scalings ``D0``, ``Dl`` of Eq. (40) cancel, so this equals :func:`gaussian_mi`
    of the covariance ``[[D0 C00 D0, D0 C0l Dl], [Dl C0l^T D0, Dl Cll Dl]]`` for any ``D0, Dl``.
    """
    a = _symmetric(c00, "C00")
    b = _symmetric(cll, "Cll")
    x = np.asarray(c0l, dtype=np.float64)
    if x.shape != (a.shape[0], b.shape[0]):
        raise TheoryCheckError(f"C0l must have shape {(a.shape[0], b.shape[0])}, got {x.shape}",
                               status=Status.INVALID_ARGUMENT)
    joint = np.block([[a, x], [x.T, b]])
    return gaussian_mi_schur(joint, a.shape[0], max_cond=max_cond)


def _mp_logdet(a: mp.matrix) -> mp.mpf:
    chol = mp.cholesky(a)
    return 2 * mp.fsum(mp.log(chol[i, i]) for i in range(a.rows))


def _mp_mi_once(cov: list[list[Any]], n_x: int) -> mp.mpf:
    s = mp.matrix([[mp.mpf(v) for v in row] for row in cov])
    n = s.rows
    sxx = mp.matrix([[s[i, j] for j in range(n_x)] for i in range(n_x)])
    syy = mp.matrix([[s[i, j] for j in range(n_x, n)] for i in range(n_x, n)])
    return (_mp_logdet(sxx) + _mp_logdet(syy) - _mp_logdet(s)) / 2


def gaussian_mi_mp(cov: NDArray[Any] | Sequence[Sequence[Any]], n_x: int, *,
                   dps: int = 30) -> Estimate:
    """:func:`gaussian_mi` in mpmath at ``dps`` digits: Cholesky log-determinants at ``dps + 10``
    and ``dps + 20`` digits; the error is their difference (plus ``10^-(dps+5)``).

    ``cov`` may hold mpf/str entries (exact decimal input); a float64 array is symmetrised first
    (as in :func:`gaussian_mi`). Raises ``ILL_CONDITIONED`` when the
    condition number (``mp.eigsy``) exceeds ``10^(dps - 5)``, i.e. when fewer than about five
    correct digits of the log-determinants would survive. O(n^3) in Python: keep n below ~40.
    """
    if isinstance(cov, np.ndarray):   # float64 input: symmetric to rounding, made exactly so
        cov = _symmetric(cov, "covariance")
    rows: list[list[Any]] = [list(r) for r in (cov.tolist() if isinstance(cov, np.ndarray)
                                                else cov)]
    n = len(rows)
    if n < 2 or any(len(r) != n for r in rows) or not 1 <= n_x < n:
        raise TheoryCheckError("covariance must be square (n >= 2) with 1 <= n_x < n",
                               status=Status.INVALID_ARGUMENT)
    with mp.workdps(dps + 10):
        s = mp.matrix([[mp.mpf(v) for v in r] for r in rows])
        if mp.mnorm(s - s.T, 1) > mp.mpf(10) ** (-dps) * mp.mnorm(s, 1):
            raise TheoryCheckError("covariance is not symmetric", status=Status.INVALID_ARGUMENT)
        ev, _ = mp.eigsy(s)
        lo, hi = min(ev), max(ev)
        cond = hi / lo if lo > 0 else mp.inf
        if not cond <= mp.mpf(10) ** (dps - 5):
            raise TheoryCheckError(
                f"joint covariance is ill-conditioned: condition number "
                f"{mp.nstr(cond, 4)} exceeds 1e{dps - 5} at {dps} digits",
                status=Status.ILL_CONDITIONED, condition_number=cond)
    return _two_precisions(lambda: _mp_mi_once(rows, n_x), dps,
                           "mpmath Cholesky at two precisions (dps+10, dps+20)")


def gaussian_mi_correlation_mp(c00: ArrayLike, c0l: ArrayLike, cll: ArrayLike, *,
                               dps: int = 30) -> Estimate:
    """:func:`gaussian_mi_correlation` in mpmath at ``dps`` digits: ``1/2 log(det C00 /
    det(C00 - C0l Cll^-1 C0l^T))`` (seed 000, Eq. (43), corrected) by mpmath LU determinants and
    inverse at ``dps + 10`` and ``dps + 20`` digits; the error is their difference (plus
    ``10^-(dps+5)``).

    ``c00``, ``cll``: correlation (or covariance) matrices of X and Y, symmetric positive
    definite (not tested here: use :func:`gaussian_mi_mp` for a checked route); ``c0l``: the
    cross block. O(n^3) in Python.
    """
    a0, x0, b0 = (np.asarray(m, dtype=np.float64).tolist() for m in (c00, c0l, cll))

    def once() -> mp.mpf:
        a, x, b = mp.matrix(a0), mp.matrix(x0), mp.matrix(b0)
        schur = a - x * mp.inverse(b) * x.T
        return mp.log(mp.det(a) / mp.det(schur)) / 2

    return _two_precisions(once, dps, "mpmath at two precisions (dps+10, dps+20)")


def _two_precisions(once: Callable[[], mp.mpf], dps: int, method: str) -> Estimate:
    """``once()`` at ``dps + 10`` and ``dps + 20`` working digits: the second value, with their
    difference plus ``10^-(dps+5)`` as its error."""
    values = []
    for extra in (10, 20):
        with mp.workdps(dps + extra):
            values.append(once())
    with mp.workdps(dps + 20):
        err = abs(values[1] - values[0]) + mp.mpf(10) ** (-(dps + 5))
    return Estimate(values[1], err, method)


def bivariate_mi_exact(rho: float | mp.mpf) -> mp.mpf:
    """Closed form ``-1/2 log(1 - rho^2)`` for a bivariate Gaussian with correlation ``rho``."""
    r = mp.mpf(rho)
    if not abs(r) < 1:
        raise TheoryCheckError(f"|rho| must be < 1, got {rho}", status=Status.INVALID_ARGUMENT)
    return -mp.log1p(-r * r) / 2
