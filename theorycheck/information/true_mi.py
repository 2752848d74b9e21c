"""True mutual information of low-dimensional non-Gaussian channels, by quadrature.

Channel: ``Z ~ N(0, scale^2)`` (or a correlated 2-D Gaussian), ``Y = psi(Z) + sigma n``,
``n ~ N(0, 1)``. Then ``I(Z; Y) = h(Y) - h(Y|Z)`` with ``h(Y|Z) = 1/2 log(2 pi e sigma^2)`` per
coordinate and ``h(Y) = -int p log p`` with ``p(y) = E_z phi_sigma(y - psi(z))``. These are the
references for seed 000, Eq. (34) and seed 001, Prop. 1 (``I >= I_N`` when Z is Gaussian).

Quadrature: composite Gauss-Legendre in ``z`` on panels cut where ``psi`` changes by a fraction of
``sigma`` (and at the activation's kinks), composite Gauss-Legendre in ``y``; ``p`` on the ``y``
nodes only sums the ``z`` nodes whose ``psi`` lies within ``10 sigma`` (sorted, banded). Two rules
(coarse and refined) give the error estimate; the panel rule is
:func:`theorycheck.gaussian.rules.panel_nodes`. Gaussian expectations for ``I_N`` use mpmath
(:func:`theorycheck.gaussian.mp_rules.gaussian_moments_mp`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath as mp
import numpy as np
from numpy.typing import NDArray

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.mp_rules import gaussian_moments_mp, integrate_two_rules_mp
from theorycheck.gaussian.rules import normal_weights, panel_nodes
from theorycheck.numbers import Estimate

Array = NDArray[np.float64]
NumpyFn = Callable[[Array], Array]
MpFn = Callable[[mp.mpf], mp.mpf]

Z_MAX = 8.5          # |z| cut-off of the standard normal; tail mass 2 Phi(-8.5) ~ 1.9e-17
KERNEL_CUT = 10.0    # phi_sigma(d) is dropped for |d| > 10 sigma (relative size e^-50)
MAX_NODES = 400_000  # refuse quadratures larger than this many nodes in z or y


@dataclass(frozen=True)
class _Rule:
    k: int          # Gauss-Legendre nodes per panel
    dpsi: float     # max change of psi per z panel, in units of sigma
    dz: float       # max z-panel width
    dy: float       # y-panel width, in units of sigma


COARSE = _Rule(k=6, dpsi=0.5, dz=0.25, dy=0.5)
FINE = _Rule(k=10, dpsi=0.25, dz=0.125, dy=0.25)


def _z_edges(psi: NumpyFn, scale: float, sigma: float, kinks: Sequence[float], rule: _Rule,
             z_max: float) -> Array:
    """Panel edges in standardised ``z`` so that ``psi(scale z)`` moves by at most
    ``rule.dpsi * sigma`` and ``z`` by at most ``rule.dz`` per panel; kinks are edges."""
    fine = np.linspace(-z_max, z_max, 40001)
    v = np.asarray(psi(scale * fine), dtype=np.float64)
    if not np.all(np.isfinite(v)):
        raise TheoryCheckError("psi is not finite on the quadrature range",
                               status=Status.NOT_FINITE)
    step = np.abs(np.diff(v)) / (rule.dpsi * sigma) + np.diff(fine) / rule.dz
    s = np.concatenate([[0.0], np.cumsum(step)])
    cut = np.searchsorted(s, np.arange(1.0, math.floor(s[-1]) + 1.0))
    edges = np.concatenate([[-z_max], fine[np.clip(cut, 0, fine.size - 1)], [z_max]])
    extra = [k / scale for k in kinks if abs(k / scale) < z_max]
    edges = np.unique(np.concatenate([edges, np.asarray(extra, dtype=np.float64)]))
    if edges.size * rule.k > MAX_NODES:
        raise TheoryCheckError(
            f"quadrature would need {edges.size * rule.k} z nodes (> {MAX_NODES}); "
            f"sigma={sigma} is too small for this psi and scale", status=Status.TOO_LARGE)
    return edges


def _z_rule(psi: NumpyFn, scale: float, sigma: float, kinks: Sequence[float], rule: _Rule,
            z_max: float) -> tuple[Array, Array, Array]:
    """Nodes ``z``, weights ``w`` (including the N(0,1) density) and ``u = psi(scale z)``."""
    z, w = panel_nodes(_z_edges(psi, scale, sigma, kinks, rule, z_max), rule.k)
    w = normal_weights(z, w)
    return z, w, np.asarray(psi(scale * z), dtype=np.float64)


def _density_on(y: Array, u: Array, w: Array, sigma: float) -> Array:
    """``p(y) = sum_j w_j phi_sigma(y - u_j)`` with only the ``u_j`` within ``10 sigma``."""
    order = np.argsort(u)
    us, ws = u[order], w[order]
    out = np.empty_like(y)
    norm = 1.0 / (sigma * math.sqrt(2.0 * math.pi))
    chunk = 512
    for start in range(0, y.size, chunk):
        yc = y[start:start + chunk]
        lo = np.searchsorted(us, yc[0] - KERNEL_CUT * sigma, side="left")
        hi = np.searchsorted(us, yc[-1] + KERNEL_CUT * sigma, side="right")
        d = (yc[:, None] - us[None, lo:hi]) / sigma
        out[start:start + chunk] = norm * (np.exp(-0.5 * d * d) @ ws[lo:hi])
    return out


def _entropy_1d(u: Array, w: Array, sigma: float, rule: _Rule) -> float:
    lo, hi = float(u.min()) - KERNEL_CUT * sigma, float(u.max()) + KERNEL_CUT * sigma
    n_panels = max(4, math.ceil((hi - lo) / (rule.dy * sigma)))
    if n_panels * rule.k > MAX_NODES:
        raise TheoryCheckError(f"quadrature would need {n_panels * rule.k} y nodes",
                               status=Status.TOO_LARGE)
    y, wy = panel_nodes(np.linspace(lo, hi, n_panels + 1), rule.k)
    p = _density_on(y, u, w, sigma)
    pos = p > 0
    return float(-np.sum(wy[pos] * p[pos] * np.log(p[pos])))


def _check_sigma(sigma: float, scale: float) -> None:
    if not (sigma > 0 and math.isfinite(sigma)):
        raise TheoryCheckError(f"noise sigma must be > 0, got {sigma}",
                               status=Status.INVALID_ARGUMENT)
    if not (scale > 0 and math.isfinite(scale)):
        raise TheoryCheckError(f"input scale must be > 0, got {scale}",
                               status=Status.INVALID_ARGUMENT)


def true_mi_channel(psi: NumpyFn, sigma: float, *, scale: float = 1.0,
                    kinks: Sequence[float] = (), z_max: float = Z_MAX) -> Estimate:
    """``I(Z; Y)`` in nats for ``Z ~ N(0, scale^2)``, ``Y = psi(Z) + sigma n``:
    ``h(Y) - 1/2 log(2 pi e sigma^2)``, ``h(Y)`` by banded composite Gauss-Legendre quadrature
    (seed 000, Eq. (34); seed 001, Prop. 1 references).

    ``psi``: vectorised float64 function; ``kinks``: points where psi is not smooth. Error: the
    difference of a coarse (6-point panels) and a refined (10-point, halved panels) rule, plus the
    truncation ``|z| > z_max``. Cost grows like ``(range of psi / sigma)^2`` in the worst case.
    """
    _check_sigma(sigma, scale)
    values = []
    for rule in (COARSE, FINE):
        _, w, u = _z_rule(psi, scale, sigma, kinks, rule, z_max)
        values.append(_entropy_1d(u, w, sigma, rule) - 0.5 * math.log(2 * math.pi * math.e
                                                                     * sigma * sigma))
    tail = math.erfc(z_max / math.sqrt(2.0)) * (1.0 + z_max * z_max)
    err = abs(values[1] - values[0]) + tail + 1e-13 * max(1.0, abs(values[1]))
    return Estimate(mp.mpf(values[1]), mp.mpf(err),
                    "two composite Gauss-Legendre rules (6- vs 10-point panels)")


def gaussian_mi_channel(psi: NumpyFn, sigma: float, *, scale: float = 1.0,
                        kinks: Sequence[float] = (), z_max: float = Z_MAX) -> Estimate:
    """``I_N(Z; Y) = -1/2 log(1 - rho^2)``, ``rho^2 = Cov(Z, Y)^2 / (Var Z Var Y)``, for the same
    channel as :func:`true_mi_channel` (seed 000, Eq. (35) with n = 1): float64 moments on the
    same two rules (fast; for property tests). See :func:`gaussian_mi_channel_mp` for digits."""
    _check_sigma(sigma, scale)
    values = []
    for rule in (COARSE, FINE):
        z, w, u = _z_rule(psi, scale, sigma, kinks, rule, z_max)
        mean = float(np.sum(w * u))
        cov_zy = scale * float(np.sum(w * z * u))
        var_y = float(np.sum(w * (u - mean) ** 2)) + sigma * sigma
        rho2 = cov_zy * cov_zy / (scale * scale * var_y)
        values.append(-0.5 * math.log1p(-rho2))
    err = abs(values[1] - values[0]) + 1e-14
    return Estimate(mp.mpf(values[1]), mp.mpf(err), "float64 moments, two Gauss-Legendre rules")


def gaussian_mi_channel_mp(psi: MpFn, sigma: float | mp.mpf, *, scale: float | mp.mpf = 1,
                           kinks: Sequence[float] = (), dps: int = 30,
                           moments: dict[str, Estimate] | None = None) -> Estimate:
    """``I_N(Z; Y) = 1/2 log(Var Z Var Y / (Var Z Var Y - Cov(Z,Y)^2))`` at ``dps`` digits for
    ``Z ~ N(0, scale^2)``, ``Y = psi(Z) + sigma n`` (seed 000, Eq. (35); seed 001, Eq. (6)).
    Error propagated (first order) from the two-rule errors of the moments; ``moments`` (from
    :func:`gaussian_moments_mp` at the same ``scale``) may be passed to reuse them across sigma."""
    _check_sigma(float(sigma), float(scale))
    m = moments or gaussian_moments_mp(psi, scale, kinks=kinks, dps=dps)
    with mp.workdps(dps + 10):
        s = mp.mpf(scale)
        sig = mp.mpf(sigma)
        c = s * m["cross"].value
        var_y = m["second"].value - m["mean"].value ** 2 + sig * sig
        var_z = s * s
        value = mp.log(var_z * var_y / (var_z * var_y - c * c)) / 2
        # first-order propagation of the moment errors
        d_c = abs(c) / (var_z * var_y - c * c) * s * m["cross"].error
        dv = (m["second"].error + 2 * abs(m["mean"].value) * m["mean"].error)
        d_v = abs(1 / var_y - var_z / (var_z * var_y - c * c)) / 2 * dv
        err = d_c + d_v + mp.mpf(10) ** (-(dps + 5))
    return Estimate(value, err, "mpmath moments, tanh-sinh vs gauss-legendre")


def true_mi_binary(sigma: float | mp.mpf, *, dps: int = 30) -> Estimate:
    """``I(Z; Y)`` for ``Z = +-1`` equiprobable (NOT Gaussian), ``Y = Z + sigma n``:
    ``h(Y) - 1/2 log(2 pi e sigma^2)`` with ``p = (phi_sigma(y-1) + phi_sigma(y+1))/2``, by
    :func:`~theorycheck.gaussian.mp_rules.integrate_two_rules_mp` (tanh-sinh vs Gauss-Legendre,
    split at 0 and +-1). Always ``<= log 2``."""
    _check_sigma(float(sigma), 1.0)
    with mp.workdps(dps + 10):
        sig = mp.mpf(sigma)

        def neg_plogp(y: mp.mpf) -> mp.mpf:
            a = -((y - 1) / sig) ** 2 / 2
            b = -((y + 1) / sig) ** 2 / 2
            top = max(a, b)
            logp = top + mp.log((mp.exp(a - top) + mp.exp(b - top)) / 2) - mp.log(
                sig * mp.sqrt(2 * mp.pi))
            return -mp.exp(logp) * logp

        pts = [0, 1, 1 + 12 * sig, mp.inf]
        vals = [2 * v for v in integrate_two_rules_mp(neg_plogp, pts)]
        cond = mp.log(2 * mp.pi * mp.e * sig * sig) / 2
        value = vals[0] - cond
        err = abs(vals[0] - vals[1]) + mp.mpf(10) ** (-(dps + 5))
    return Estimate(value, err, "tanh-sinh vs gauss-legendre (integrate_two_rules_mp)")


def gaussian_mi_binary(sigma: float | mp.mpf, *, dps: int = 30) -> mp.mpf:
    """``I_N`` for ``Z = +-1``, ``Y = Z + sigma n``: ``Var Z = Cov(Z,Y) = 1``,
    ``Var Y = 1 + sigma^2``, so ``I_N = 1/2 log(1 + 1/sigma^2)`` (exact)."""
    with mp.workdps(dps + 10):
        sig = mp.mpf(sigma)
        return mp.log1p(1 / (sig * sig)) / 2


def _entropy_2d(u: Array, w: Array, z: Array, rho: float, sigma: float, rule: _Rule) -> float:
    """``h(Y)`` for ``Y_i = psi(Z_i) + sigma n_i`` with ``(Z_1, Z_2)`` standard bivariate normal
    of correlation ``rho``: ``p = A K A^T`` on a tensor y-grid (separable kernel)."""
    lo, hi = float(u.min()) - KERNEL_CUT * sigma, float(u.max()) + KERNEL_CUT * sigma
    n_panels = max(4, math.ceil((hi - lo) / (rule.dy * sigma)))
    y, wy = panel_nodes(np.linspace(lo, hi, n_panels + 1), rule.k)
    if y.size * z.size > 4e7:
        raise TheoryCheckError(f"2-D quadrature too large ({y.size} x {z.size})",
                               status=Status.TOO_LARGE)
    one_m = 1.0 - rho * rho
    # w already contains the 1-D N(0,1) density; K_ij = w_i w_j * phi_rho(zi,zj)/(phi(zi)phi(zj))
    quad = (z[:, None] ** 2 - 2 * rho * z[:, None] * z[None, :] + z[None, :] ** 2) / one_m
    ratio = np.exp(-0.5 * quad + 0.5 * (z[:, None] ** 2 + z[None, :] ** 2)) / math.sqrt(one_m)
    kmat = w[:, None] * ratio * w[None, :]
    d = (y[:, None] - u[None, :]) / sigma
    a = np.exp(-0.5 * d * d) / (sigma * math.sqrt(2 * math.pi))
    p = a @ kmat @ a.T
    weights = wy[:, None] * wy[None, :]
    pos = p > 0
    return float(-np.sum(weights[pos] * p[pos] * np.log(p[pos])))


def true_mi_channel_2d(psi: NumpyFn, sigma: float, rho: float, *, scale: float = 1.0,
                       kinks: Sequence[float] = (), z_max: float = 7.5) -> Estimate:
    """``I(Z; Y)`` for ``Z ~ N(0, scale^2 [[1, rho], [rho, 1]])``, ``Y_i = psi(Z_i) + sigma n_i``:
    ``h(Y) - log(2 pi e sigma^2)``; tensor quadrature, two rules (seed 000, Eq. (34), n = 2)."""
    _check_sigma(sigma, scale)
    if not abs(rho) < 1:
        raise TheoryCheckError(f"|rho| must be < 1, got {rho}", status=Status.INVALID_ARGUMENT)
    values = []
    for rule in (COARSE, FINE):
        z, w, u = _z_rule(psi, scale, sigma, kinks, rule, z_max)
        values.append(_entropy_2d(u, w, z, rho, sigma, rule)
                      - math.log(2 * math.pi * math.e * sigma * sigma))
    tail = 2 * math.erfc(z_max / math.sqrt(2.0)) * (1.0 + z_max * z_max)
    err = abs(values[1] - values[0]) + tail + 1e-12 * max(1.0, abs(values[1]))
    return Estimate(mp.mpf(values[1]), mp.mpf(err), "two tensor Gauss-Legendre rules")


def channel_covariance_2d(psi: NumpyFn, sigma: float, rho: float, *, scale: float = 1.0,
                          kinks: Sequence[float] = (), z_max: float = 7.5) -> Array:
    """The 4x4 covariance of ``(Z_1, Z_2, Y_1, Y_2)`` for :func:`true_mi_channel_2d` (refined rule,
    float64): ``Cov(Z_i, Y_j) = Cov(Z_i, Z_j) E[Z psi(sZ)] / s`` (Gaussian regression),
    ``Cov(Y_1, Y_2)`` by the bivariate tensor rule."""
    _check_sigma(sigma, scale)
    z, w, u = _z_rule(psi, scale, sigma, kinks, FINE, z_max)
    mean = float(np.sum(w * u))
    second = float(np.sum(w * u * u))
    cross = float(np.sum(w * z * u))   # E[Z psi(sZ)], Z standard
    one_m = 1.0 - rho * rho
    quad = (z[:, None] ** 2 - 2 * rho * z[:, None] * z[None, :] + z[None, :] ** 2) / one_m
    ratio = np.exp(-0.5 * quad + 0.5 * (z[:, None] ** 2 + z[None, :] ** 2)) / math.sqrt(one_m)
    e12 = float((w * u) @ ratio @ (w * u))
    rz = scale * scale * np.array([[1.0, rho], [rho, 1.0]])
    czy = scale * cross * np.array([[1.0, rho], [rho, 1.0]])
    var_y = second - mean * mean + sigma * sigma
    cyy = np.array([[var_y, e12 - mean * mean], [e12 - mean * mean, var_y]])
    return np.block([[rz, czy], [czy.T, cyy]])
