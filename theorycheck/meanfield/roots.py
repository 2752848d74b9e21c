"""Root finding in q for the mean-field layer: one scan grid, float64 bracketing, mpmath polish.

Fixed points of the variance map (``MeanField.fixed_points``) and points of the edge of chaos
(``eoc.eoc_sw2`` / ``eoc.eoc_sb2``) are both found the same way: evaluate the float64 grid
engine on :func:`scan_grid` (``N_SCAN`` log-spaced q in [``Q_MIN``, ``Q_MAX``], clipped below
the activation's largest finite Gaussian variance), take the sign changes, refine one with
Brent's method in float64 (:func:`refine`), then polish in mpmath to ~10**-dps (Newton when the
derivative is an integral at hand, :func:`newton`; a secant iteration otherwise,
:func:`secant`).  Cost: one vectorised grid evaluation (~N_SCAN x 1e3 integrand calls), then
~6-12 pairs of ``expect_mp`` integrals per root.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
import numpy as np
from scipy.optimize import brentq

Q_MIN, Q_MAX, N_SCAN = 1e-12, 1e8, 321


def scan_grid(q_limit: float, *, with_zero: bool = False) -> np.ndarray:
    """``N_SCAN`` log-spaced q in [Q_MIN, min(Q_MAX, 0.999 q_limit)] (0 prepended on request).

    ``q_limit``: the largest q with E psi(sqrt(q) z)^2 finite (inf for most activations).
    """
    hi = min(Q_MAX, 0.999 * q_limit) if math.isfinite(q_limit) else Q_MAX
    qs = np.logspace(math.log10(Q_MIN), math.log10(hi), N_SCAN)
    return np.concatenate([[0.0], qs]) if with_zero else qs


def scan(grid: Any, fns: Sequence[Any], q_limit: float, *, with_zero: bool = False
         ) -> tuple[np.ndarray, np.ndarray]:
    """(q grid, E F_i(sqrt(q) z) for each F_i(x, z)) on :func:`scan_grid`, float64.

    ``grid``: a :class:`~theorycheck.gaussian.GridEngine`; non-finite integrals come back as
    +inf (``strict=False``), so a scan reaches into regions where the map diverges.
    """
    qs = scan_grid(q_limit, with_zero=with_zero)
    vals, _ = grid.expect_xz(list(fns), qs, strict=False)
    return qs, vals


def brackets(qs: np.ndarray, F: np.ndarray, *, finite_only: bool = True
             ) -> list[tuple[float, float]]:
    """Brackets of the roots of F on the grid, in increasing q: consecutive pairs
    (q_i, q_i+1) where F changes sign, and (q_i-1, q_i+1) around a grid point where F is exactly
    0 between values of opposite sign (relu at sw2 = 1, sb2 = 0.05 has q* = 0.1, a grid point:
    a product test alone misses that root). ``finite_only``: skip pairs with a non-finite end
    (else +inf, a divergent integral, counts as positive)."""
    ok = np.isfinite(F) if finite_only else np.ones(F.shape, dtype=bool)
    out = []
    for i in range(qs.size - 1):
        if ok[i] and ok[i + 1] and F[i] * F[i + 1] < 0:
            out.append((i, (float(qs[i]), float(qs[i + 1]))))
    for i in range(1, qs.size - 1):
        if F[i] == 0 and ok[i - 1] and ok[i + 1] and F[i - 1] * F[i + 1] < 0:
            out.append((i, (float(qs[i - 1]), float(qs[i + 1]))))
    return [bracket for _, bracket in sorted(out)]


def refine(f: Callable[[float], float], a: float, b: float) -> float:
    """The root of ``f`` in the bracket [a, b] by Brent's method, float64 (rtol 1e-15)."""
    return float(brentq(f, a, b, xtol=1e-300, rtol=1e-15, maxiter=200))


def newton(F_dF: Callable[[mp.mpf], tuple[mp.mpf, mp.mpf]], q0: float, dps: int,
           max_steps: int = 12) -> tuple[mp.mpf, mp.mpf]:
    """Newton steps q <- q - F(q)/F'(q) from ``q0`` at the current mpmath precision.

    ``F_dF(q)`` returns (F(q), F'(q)).  Stops when a step is below 10**-(dps+3) max(|q|, 1)
    or F' vanishes.  Returns (q, |last step|); the last step bounds the iteration's error.
    """
    q = mp.mpf(q0)
    step = mp.mpf(0)
    for _ in range(max_steps):
        F, dF = F_dF(q)
        if dF == 0:
            break
        step = F / dF
        q = q - step
        if abs(step) <= mp.mpf(10) ** (-dps - 3) * max(abs(q), mp.mpf(1)):
            break
    return q, abs(step)


def secant(F: Callable[[mp.mpf], mp.mpf], q0: float, dps: int) -> tuple[mp.mpf, mp.mpf]:
    """Secant iteration for F(q) = 0 from a float64 root ``q0``; returns (q, |last step|).

    The second start point is q1 = q0 (1 + 1e-9); at most 20 steps, stopping when a step is
    below 10**-(dps+3) max(|q1|, 1).
    """
    a, b = mp.mpf(q0), mp.mpf(q0) * (1 + mp.mpf(10) ** -9)
    fa, fb = F(a), F(b)
    step = abs(b - a)
    tol = mp.mpf(10) ** (-dps - 3) * max(abs(b), mp.mpf(1))
    for _ in range(20):
        if fb == fa:
            break
        c = b - fb * (b - a) / (fb - fa)
        step = abs(c - b)
        a, fa, b = b, fb, c
        if step <= tol:
            break
        fb = F(b)
    return b, step
