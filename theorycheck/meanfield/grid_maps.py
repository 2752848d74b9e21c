"""The exact mean-field maps in float64 on the grid engine (fast routes for iterations).

Where the mpmath :class:`~theorycheck.meanfield.MeanField` gives a number to dps digits, these
give it to ~1e-14 in microseconds, for claims that iterate a map hundreds of times or probe it
at many points: the variance map (seed 000 Eq. (9); seed 002 Eq. (3)), the correlation kernel
and map (seed 000 Eqs. (14)-(15); seed 002 Eqs. (5)-(7)), the c-map's slope at c = 1 measured
from the bivariate integral itself, and :func:`iterate`.  ``act``: an Activation (``numpy(k)``,
``closed_form``); ``g``: a :class:`~theorycheck.gaussian.GridEngine` for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np
from scipy.optimize import brentq

from theorycheck.gaussian import closed_form
from theorycheck.numbers import Estimate, richardson


def qmap_grid(act: Any, g: Any, q: np.ndarray | float, sw2: float, sb2: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """q -> sw2 E psi(sqrt(q) z)^2 + sb2 on the grid engine: (values, errors)."""
    psi = act.numpy(0)
    v, e = g.expect(lambda x: psi(x) ** 2, np.asarray(q, dtype=float))
    return sw2 * v + sb2, sw2 * e


def kernel_grid(act: Any, g: Any, q: float, c: float) -> tuple[float, float]:
    """E psi(u1) psi(u2), Var u = q, corr c: (value, error).

    The exact kernel where ``gaussian.closed_form`` knows one (relu arc-cosine, erf arcsine,
    linear), else the grid engine's nested Gauss-Legendre rule.
    """
    cf = None
    if getattr(act, "closed_form", None):  # the family key; asking closed_form() simplifies
        cf = closed_form(act, "kernel", q, c=c, dps=20)
    if cf is not None:
        return float(cf), 4e-16 * max(1.0, abs(float(cf)))
    psi = act.numpy(0)
    v, e = g.expect2(psi, psi, q, c)
    return float(v), float(e)


def cmap_grid(act: Any, g: Any, q: float, sw2: float, sb2: float, c: float
              ) -> tuple[float, float]:
    """The correlation map at fixed q: c -> (sw2 E psi(u1) psi(u2) + sb2) / q."""
    v, e = kernel_grid(act, g, q, c)
    return (sw2 * v + sb2) / q, sw2 * e / q


def cmap_slope_at_one(act: Any, g: Any, q: float, sw2: float, sb2: float) -> Estimate:
    """Slope of the correlation map at c = 1 from the bivariate integral itself (no chi1 formula).

    One-sided difference quotients D(h) = (M(1) - M(1-h))/h at h = 0.02 * 4^-j, extrapolated
    (Richardson) in powers h^(1/2), h, h^(3/2) (a kink gives a (1-c)^(3/2) term, e.g. the relu
    arc-cosine kernel).  Error: last Richardson difference plus quadrature error / h.
    """
    m1, e1 = cmap_grid(act, g, q, sw2, sb2, 1.0)
    hs = [0.02 * 4.0 ** -j for j in range(5)]
    ds, qerr = [], 0.0
    for h in hs:
        mh, eh = cmap_grid(act, g, q, sw2, sb2, 1.0 - h)
        ds.append((m1 - mh) / h)
        qerr = max(qerr, (e1 + eh) / h)
    val, rerr = richardson(hs, ds, 0.5, levels=3)   # (1-c)^(1/2), (1-c), (1-c)^(3/2)
    return Estimate(mp.mpf(val), mp.mpf(rerr + 8 * qerr), "Richardson on one-sided differences")


def c_star_grid(act: Any, g: Any, q: float, sw2: float, sb2: float) -> float:
    """The stable fixed point c* of the correlation map at fixed q = q* (seed 000, Eq. (15);
    seed 002, Eq. (5)), float64: 1 when the map at c = 1 - 1e-4 stays above c (ordered side),
    else Brent's root of map(c) - c on [0, 1 - 1e-4] (on [-1, 1 - 1e-4] when map(0) < 0).
    Accuracy ~1e-13 (the grid engine's)."""
    if cmap_grid(act, g, q, sw2, sb2, 1 - 1e-4)[0] > 1 - 1e-4:
        return 1.0

    def gap(c: float) -> float:
        return cmap_grid(act, g, q, sw2, sb2, c)[0] - c

    return float(brentq(gap, -1.0 if gap(0.0) < 0 else 0.0, 1 - 1e-4, xtol=1e-14))


def iterate(step: Callable[[float], float], x0: float, n: int) -> np.ndarray:
    """``[x0, step(x0), step(step(x0)), ...]`` (n + 1 values)."""
    xs = [float(x0)]
    for _ in range(n):
        xs.append(float(step(xs[-1])))
    return np.array(xs)
