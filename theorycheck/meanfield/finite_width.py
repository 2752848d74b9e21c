"""Infinite-width predictions the simulations are compared with, and their 1/N corrections.

Everything here is float64 numpy quadrature (torch-free), accurate to ~1e-12 relative for the
1-D integrals (:func:`theorycheck.gaussian.rules.gexp`: split Gauss-Legendre on |z| <= 12 with
splits at the activation's kinks; error estimated by comparing 120- and 240-node rules) and
~1e-7 for the 2-D correlation map (:func:`theorycheck.gaussian.rules.hermite_tensor2`, two rules
compared). These accuracies are far below any simulation's statistical resolution; the error
estimates are still added to the tolerances. :class:`theorycheck.meanfield.MeanField` is the
high-precision reference; this module exists so the simulations do not depend on its precision
and so the 1/N recursions (not part of the mean-field contract) have a home.

Notation: ``E_q[f] = Int f(sqrt(q) z) Dz``; the variance map (seed 000, Eq. (9) corrected;
seed 002, Eq. (3)) is ``V(q) = sw2 E_{q + noise2}[psi^2] + sb2`` (``noise2``: the variance of
the pre-activation noise of seed 001, added to the argument's variance).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np
from scipy.optimize import brentq

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import gexp, hermite_tensor2

NpFn = Callable[[np.ndarray], np.ndarray]


class NumpyActivation(Protocol):
    """What the recursions read of an activation: psi, psi' (vectorised float64) and kinks."""

    @property
    def np0(self) -> NpFn: ...
    @property
    def np1(self) -> NpFn: ...
    @property
    def kinks(self) -> tuple[float, ...]: ...


class MapTheory:
    """Variance/correlation maps, fixed point, mu_k and 1/N recursions for one activation.

    ``act``: psi = ``act.np0``, psi' = ``act.np1``, kinks ``act.kinks`` (e.g. a
    ``simulate.theory.ActFns``); ``sw2``, ``sb2``: weight and bias variances; ``noise2``: the
    pre-activation noise variance (seed 001), 0 for a noiseless network.  ``quad_error`` holds
    the largest quadrature error estimate met so far.
    """

    def __init__(self, act: NumpyActivation, sw2: float, sb2: float, noise2: float = 0.0) -> None:
        self.act, self.sw2, self.sb2, self.noise2 = act, sw2, sb2, noise2
        self.quad_error = 0.0

    def _e(self, g: Callable[[np.ndarray, np.ndarray], np.ndarray], q: float) -> float:
        val, err = gexp(g, q + self.noise2, self.act.kinks)
        self.quad_error = max(self.quad_error, err)
        return val

    def moment(self, k: int, q: float) -> float:
        """``E_q[psi^k]`` (noise included in the argument's variance)."""
        f = self.act.np0
        return self._e(lambda u, z: f(u) ** k, q)

    def vmap(self, q: float) -> float:
        """``V(q) = sw2 E_q[psi^2] + sb2``."""
        return self.sw2 * self.moment(2, q) + self.sb2

    def dvmap(self, q: float) -> tuple[float, float]:
        """``(V'(q), V''(q))`` by the Gaussian score identities
        ``d/dq E g = E[g (z^2-1)]/(2q)``, ``d2/dq2 E g = E[g (z^4-6z^2+3)]/(4q^2)``.

        At q + noise2 = 0 (q* = 0 at sb2 = 0) the identities are 0/0; both derivatives are
        continuous there, so they are taken at q = 1e-10 (relative change of V' ~ 1e-10).
        """
        if q + self.noise2 < 1e-10:
            q = 1e-10 - self.noise2
        qq = q + self.noise2
        f = self.act.np0
        d1 = self._e(lambda u, z: f(u) ** 2 * (z * z - 1.0), q) / (2 * qq)
        d2 = self._e(lambda u, z: f(u) ** 2 * (z**4 - 6 * z * z + 3.0), q) / (4 * qq * qq)
        return self.sw2 * d1, self.sw2 * d2

    def q_layers(self, q0: float, depth: int) -> np.ndarray:
        """``[q^1, ..., q^L]`` from ``q^0 = q0`` by the variance map."""
        out, q = [], q0
        for _ in range(depth):
            q = self.vmap(q)
            out.append(q)
        return np.array(out)

    def q_star(self, q0: float = 1.0, tol: float = 1e-13, max_iter: int = 4000) -> float:
        """Stable fixed point of V reached by iterating from ``q0``, polished by a root solve.

        Where ``V(0) = 0`` and the iterates decay to 0 (e.g. tanh at sw2 <= 1, sb2 = 0: the
        decay is algebraic, ~1/(2l)), the fixed point is q* = 0.
        """
        q = q0
        for _ in range(max_iter):
            qn = self.vmap(q)
            if not math.isfinite(qn) or qn > 1e12:
                raise TheoryCheckError(f"the variance map diverges for sw2={self.sw2}, "
                                       f"sb2={self.sb2}: no finite fixed point",
                                       status=Status.NO_FINITE_FIXED_POINT)
            if abs(qn - q) <= tol * max(1.0, q):
                return qn
            q = qn
        f = lambda t: self.vmap(t) - t  # noqa: E731
        if abs(self.vmap(0.0)) < 1e-300 and self.vmap(q) < q:
            lo = q * 1e-6
            if f(lo) < 0:  # still contracting near 0: the iterates go to q* = 0
                return 0.0
            return float(brentq(f, lo, q, xtol=1e-15, rtol=1e-13))
        lo, hi = 0.5 * q, 2.0 * q
        if f(lo) * f(hi) < 0:
            return float(brentq(f, lo, hi, xtol=1e-15, rtol=1e-13))
        raise TheoryCheckError("variance map did not converge to a fixed point",
                               status=Status.NO_FINITE_FIXED_POINT)

    def mu(self, k: int, q: float) -> float:
        """``mu_k = Int psi'(sqrt(q) z)^(2k) Dz`` (seed 000, after Eq. (65))."""
        f1 = self.act.np1
        return self._e(lambda u, z: f1(u) ** (2 * k), q)

    def chi1(self, q: float) -> float:
        """``chi1 = sw2 mu_1`` (seed 000, Eq. (17); seed 002, Eq. (12))."""
        return self.sw2 * self.mu(1, q)

    # ---------------------------------------------------------------- correlation map
    def cov2(self, qa: float, qb: float, c: float, n: int = 160) -> float:
        """``sw2 E psi(u_a) psi(u_b) + sb2``, (u_a, u_b) Gaussian with variances qa, qb and
        correlation c (seed 000, Eq. (14); seed 002, Eqs. (5)-(7)); tensor Gauss-Hermite
        (:func:`hermite_tensor2`) at n/2 and n points per axis, the difference recorded."""
        qa_, qb_ = qa + self.noise2, qb + self.noise2
        cc = c * math.sqrt(qa * qb) / math.sqrt(qa_ * qb_) if qa_ * qb_ > 0 else 0.0
        cc = max(-1.0, min(1.0, cc))
        f = self.act.np0
        vals = [hermite_tensor2(f, f, qa_, qb_, cc, m) for m in (n // 2, n)]
        self.quad_error = max(self.quad_error, self.sw2 * abs(vals[1] - vals[0]))
        return self.sw2 * vals[1] + self.sb2

    def c_layers(self, q0: float, c0: float, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """``([c^1..c^L], [q^1..q^L])`` for two inputs of variance q0 and correlation c0."""
        q, c = q0, c0
        cs, qs = [], []
        for _ in range(depth):
            qab = self.cov2(q, q, c)
            q = self.vmap(q)
            c = max(-1.0, min(1.0, qab / q))
            cs.append(c)
            qs.append(q)
        return np.array(cs), np.array(qs)

    def c_slope(self, q: float, c: float, h: float = 1e-4) -> float:
        """Numerical slope of the correlation map at (q, c) (one-sided near c = +-1)."""
        lo, hi = max(-1.0, c - h), min(1.0, c + h)
        vq = self.vmap(q)
        return (self.cov2(q, q, hi) - self.cov2(q, q, lo)) / (vq * (hi - lo))

    # ---------------------------------------------------------------- 1/N recursions
    def variance_bias(self, q0: float, depth: int, width: int,
                      input_fluct: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Leading 1/N mean shift ``delta_l`` and variance ``v_l`` of the layer variance G^(l).

        Exactly, for Gaussian weights, ``x^(l) | x^(l-1) ~ N(0, G^(l) I)`` with
        ``G^(l) = sb2 + (sw2/N) sum_j psi(x_j^(l-1) + n_j)^2``; hence
        ``E[G^(l+1) | G^(l)] = V(G^(l))`` and
        ``Var[G^(l+1) | G^(l)] = (sw2^2/N) (E_G[psi^4] - E_G[psi^2]^2)``. Expanding V to second
        order about the mean-field q^l gives, to O(1/N),
        ``delta_{l+1} = V'(q^l) delta_l + V''(q^l) v_l / 2`` and
        ``v_{l+1} = V'(q^l)^2 v_l + (sw2^2/N)(E_{q^l}[psi^4] - E_{q^l}[psi^2]^2)``,
        starting from ``delta_1 = 0`` and ``v_1 = input_fluct`` (the layer-1 fluctuation coming
        from the finite input, ``sw2^2 Var(psi(x0)^2)/N0`` for i.i.d. Gaussian inputs).
        Returns arrays over layers 1..L.
        """
        q = q0
        qs = []
        for _ in range(depth):
            q = self.vmap(q)
            qs.append(q)
        delta = np.zeros(depth)
        var = np.zeros(depth)
        var[0] = input_fluct
        for i in range(1, depth):
            d1, d2 = self.dvmap(qs[i - 1])
            m2, m4 = self.moment(2, qs[i - 1]), self.moment(4, qs[i - 1])
            delta[i] = d1 * delta[i - 1] + 0.5 * d2 * var[i - 1]
            var[i] = d1 * d1 * var[i - 1] + self.sw2**2 * (m4 - m2 * m2) / width
        return delta, var

    def kurtosis_leading(self, q1: float, depth: int, width: int) -> float:
        """Leading-order excess kurtosis ``3 v_L / (q^L)^2`` of one preactivation at layer L
        for a fixed input whose layer-1 variance is q1 (see ``simulate.kurtosis`` docstring)."""
        q, v = q1, 0.0
        for _ in range(1, depth):
            d1, _ = self.dvmap(q)
            m2, m4 = self.moment(2, q), self.moment(4, q)
            v = d1 * d1 * v + self.sw2**2 * (m4 - m2 * m2) / width
            q = self.vmap(q)
        return 3.0 * v / (q * q)


__all__ = ["MapTheory", "NumpyActivation"]
