"""The determinant identities of seed 000, Sec. IV B, evaluated numerically.

- Eq. (40): ``det S = det S_ll * det(S_00 - S_0l S_ll^-1 S_0l^T)`` with ``S_0l = D0 C D_l``;
- Eqs. (45)-(49): ``det(I - b M C) = det(I - b L^T M L) = prod_i (1 - b w_i)``, ``C = L L^T``,
  ``w_i`` the eigenvalues of ``L^T M L``;
- Eq. (44) with (49): ``I_N = -1/2 sum_i log(1 - beta^(2l) w_i)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theorycheck.errors import Status, TheoryCheckError

Array = NDArray[np.float64]


def _square(a: ArrayLike, what: str) -> Array:
    m = np.asarray(a, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise TheoryCheckError(f"{what} must be square, got shape {m.shape}",
                               status=Status.INVALID_ARGUMENT)
    return m


@dataclass(frozen=True)
class SchurFactorisation:
    """Both sides of seed 000, Eq. (40), as ``(sign, log|det|)`` pairs (no overflow)."""

    lhs_logdet: float
    rhs_logdet: float
    lhs_sign: float
    rhs_sign: float

    @property
    def log_ratio(self) -> float:
        """``log|lhs / rhs|``; 0 when Eq. (40) holds."""
        return self.lhs_logdet - self.rhs_logdet


def schur_factorisation(c00: ArrayLike, c0l: ArrayLike, cll: ArrayLike, d0: ArrayLike,
                        dl: ArrayLike) -> SchurFactorisation:
    """Both sides of seed 000, Eq. (40): ``det S^(0,l)`` and
    ``det S^(l) det(S^(0) - D0 C0l Dl S_l^-1 Dl C0l^T D0)`` with ``S^(0) = D0 C00 D0``,
    ``S^(l) = Dl Cll Dl``, ``S_0l = D0 C0l Dl``; ``d0``, ``dl`` are the standard deviations
    (diagonals of ``D0``, ``Dl``). ``slogdet`` (LU), O(n^3)."""
    a, b = _square(c00, "C00"), _square(cll, "Cll")
    x = np.asarray(c0l, dtype=np.float64)
    D0, Dl = np.diag(np.asarray(d0, dtype=np.float64)), np.diag(np.asarray(dl, dtype=np.float64))
    s0, sl, s0l = D0 @ a @ D0, Dl @ b @ Dl, D0 @ x @ Dl
    full = np.block([[s0, s0l], [s0l.T, sl]])
    sign_l, log_l = np.linalg.slogdet(full)
    schur = s0 - s0l @ np.linalg.solve(sl, s0l.T)
    sign_a, log_a = np.linalg.slogdet(sl)
    sign_b, log_b = np.linalg.slogdet(schur)
    return SchurFactorisation(float(log_l), float(log_a + log_b), float(sign_l),
                              float(sign_a * sign_b))


def cholesky_omegas(m: ArrayLike, c: ArrayLike) -> Array:
    """Eigenvalues ``w_i`` (ascending) of ``L^T M L`` with ``C = L L^T`` (seed 000, Eqs. (46)-(49)).

    ``M`` symmetric positive semi-definite, ``C`` symmetric positive definite. ``L^T M L`` is
    symmetric, so ``eigvalsh`` applies; the ``w_i`` are also the eigenvalues of ``M C``.
    """
    mm, cc = _square(m, "M"), _square(c, "C")
    try:
        chol = np.linalg.cholesky(0.5 * (cc + cc.T))
    except np.linalg.LinAlgError as err:
        raise TheoryCheckError("C is not positive definite (Cholesky failed)",
                               status=Status.ILL_CONDITIONED) from err
    inner = chol.T @ (0.5 * (mm + mm.T)) @ chol
    return np.asarray(np.linalg.eigvalsh(0.5 * (inner + inner.T)), dtype=np.float64)


@dataclass(frozen=True)
class SylvesterForms:
    """The three printed forms of seed 000, Eqs. (46), (48), (49), at one ``b``."""

    direct: float        # det(I - b M C), LU
    cholesky: float      # det(I - b L^T M L), LU
    product: float       # prod_i (1 - b w_i) over all i
    product_positive: float  # prod over the printed index set {w_i > 0} only
    omegas: tuple[float, ...]


def sylvester_forms(m: ArrayLike, c: ArrayLike, b: float, *,
                    zero_tol: float = 1e-12) -> SylvesterForms:
    """``det(I - b M C)``, ``det(I - b L^T M L)``, ``prod(1 - b w_i)`` and the product over the
    printed set ``{w_i > 0}`` (eigenvalues below ``zero_tol * max(1, max w)`` count as 0).
    seed 000, Eqs. (45)-(49). O(n^3)."""
    mm, cc = _square(m, "M"), _square(c, "C")
    n = mm.shape[0]
    chol = np.linalg.cholesky(0.5 * (cc + cc.T))
    w = cholesky_omegas(mm, cc)
    eye = np.eye(n)
    direct = float(np.linalg.det(eye - b * mm @ cc))
    chol_form = float(np.linalg.det(eye - b * chol.T @ mm @ chol))
    product = float(np.prod(1.0 - b * w))
    cut = zero_tol * max(1.0, float(np.max(np.abs(w))) if n else 1.0)
    positive = float(np.prod(1.0 - b * w[w > cut]))
    return SylvesterForms(direct, chol_form, product, positive, tuple(float(v) for v in w))


def mi_from_omegas(omegas: ArrayLike, beta: float, depth: int) -> float:
    """``I_N = -1/2 sum_i log(1 - beta^(2l) w_i)`` (seed 000, Eqs. (44), (49)), in nats.

    Defined on ``beta^(2l) w_i < 1`` for every ``i``; outside it the joint covariance of Eq. (44)
    is not positive definite and ``INVALID_ARGUMENT`` is raised (never inf/NaN).
    """
    w = np.asarray(omegas, dtype=np.float64)
    if depth < 1:
        raise TheoryCheckError(f"depth must be >= 1, got {depth}", status=Status.INVALID_ARGUMENT)
    t = float(beta) ** (2 * depth)
    arg = 1.0 - t * w
    if np.any(arg <= 0.0) or np.any(w < -1e-12 * max(1.0, float(np.max(np.abs(w), initial=0)))):
        raise TheoryCheckError(
            f"outside the domain beta^(2l) w_i < 1, w_i >= 0 (beta={beta}, l={depth}, "
            f"max w={float(np.max(w, initial=0)):.4g})", status=Status.INVALID_ARGUMENT)
    return float(-0.5 * np.sum(np.log1p(-t * w)))
