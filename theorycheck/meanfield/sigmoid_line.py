"""The critical line chi1 = 1 of the sigmoid phi(x) = 1/(1+e^-x) (seed 002, Theorem 1, Eqs.
(23)-(24)), parametrised by the fixed point q = q*:

    sw2(q) = 1 / B(q),  sb2(q) = q - sw2(q) A(q),  A = E phi(sqrt(q) z)^2,  B = E phi'(sqrt(q) z)^2.

* the sigmoid and its first three derivatives in mpmath, evaluated without cancellation, and the
  integrands of A, B and of their q-derivatives (Gaussian integration by parts:
  d/dq E f(sqrt(q) z) = E f''(sqrt(q) z) / 2);
* the sigmoid and Phi = phi'^2 as a polynomial in phi (Eq. (26)) in SymPy;
* the line, q*(sw2) and chi1(sw2) at sb2 = 0, the minimum of sw2 on {sb2 >= 0} and the fixed
  points of the variance map there, in float64 (grid engine);
* the minimum to any precision, two routes: Newton's method on the 2x2 system (23)-(24) in
  (q*, sw2) with tanh-sinh integrals, and a secant root of sb2(q) = 0 with Gauss-Legendre
  integrals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.optimize import brentq
from scipy.special import expit

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine, expect_mp, gauss_legendre_expect
from theorycheck.numbers import Estimate


# -- the sigmoid and its derivatives, evaluated without cancellation ---------------------------
def phi(x: mp.mpf) -> mp.mpf:
    """phi(x) = 1/(1+e^-x), written with e^x for x < 0 (no overflow, no cancellation)."""
    return 1 / (1 + mp.exp(-x)) if x >= 0 else mp.exp(x) / (1 + mp.exp(x))


def dphi(x: mp.mpf) -> mp.mpf:
    """phi' = phi(x) phi(-x)   (1 - phi(x) = phi(-x))."""
    return phi(x) * phi(-x)


def ddphi(x: mp.mpf) -> mp.mpf:
    """phi'' = phi' (1 - 2 phi)."""
    return dphi(x) * (phi(-x) - phi(x))


def dddphi(x: mp.mpf) -> mp.mpf:
    """phi''' = phi' (1 - 6 phi')."""
    d = dphi(x)
    return d * (1 - 6 * d)


# E[.] integrands: A = E phi^2, B = E phi'^2 and their q-derivatives (halves of E f'')
def phi_sq(u: mp.mpf) -> mp.mpf:
    """phi(u)^2, the integrand of A(q) = E phi(sqrt(q) z)^2 (Eq. (23))."""
    return phi(u) ** 2


def dphi_sq(u: mp.mpf) -> mp.mpf:
    """phi'(u)^2, the integrand of B(q) = E phi'(sqrt(q) z)^2 (Eq. (24))."""
    return dphi(u) ** 2


def dq_phi_sq(u: mp.mpf) -> mp.mpf:
    """(phi^2)''(u)/2 = phi'^2 + phi phi'': dA/dq = E of it at sqrt(q) z."""
    return dphi(u) ** 2 + phi(u) * ddphi(u)


def dq_dphi_sq(u: mp.mpf) -> mp.mpf:
    """(phi'^2)''(u)/2 = phi''^2 + phi' phi''': dB/dq = E of it at sqrt(q) z."""
    return ddphi(u) ** 2 + dphi(u) * dddphi(u)


# -- the same in SymPy (the symbolic checks of the proof) -----------------------------------------
@lru_cache(maxsize=1)
def sympy_phi() -> tuple[sp.Symbol, sp.Symbol, sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """The sigmoid in SymPy: x, phi as a variable p in (0, 1), phi(x), phi'(x), and
    Phi = p^2 - 2 p^3 + p^4 (seed 002, Eq. (26); Phi(phi(x)) = phi'(x)^2 is the integrand of
    1/sw2 on the critical line, Eq. (25)) as a polynomial in p and as a function of x."""
    x = sp.Symbol("x", real=True)
    p = sp.Symbol("varphi", positive=True)    # phi as a variable in (0, 1)
    phi = 1 / (1 + sp.exp(-x))
    dphi = sp.diff(phi, x)
    Phi_of = p**2 - 2 * p**3 + p**4          # (26)
    return x, p, phi, dphi, Phi_of, Phi_of.subs(p, phi)


# -- the critical line, float64 (grid engine) ----------------------------------------------------
def grid_moments(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """E phi(sqrt(q) z)^2, E phi'(sqrt(q) z)^2 and their errors on the grid engine (float64)."""
    eng = GridEngine(lambda v: expit(v))
    (A, B), (eA, eB) = eng.expect_many(
        [lambda v: expit(v) ** 2, lambda v: (expit(v) * expit(-v)) ** 2], np.asarray(q, float))
    return A, B, eA, eB


def grid_phi_sq(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A(q) = E phi(sqrt(q) z)^2 alone on the grid engine (float64): (values, errors)."""
    return GridEngine(lambda v: expit(v)).expect(lambda v: expit(v) ** 2, q)


def grid_line(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sw2(q) = 1/E phi'^2, sb2(q) = q - sw2(q) E phi^2 on the grid engine; (sw2, sb2, err)."""
    A, B, eA, eB = grid_moments(q)
    sw2 = 1 / B
    sb2 = q - sw2 * A
    err = sw2 * eA + q * eB / B**2 + sw2 * A * eB / B
    return sw2, sb2, err


def q_star_curve(sw2: np.ndarray) -> np.ndarray:
    """q*(sw2) at sb2 = 0 (float64): q/E phi(sqrt(q) z)^2 = sw2 is increasing in q, inverted by
    interpolation on a fine log grid."""
    q = np.logspace(-3, 6, 4000)
    A = grid_moments(q)[0]
    ratio = q / A
    if not np.all(np.diff(ratio) > 0):
        raise TheoryCheckError("q / E phi^2 is not increasing on the grid",
                               status=Status.ILL_CONDITIONED)
    return np.exp(np.interp(np.log(sw2), np.log(ratio), np.log(q)))


def chi1_at_zero_bias(sw2: np.ndarray) -> np.ndarray:
    """chi1 = sw2 E phi'(sqrt(q*) z)^2 at sb2 = 0 along ``sw2``, q* from :func:`q_star_curve`
    (float64; seed 002, Fig. 5)."""
    q_at = q_star_curve(sw2)
    dphi2 = grid_moments(q_at)[1]
    return sw2 * dphi2


def float_minimum() -> tuple[float, float]:
    """(q*, sw2) where the line crosses sb2 = 0, by brentq on the float64 line (~1e-13)."""
    q0 = float(brentq(lambda q: float(grid_line(np.array([q]))[1][0]), 1.0, 1e4, xtol=1e-13))
    return q0, float(grid_line(np.array([q0]))[0][0])


# -- high precision --------------------------------------------------------------------------------
def newton_2x2(q0: float, w0: float, dps: int) -> dict[str, Any]:
    """Newton on F(q, w) = (w A(q) - q, w B(q) - 1) with tanh-sinh integrals (gaussian layer).

    From the float64 start (q0, w0) to ``dps`` digits (at most 12 steps, quadratic); the
    quadrature errors are propagated through the linearised system into ``err_q``, ``err_sw2``.
    Returns q, sw2, their errors and the last A, B, dA estimates.
    """
    with mp.workdps(dps + 10):
        q, w = mp.mpf(q0), mp.mpf(w0)
        last = mp.inf
        for _ in range(12):
            A, B = expect_mp(phi_sq, q, dps=dps + 5), expect_mp(dphi_sq, q, dps=dps + 5)
            dA, dB = expect_mp(dq_phi_sq, q, dps=dps + 5), expect_mp(dq_dphi_sq, q, dps=dps + 5)
            F = mp.matrix([w * A.value - q, w * B.value - 1])
            J = mp.matrix([[w * dA.value - 1, A.value], [w * dB.value, B.value]])
            delta = mp.lu_solve(J, -F)
            q, w = q + delta[0], w + delta[1]
            last = max(abs(delta[0]) / q, abs(delta[1]) / w)
            if last < mp.mpf(10) ** (-(dps + 4)):
                break
        else:
            raise TheoryCheckError("Newton on (23)-(24) did not converge",
                                   status=Status.PRECISION_NOT_REACHED)
        # propagate the quadrature errors through the linearised system
        qerr = mp.lu_solve(J, mp.matrix([w * A.error, w * B.error]))
        return {"q": q, "sw2": w, "err_q": abs(qerr[0]) + last * q,
                "err_sw2": abs(qerr[1]) + last * w, "A": A, "B": B, "dA": dA}


def variance_map_stability(w: mp.mpf, q: mp.mpf, scan_q: np.ndarray, dps: int
                           ) -> tuple[mp.mpf, Estimate, int]:
    """Stability of the fixed point q of the variance map q -> w A(q) at sb2 = 0 (Eq. (23)).

    Returns the slope w dA/dq at q (tanh-sinh, ``dps`` digits), the Estimate dA/dq, and the
    number of fixed points on ``scan_q`` (sign changes of w A(q) - q on the float64 grid).
    """
    with mp.workdps(dps + 10):
        dA = expect_mp(dq_phi_sq, q, dps=dps)
        slope = w * dA.value
    V, _ = grid_phi_sq(scan_q)
    gap = float(w) * V - scan_q
    crossings = int(np.sum(np.sign(gap[1:]) != np.sign(gap[:-1])))
    return slope, dA, crossings


def secant_sb2_root(q0: float, dps: int) -> dict[str, Any]:
    """Root of sb2(q) = q - E phi^2 / E phi'^2 by the secant method from ``q0``, integrals by
    Gauss-Legendre (:func:`gauss_legendre_expect`, independent of Newton's tanh-sinh): q,
    sw2 = 1/E phi'^2 there and the residual sb2(q)."""
    with mp.workdps(dps + 10):
        def sb2(q: mp.mpf) -> mp.mpf:
            return q - gauss_legendre_expect(phi_sq, q, dps) / gauss_legendre_expect(dphi_sq, q,
                                                                                     dps)

        q = mp.findroot(sb2, (mp.mpf(q0), mp.mpf(q0) * (1 + mp.mpf(10) ** -6)),
                        solver="secant", tol=mp.mpf(10) ** (-2 * (dps + 4)), maxsteps=40)
        return {"q": q, "sw2": 1 / gauss_legendre_expect(dphi_sq, q, dps),
                "sb2_residual": sb2(q)}


def minimum_sw2(dps: int) -> dict[str, Any]:
    """inf sw2 on {chi1 = 1, sb2 >= 0} (seed 002, Thm 1), two independent routes from the
    float64 root: :func:`newton_2x2` (tanh-sinh) and :func:`secant_sb2_root` (Gauss-Legendre).

    Returns Estimates ``sw2`` and ``q`` (the error is the larger of the two routes' difference
    and Newton's propagated error), both routes' results and the float64 start.  Cost ~ a few
    hundred integrals at ``dps`` digits.
    """
    q0, w0 = float_minimum()
    a = newton_2x2(q0, w0, dps)
    b = secant_sb2_root(q0, dps)
    with mp.workdps(dps + 10):
        diff_sw2 = abs(a["sw2"] - b["sw2"])
        diff_q = abs(a["q"] - b["q"])
        sw2 = Estimate(a["sw2"], max(diff_sw2, a["err_sw2"]), "Newton (tanh-sinh) vs secant "
                       "(Gauss-Legendre)")
        q = Estimate(a["q"], max(diff_q, a["err_q"]), sw2.method)
    return {"sw2": sw2, "q": q, "newton": a, "secant": b, "float64": (q0, w0)}


__all__ = ["chi1_at_zero_bias", "dddphi", "ddphi", "dphi", "dphi_sq",
           "dq_dphi_sq", "dq_phi_sq", "float_minimum", "grid_line", "grid_moments",
           "grid_phi_sq", "minimum_sw2", "newton_2x2", "phi", "phi_sq", "q_star_curve",
           "secant_sb2_root", "sympy_phi", "variance_map_stability"]
