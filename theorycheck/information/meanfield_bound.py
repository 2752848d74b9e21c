"""Mean-field Gaussian lower bound on I(X; x^l) for noisy networks -- seed 001, reconstructed.

Seed 001 ("Mutual information of neural network initialisations: mean field approximations")
lost every equation in extraction; its prose survives. This module is our reconstruction of
Secs. II-III (Eqs. (5), (11)-(23), Prop. 2). What was reconstructed, and from which prose:

Model (Eq. (5), lost). "a Gaussian noise variable that we add before the activation function"
(Sec. II); we use the placement of :mod:`theorycheck.simulate.networks`::

    x^l = W^l phi(x^(l-1) + n^(l-1)) + b^l,   n^(l-1) ~ N(0, noise2 I),   x^0 = X ~ N(0, q0 I),

``W_ij ~ N(0, sw2/N)``, ``b_i ~ N(0, sb2)``. The MI is conditional on (W, b) (Eq. (5): "by
conditioning on a realisation of the random weights"), so the biases shift means but add no
variance over (X, n).

Gaussian lower bound (Eqs. (6), (10)-(13), lost; Prop. 1 survives in words). With
``S_h = Cov(x^l)`` and ``S_hX = Cov(x^l, X)``, ``S_X = q0 I``::

    I(X; x^l | W) >= 1/2 log det S_h - 1/2 log det(S_h - S_hX S_X^-1 S_Xh)      (11)

(the Schur / block-determinant form "(10) [14]"), and (12)-(13) average both terms over W.

Mean-field approximation (Sec. III-A: "we model the factors ... by their expectation over the
weights W"): both matrices are replaced by their W-expectations, which are multiples of the
identity. We derive them under the usual mean-field hypothesis that each preactivation is
Gaussian over (X, n) given the weights, with a neuron-dependent mean:

* variance map (Eqs. (15)-(16), lost; "q^l corresponds to the variance of the hidden layer
  signal ... the limiting value for large depth, denoted q* in [1]")::

      q^l = sw2 E phi(u)^2 + sb2,        u ~ N(0, q^(l-1) + noise2),  q^0 = q0;

* the covariance of two *independent* inputs (needed because, conditional on W, the neuron
  means m_i = E_{X,n} x_i^l vary over neurons with variance q12; this is the correlation
  recursion the prose of Eqs. (17)-(20) describes)::

      q12^l = sw2 E phi(u1) phi(u2) + sb2,   (u1, u2) ~ N(0, [[q+s, q12], [q12, q+s]]),  s = noise2,

  with q12^0 = 0, so ``E_W S_h = v^l I`` with ``v^l = q^l - q12^l`` (Eq. (14) as reconstructed);
* the input-hidden cross covariance (Eqs. (17)-(22): "the expected covariance matrix is diagonal
  with values ..."). Stein's lemma (exact for Gaussian X) gives ``S_hX = q0 E[J]`` with J the
  input-output Jacobian; under the mean-field hypothesis its W-expectation gives::

      E_W (S_hX S_X^-1 S_Xh) = g^l I,   g^l = sw2 E[phi'(u1) phi'(u2)] g^(l-1),   g^0 = q0.

Prop. 2 (Eq. (23), lost) then reads, per neuron of a width-N layer (the bound is N times it)::

    I_MF^l / N = 1/2 log v^l - 1/2 log(v^l - g^l).

``form="uncentered"`` is the literal reading of the prose of Eq. (14) (``q^l`` itself, Poole et
al.'s second moment, in place of ``v^l``); it coincides with the centered form when phi is odd
and sb2 = 0 (then q12 = 0 at every layer) and otherwise overstates the hidden variance by q12.
Gaussian-Poincare (Hermite) gives ``v^l - g^l >= noise2 * sw2 E[phi'(u1)phi'(u2)] > 0``, so the
bound is finite for noise2 > 0.

Numerics: tensor Gauss-Hermite quadrature (probabilists':
:func:`theorycheck.gaussian.rules.univariate` and :func:`~theorycheck.gaussian.rules.bivariate`),
vectorised over many (q, q12); error estimate = difference between an ``nodes``-point and an
``nodes - 24``-point rule, carried through the whole recursion. Accurate for smooth activations
(tanh: ~1e-12 at q <= 1, ~1e-6 at q ~ 3: the poles of tanh at +-i pi/2 slow Gauss-Hermite down);
slow convergence for kinked ones (relu): the error estimate then says so. Cost O(nodes^2) per
layer and per parameter point. The noisy variance map's fixed point, EOC and large-depth rate
are in :mod:`theorycheck.meanfield.noisy`. Torch-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import DEFAULT_NODES, NpFn, bivariate, univariate
from theorycheck.meanfield.noisy import (  # re-export: moved (limit_rate, noisy_*)
    limit_rate,
    noisy_chi1,
    noisy_eoc_sw2,
    noisy_q_star,
    numpy_pair,
)

Array = NDArray[np.float64]
Form = Literal["centered", "uncentered"]
ArrayLikeF = float | Array

_COARSE_DROP = 24


@dataclass
class BoundTrace:
    """Layer-by-layer mean-field quantities, arrays indexed by layer 0..depth (last axis).

    ``per_neuron`` is 1/2 log(v/(v-g)) (nats per neuron of the layer; layer 0 is +inf and is
    stored as NaN); ``*_err`` are two-rule differences.
    """

    q: Array
    q12: Array
    g: Array
    per_neuron: Array
    per_neuron_err: Array
    form: str

    @property
    def v(self) -> Array:
        return self.q - self.q12


def _recursion(phi: NpFn, dphi: NpFn, sw2: Array, sb2: Array, noise2: float, q0: Array,
               depth: int, nodes: int, form: Form) -> tuple[Array, Array, Array, Array]:
    shape = sw2.shape
    q = np.empty((*shape, depth + 1))
    q12 = np.empty_like(q)
    g = np.empty_like(q)
    q[..., 0], q12[..., 0], g[..., 0] = q0, 0.0, q0
    for layer in range(1, depth + 1):
        var = q[..., layer - 1] + noise2
        cov = q12[..., layer - 1]
        e_pp = univariate(lambda x: phi(x) ** 2, var, nodes)
        e_p1p2 = bivariate(phi, phi, var, cov, nodes)
        e_d1d2 = bivariate(dphi, dphi, var, cov, nodes)
        q[..., layer] = sw2 * e_pp + sb2
        q12[..., layer] = sw2 * e_p1p2 + sb2
        g[..., layer] = sw2 * e_d1d2 * g[..., layer - 1]
    hid = q if form == "uncentered" else q - q12
    with np.errstate(divide="ignore", invalid="ignore"):
        per = 0.5 * (np.log(hid) - np.log(hid - g))
    per[..., 0] = np.nan
    return q, q12, g, per


def mf_bound_trace(act: Any, sw2: ArrayLikeF, sb2: ArrayLikeF, *, noise2: float,
                   q0: ArrayLikeF = 1.0, depth: int, nodes: int = DEFAULT_NODES,
                   form: Form = "centered") -> BoundTrace:
    """The reconstructed seed-001 mean-field bound (Prop. 2) at every layer 1..depth.

    ``act``: an Activation (phi = ``numpy(0)``, phi' = ``numpy(1)``); ``sw2``, ``sb2``, ``q0``
    broadcast together (grids allowed); ``noise2`` = sigma_n^2 > 0 (the pre-activation noise);
    ``form``: ``centered`` (derived, default) or ``uncentered`` (literal Eq. (14) reading).
    Returns per-neuron nats; multiply by the width for the layer's bound.
    """
    if not (math.isfinite(noise2) and noise2 > 0):
        raise TheoryCheckError("the seed-001 bound needs noise2 > 0 (without noise the MI of "
                               "the deterministic map is infinite)", status=Status.INVALID_ARGUMENT)
    if depth < 1:
        raise TheoryCheckError("depth must be >= 1", status=Status.INVALID_ARGUMENT)
    if form not in ("centered", "uncentered"):
        raise TheoryCheckError(f"unknown form {form!r}", status=Status.INVALID_ARGUMENT)
    phi, dphi = numpy_pair(act)
    s, b, q0a = (np.asarray(x, float) for x in np.broadcast_arrays(sw2, sb2, q0))
    if np.any(s <= 0) or np.any(b < 0) or np.any(q0a <= 0):
        raise TheoryCheckError("need sw2 > 0, sb2 >= 0, q0 > 0", status=Status.INVALID_ARGUMENT)
    fine = _recursion(phi, dphi, s, b, noise2, q0a, depth, nodes, form)
    coarse = _recursion(phi, dphi, s, b, noise2, q0a, depth, nodes - _COARSE_DROP, form)
    err = np.abs(fine[3] - coarse[3])
    if not np.all(np.isfinite(fine[3][..., 1:])):
        raise TheoryCheckError("mean-field bound not finite (v <= g): quadrature failed",
                               status=Status.NOT_FINITE)
    return BoundTrace(q=fine[0], q12=fine[1], g=fine[2], per_neuron=fine[3],
                      per_neuron_err=err, form=form)


__all__ = ["DEFAULT_NODES", "BoundTrace", "bivariate", "limit_rate", "mf_bound_trace",
           "noisy_chi1", "noisy_eoc_sw2", "noisy_q_star", "univariate"]
