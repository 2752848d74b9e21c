"""Normalised Hermite coefficients and the Mehler series of E f(u1) g(u2) (float64, whole grids).

With psi_k = He_k / sqrt(k!) (orthonormal under N(0, 1)) and beta_k(q) = E[f(sqrt(q) z) psi_k(z)],
Mehler's formula gives, for (u1, u2) of variances q1, q2 and correlation c,

.. math:: E f(u_1) g(u_2) = \\sum_{k \\ge 0} \\beta_k(q_1)\\, \\gamma_k(q_2)\\, c^k

(seed 002, Eq. (5) in this form).  The coefficients are computed once per q, so every c at that
q costs one Horner evaluation.  The truncation after K terms is bounded by Cauchy-Schwarz and
Parseval (sum_k beta_k^2 = E f^2):

.. math:: |R_K(c)| \\le |c|^K \\sqrt{T_f T_g}, \\quad T_f = E f^2 - \\sum_{k<K} \\beta_k^2 ,

so the series is used where |c|^K sqrt(T_f T_g) is below the requested tolerance (|c| <= ~0.95
for relu at K = 1024; nearly up to 1 for smooth activations at moderate q) and the product rule
of :mod:`~theorycheck.gaussian.grid2_panels` elsewhere.  Coefficients: composite Gauss-Legendre on
|z| <= 14 in panels of width 1/2 (psi_k phi is bounded by sqrt(phi), so 14 suffices for any k;
the panels resolve psi_k's oscillation, wavelength 2 pi / sqrt(2k)), split at f's kinks and graded
around x = 0 as in the product rule; error: ``n`` against ``n - 8`` points per panel.
Cost: about K x 2000 multiply-adds per q; the series K per (q, c) pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.gaussian.grid2_panels import W0, compress
from theorycheck.gaussian.grid2_panels import _graded as graded
from theorycheck.gaussian.grid2_panels import _nodes as gauss_nodes

Func = Callable[[np.ndarray], np.ndarray]

L_HERMITE = 14.0
PANEL = 0.5
_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class HermiteTable:
    """beta_k(q) for k < K at each s = sqrt(q): ``coef`` (len(s), K), ``coef_err`` likewise,
    ``norm2`` = E f^2 (len(s),) and ``tail`` = max(E f^2 - sum beta_k^2, 0) plus its
    rounding (the T_f of the module docstring)."""

    coef: np.ndarray
    coef_err: np.ndarray
    norm2: np.ndarray
    tail: np.ndarray


def _coefficients(f: Func, kinks: np.ndarray, s: np.ndarray, K: int, n: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    L = L_HERMITE
    base = np.linspace(-L, L, round(2 * L / PANEL) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(s > 0, 1.0 / s, np.inf)
        pts = [np.broadcast_to(base, (s.size, base.size)),
               graded(np.zeros(s.size), np.minimum(W0 * inv, 4 * L), L)]
        if kinks.size:
            pts.append(kinks[None, :] * inv[:, None])
        e = compress(np.concatenate(pts, axis=1), L)
    z, w = gauss_nodes(e, n)
    fw = f(s[:, None] * z) * w
    coef = np.empty((s.size, K))
    p0, p1 = np.ones_like(z), z.copy()
    coef[:, 0] = fw.sum(axis=1)
    for k in range(1, K):
        coef[:, k] = np.einsum("ij,ij->i", fw, p1)
        p0, p1 = p1, (z * p1 - math.sqrt(k) * p0) / math.sqrt(k + 1)
    norm2 = np.einsum("ij,ij->i", fw, f(s[:, None] * z))
    return coef, norm2


def hermite_table(f: Func, kinks: np.ndarray, s: np.ndarray, K: int, n: int = 32
                  ) -> HermiteTable:
    """The normalised Hermite coefficients of f(s z) for each s (see the module docstring)."""
    fine, n2 = _coefficients(f, kinks, s, K, n)
    coarse, n2c = _coefficients(f, kinks, s, K, n - 8)
    err = np.abs(fine - coarse) + 2 * _EPS * np.sqrt(np.abs(n2))[:, None]
    partial = np.sum(fine * fine, axis=1)
    n2_err = np.abs(n2 - n2c) + 8 * _EPS * np.abs(n2)
    tail = np.maximum(n2 - partial, 0.0) + n2_err + 2 * np.sum(np.abs(fine) * err, axis=1) \
        + 4 * K * _EPS * np.abs(n2)
    return HermiteTable(fine, err, n2, tail)


def mehler_sum(tf: HermiteTable, tg: HermiteTable, i: np.ndarray, j: np.ndarray,
               c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sum_k beta_k gamma_k c^k for rows i of ``tf`` and j of ``tg`` (one per pair), with the
    error bound |c|^K sqrt(T_f T_g) + coefficient errors + rounding: (values, errors).

    Pairs sharing (i, j) share one coefficient vector; one Horner pass runs over all pairs at
    once (each step gathers its group's coefficient), cut after the last term whose
    |a_k| + da_k exceeds 1e-20 sum |a_k| in any group (the dropped terms' sum is added to the
    error), with Higham's running error bound for the rounding.
    """
    K = tf.coef.shape[1]
    groups, inverse = np.unique(np.stack([i, j]), axis=1, return_inverse=True)
    inverse = inverse.reshape(-1)
    gi, gj = groups
    a = tf.coef[gi] * tg.coef[gj]                                      # (groups, K)
    da = np.abs(tf.coef[gi]) * tg.coef_err[gj] + tf.coef_err[gi] * np.abs(tg.coef[gj])
    size = np.abs(a) + da
    big = size > 1e-20 * np.maximum(np.sum(np.abs(a), axis=1, keepdims=True), 1e-300)
    k_eff = int(np.max(np.nonzero(big)[1])) + 1 if np.any(big) else 1
    dropped = np.sum(size[:, k_eff:], axis=1)[inverse]
    at, dat = np.ascontiguousarray(a[:, :k_eff].T), np.ascontiguousarray(da[:, :k_eff].T)
    ac = np.abs(c)
    v = np.zeros(c.size)
    mu = np.zeros(c.size)          # Higham's running error bound of Horner's rule
    dv = np.zeros(c.size)
    for k in range(k_eff - 1, -1, -1):
        v *= c
        v += at[k][inverse]
        mu *= ac
        mu += np.abs(v)
        dv *= ac
        dv += dat[k][inverse]
    trunc = ac ** K * np.sqrt(tf.tail[i] * tg.tail[j])
    return v, trunc + dv + dropped + _EPS * (2 * mu - np.abs(v))
