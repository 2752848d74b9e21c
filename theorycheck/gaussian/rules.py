"""Fixed float64 node sets and the small Gaussian expectations built directly on them.

* :func:`legendre_nodes`, :func:`hermite_nodes` -- cached Gauss-Legendre nodes on [-1, 1] and
  probabilists' Gauss-Hermite nodes with the N(0, 1) density folded into the weights
* :func:`panel_nodes`, :func:`normal_weights` -- composite Gauss-Legendre on given panels, and
  the N(0, 1) density applied to its weights
* :func:`gexp` -- E g(sqrt(q) z, z) on |z| <= 12 split at kinks, 120- vs 240-node rules
* :func:`univariate`, :func:`bivariate` -- Gauss-Hermite E f(sqrt(v) z) and E f(u1) g(u2),
  vectorised over the (co)variances (the seed-001 recursion's rule)
* :func:`hermite_tensor2` -- one tensor Gauss-Hermite E f(ua) g(ub) at (qa, qb, c)

All are plain numpy: no error control beyond what each docstring states.  The vectorised grid
engine with error estimates is :class:`theorycheck.gaussian.GridEngine`; the mpmath references
are in :mod:`theorycheck.gaussian.mp` and :mod:`theorycheck.gaussian.mp_rules`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
NpFn = Callable[[np.ndarray], np.ndarray]

Z_MAX = 12.0        # |z| range of :func:`gexp`; the N(0, 1) mass outside is 2e-33
DEFAULT_NODES = 96  # Gauss-Hermite points of :func:`univariate` / :func:`bivariate`


@lru_cache(maxsize=16)
def legendre_nodes(n: int) -> tuple[Array, Array]:
    """Gauss-Legendre nodes x_i and weights w_i on [-1, 1]: sum w_i f(x_i) ~ int_{-1}^1 f.

    Exact for polynomials of degree < 2n (numpy ``leggauss``); cached, so callers must not
    modify the arrays.  Cost: O(n^2) once per n.
    """
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


@lru_cache(maxsize=16)
def hermite_nodes(n: int) -> tuple[Array, Array]:
    """Probabilists' Gauss-Hermite nodes z_i and weights w_i with sum w_i f(z_i) ~ E f(z).

    .. math:: \\sum_i w_i f(z_i) \\approx \\int f(z)\\, e^{-z^2/2} dz / \\sqrt{2\\pi}

    numpy ``hermegauss`` weights divided by sqrt(2 pi); exact for polynomials of degree < 2n,
    slow (algebraic) convergence for kinked f.  Cached: callers must not modify the arrays.
    """
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / math.sqrt(2.0 * math.pi)


def panel_nodes(edges: np.ndarray, n: int) -> tuple[Array, Array]:
    """Composite Gauss-Legendre nodes and weights on the panels between consecutive edges.

    ``edges``: (..., m + 1) panel boundaries (sorted along the last axis); ``n``: points per
    panel.  Returns (nodes, weights), each (..., m * n), panel-major: node
    (a+b)/2 + (b-a)/2 x_i and weight (b-a)/2 w_i on panel [a, b].  Exact for piecewise
    polynomials of degree < 2n on the panels.
    """
    x, w = legendre_nodes(n)
    lo, hi = edges[..., :-1], edges[..., 1:]
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    z = mid[..., None] + half[..., None] * x
    wt = half[..., None] * w
    lead = edges.shape[:-1]
    return z.reshape(*lead, -1), wt.reshape(*lead, -1)


def normal_weights(z: Array, w: Array) -> Array:
    """Quadrature weights w_i in z turned into weights for E f(z), z ~ N(0, 1).

    .. math:: w_i\\, e^{-z_i^2/2} / \\sqrt{2\\pi}
    """
    return w * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _split_nodes(q: float, kinks: tuple[float, ...], n: int) -> tuple[Array, Array]:
    """z-nodes and weights (Gaussian density included) for ``E f(sqrt(q) z)``."""
    s = math.sqrt(q)
    cuts = sorted({-Z_MAX, Z_MAX, *(k / s for k in kinks if abs(k / s) < Z_MAX)})
    z, w = panel_nodes(np.array(cuts), n)
    return z, normal_weights(z, w)


def gexp(g: Callable[[np.ndarray, np.ndarray], np.ndarray], q: float,
         kinks: tuple[float, ...] = ()) -> tuple[float, float]:
    """``(E g(sqrt(q) z, z), error)`` over z ~ N(0,1); error from 120- vs 240-node rules.

    .. math:: \\int g(\\sqrt{q} z, z)\\, \\mathcal{D}z

    ``g(u, z)``: vectorised in both arguments; ``q``: the variance (q <= 0 gives g(0, 0));
    ``kinks``: points in u where g is not smooth (panel boundaries at z = k/sqrt(q)).
    Method: Gauss-Legendre on |z| <= 12 with one panel per kink interval.  Accuracy ~1e-12
    relative for the activations' moments (the 240-node value is returned); cost 360 g-evals.
    """
    if q <= 0:
        z0 = np.zeros(1)
        return float(g(z0, z0)[0]), 0.0
    vals = []
    for n in (120, 240):
        z, w = _split_nodes(q, kinks, n)
        vals.append(float(np.dot(w, g(math.sqrt(q) * z, z))))
    return vals[1], abs(vals[1] - vals[0])


def univariate(f: NpFn, var: Array | float, nodes: int = DEFAULT_NODES) -> Array:
    """E f(sqrt(var) z), z ~ N(0, 1): Gauss-Hermite, vectorised over var.

    ``f``: vectorised; ``var``: array of variances (the result has its shape); ``nodes``: rule
    size.  Accuracy: spectral for entire f (tanh: ~1e-12 at var <= 1), algebraic for kinked f.
    Cost: ``nodes`` evaluations per variance.
    """
    var_a = np.asarray(var, float)
    z, w = hermite_nodes(nodes)
    vals = f(np.sqrt(var_a.reshape(-1, 1)) * z[None, :]) @ w
    return vals.reshape(var_a.shape)


def bivariate(f: NpFn, g: NpFn, var: Array | float, cov: Array | float,
              nodes: int = DEFAULT_NODES) -> Array:
    """E f(u1) g(u2), (u1, u2) ~ N(0, [[var, cov], [cov, var]]), vectorised over var, cov.

    Tensor Gauss-Hermite with ``nodes**2`` points: u1 = sqrt(var) z1,
    u2 = (cov/sqrt(var)) z1 + sqrt(var - cov^2/var) z2 (cov clipped to [-var, var]).
    Accuracy as :func:`univariate`; cost ``nodes**2`` evaluations of f and g per pair.
    """
    var_a, cov_a = np.broadcast_arrays(np.asarray(var, float), np.asarray(cov, float))
    shape = var_a.shape
    v = var_a.reshape(-1, 1, 1)
    c = np.clip(cov_a.reshape(-1, 1, 1), -v, v)
    z, w = hermite_nodes(nodes)
    s = np.sqrt(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(s > 0, c / s, 0.0)
    b = np.sqrt(np.maximum(v - a * a, 0.0))
    u1 = s * z[None, :, None]
    u2 = a * z[None, :, None] + b * z[None, None, :]
    fw = f(u1) * w[None, :, None]
    gw = g(u2) * w[None, None, :]
    return np.sum(fw * gw, axis=(1, 2)).reshape(shape)


def hermite_tensor2(f: NpFn, g: NpFn, qa: float, qb: float, c: float, n: int) -> float:
    """E f(ua) g(ub) for (ua, ub) Gaussian, Var ua = qa, Var ub = qb, corr(ua, ub) = c.

    .. math:: \\int \\mathcal{D}z_1 \\mathcal{D}z_2\\, f(\\sqrt{q_a} z_1)\\,
              g(\\sqrt{q_b}(c z_1 + \\sqrt{1-c^2} z_2))

    (seed 000, Eq. (14); seed 002, Eqs. (5)-(7)).  One n x n tensor Gauss-Hermite rule (no
    error estimate: compare two n, as :class:`MapTheory.cov2` does); |c| <= 1 expected.
    Accuracy as :func:`univariate`; cost n^2 evaluations of f and g.
    """
    x, w = hermite_nodes(n)
    z1, z2 = np.meshgrid(x, x, indexing="ij")
    ww = np.outer(w, w)
    ua = math.sqrt(qa) * z1
    ub = math.sqrt(qb) * (c * z1 + math.sqrt(max(0.0, 1 - c * c)) * z2)
    return float(np.sum(ww * f(ua) * g(ub)))


__all__ = ["DEFAULT_NODES", "Z_MAX", "bivariate", "gexp", "hermite_nodes", "hermite_tensor2",
           "legendre_nodes", "normal_weights", "panel_nodes", "univariate"]
