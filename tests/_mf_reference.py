"""Independent mean-field references for the tests: scipy quad (1-D), plain numpy Gauss-Hermite
(2-D) and scipy brentq, no theorycheck code. Smooth activations only (tanh, sigmoid); the 2-D
expectations are accurate for q up to a few (tanh), the 1-D ones up to q of several hundred.

Conventions follow seed 000 Eq. (3) / seed 002 Eqs. (3)-(5): q = sw2 E phi(u)^2 + sb2 with
u ~ N(0, q + noise2) (noise2 = 0 without pre-activation noise), chi1 = sw2 E phi'(u)^2, and the
covariance of two inputs q12 = sw2 E phi(u1) phi(u2) + sb2 with (u1, u2) of variances q + noise2
and covariance q12.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

Fn = Callable[[np.ndarray], np.ndarray]

_Z, _W = np.polynomial.hermite_e.hermegauss(160)
_W = _W / math.sqrt(2 * math.pi)
_Z1, _Z2 = np.meshgrid(_Z, _Z, indexing="ij")
_W2 = np.outer(_W, _W)


def tanh(u: np.ndarray) -> np.ndarray:
    return np.tanh(u)


def dtanh(u: np.ndarray) -> np.ndarray:
    return 1.0 / np.cosh(u) ** 2


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def dsigmoid(u: np.ndarray) -> np.ndarray:
    return 0.25 / np.cosh(0.5 * u) ** 2


def expect(f: Fn, var: float) -> float:
    """E f(u), u ~ N(0, var), by adaptive quadrature (QUADPACK) in z = u / sqrt(var) on
    [-12, 12] (the rest weighs < 1e-32): accurate where phi' is sharply peaked (large q)."""
    s = math.sqrt(var)

    def integrand(z: float) -> float:
        return float(f(np.array(s * z))) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return float(quad(integrand, -12.0, 12.0, points=[0.0], epsabs=1e-15, epsrel=1e-13,
                      limit=400)[0])


def expect2(f: Fn, g: Fn, var: float, cov: float) -> float:
    """E f(u1) g(u2), (u1, u2) centred Gaussian with variances var and covariance cov."""
    c = max(-1.0, min(1.0, cov / var))
    s = math.sqrt(var)
    u1 = s * _Z1
    u2 = s * (c * _Z1 + math.sqrt(max(0.0, 1.0 - c * c)) * _Z2)
    return float(np.sum(_W2 * f(u1) * g(u2)))


def q_star(phi: Fn, sw2: float, sb2: float, noise2: float = 0.0, hi: float = 1e3) -> float:
    """The positive root of q = sw2 E phi(u)^2 + sb2 (brentq)."""
    return float(brentq(lambda q: sw2 * expect(lambda u: phi(u) ** 2, q + noise2) + sb2 - q,
                        1e-14, hi, xtol=1e-15, rtol=1e-14))


def chi1(dphi: Fn, sw2: float, q: float, noise2: float = 0.0) -> float:
    return sw2 * expect(lambda u: dphi(u) ** 2, q + noise2)


def eoc_sw2(phi: Fn, dphi: Fn, sb2: float, lo: float, hi: float, noise2: float = 0.0) -> float:
    """sw2 with chi1 = 1 at the fixed point q* (brentq on [lo, hi])."""
    def excess(sw2: float) -> float:
        return chi1(dphi, sw2, q_star(phi, sw2, sb2, noise2), noise2) - 1.0
    return float(brentq(excess, lo, hi, xtol=1e-13, rtol=1e-13))


def q12_star(phi: Fn, sw2: float, sb2: float, q: float, noise2: float = 0.0,
             start: float = 0.0, iters: int = 20000) -> float:
    """Fixed point of q12 -> sw2 E phi(u1) phi(u2) + sb2 reached by iteration from ``start``
    (the stable one below q for an odd phi in the chaotic phase, q itself when ordered)."""
    x = start
    for _ in range(iters):
        new = sw2 * expect2(phi, phi, q + noise2, x) + sb2
        if abs(new - x) < 1e-15:
            return new
        x = new
    return x


def xi_c(phi: Fn, dphi: Fn, sw2: float, sb2: float) -> float:
    """Correlation depth scale -1/log(sw2 E phi'(u1) phi'(u2)) at the stable c* (seed 002
    Eq. (10) as corrected by Schoenholz et al.): from c = 0 the iteration reaches c*."""
    q = q_star(phi, sw2, sb2)
    q12 = q12_star(phi, sw2, sb2, q, start=0.0)
    return -1.0 / math.log(sw2 * expect2(dphi, dphi, q, min(q12, q)))


def layer_one_bound(phi: Fn, dphi: Fn, q0: float, noise2: float) -> float:
    """Per-neuron Gaussian MI bound at layer 1 of the noisy model, 1/2 log(a/(a - b)) with
    a = Var phi(u), b = q0 (E phi'(u))^2, u ~ N(0, q0 + noise2); independent of sw2 and sb2."""
    var = q0 + noise2
    a = expect(lambda u: phi(u) ** 2, var) - expect(phi, var) ** 2
    b = q0 * expect(dphi, var) ** 2
    return 0.5 * math.log(a / (a - b))
