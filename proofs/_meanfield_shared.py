"""Mechanisms shared by the mean-field map claims (qmap, cmap-fixed-point, chi1-jacobian,
depth-scales, cnn-fixed-point): loading the layers they depend on, float64 iterations of the
exact maps, geometric rates, width extrapolation and evidence formatting.

A layer that is not importable raises a ``dependency-missing`` :class:`TheoryCheckError`, which
``guarded`` turns into a skipped check with the reason (never a pass).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
import numpy as np

from proofs._shared import DEPENDENCY_MISSING, dec, need, put, put_est  # noqa: F401
from theorycheck.claims.model import RunContext
from theorycheck.claims.statistics import mean_se, width_extrapolate, z_crit  # noqa: F401  re-export: moved
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.symbolic import expect_independent  # noqa: F401  re-export: moved
from theorycheck.numbers import Estimate


def activations(ctx: RunContext, default: Sequence[str]) -> list[Any]:
    """The activations the run names (``ctx.activations``), else ``default``, as Activation."""
    get = need("theorycheck.activations").get_activation
    return [get(name) for name in (ctx.activations or tuple(default))]


def lazy_activations(ctx: RunContext, default: Sequence[str]) -> Callable[[], list[Any]]:
    """A callable returning :func:`activations` (built on first call, inside the first check
    that needs them, so a bad activation makes that check -- not the claim -- report it)."""
    built: list[Any] = []

    def get() -> list[Any]:
        if not built:
            built.extend(activations(ctx, default))
        return built

    return get


def meanfield(act: Any, dps: int) -> Any:
    """``theorycheck.meanfield.MeanField(act, dps)``."""
    return need("theorycheck.meanfield").MeanField(act, dps=dps)


def kinks(act: Any) -> tuple[float, ...]:
    return tuple(sorted({float(k) for k in (getattr(act, "kinks", ()) or ())}))


def grid(act: Any) -> Any:
    """A float64 :class:`GridEngine` for ``act`` (its kinks as panel breakpoints; 16-point panels,
    whose error estimate against the 8-point rule stays near 1e-15 for the built-ins)."""
    return need("theorycheck.gaussian").GridEngine(act, kinks=kinks(act), n_nodes=16)


# -- the exact maps in float64 (fast routes for iterations and property searches) ------------
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
        cf = need("theorycheck.gaussian").closed_form(act, "kernel", q, c=c, dps=20)
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


def iterate(step: Callable[[float], float], x0: float, n: int) -> np.ndarray:
    """``[x0, step(x0), step(step(x0)), ...]`` (n + 1 values)."""
    xs = [float(x0)]
    for _ in range(n):
        xs.append(float(step(xs[-1])))
    return np.array(xs)


def geometric_rate(dev: np.ndarray, floor: float) -> Estimate:
    """The asymptotic ratio lambda of deviations d_l ~ A lambda^l from their successive ratios.

    Uses the d_l with ``|d_l| > floor`` (above the numerical noise); the ratios
    r_l = d_{l+1}/d_l approach lambda linearly in d_l (the next Taylor term of the map), so
    lambda is the intercept of a least-squares line r_l = lambda + a d_l; the error is the
    intercept's standard error plus the change from dropping the first ratio.
    """
    d = np.asarray(dev, dtype=float)
    keep = np.abs(d) > floor
    idx = np.nonzero(keep[:-1] & keep[1:])[0]
    if idx.size < 4:
        raise TheoryCheckError("too few iterations above the noise floor to measure a rate")
    r, x = d[idx + 1] / d[idx], d[idx]

    def fit(r: np.ndarray, x: np.ndarray) -> tuple[float, float]:
        A = np.vstack([np.ones_like(x), x]).T
        coef, *_ = np.linalg.lstsq(A, r, rcond=None)
        res = r - A @ coef
        dof = max(1, r.size - 2)
        cov = np.linalg.pinv(A.T @ A) * float(res @ res) / dof
        return float(coef[0]), float(math.sqrt(max(cov[0, 0], 0.0)))

    lam, se = fit(r, x)
    lam2, _ = fit(r[1:], x[1:])
    return Estimate(mp.mpf(lam), mp.mpf(se + abs(lam - lam2) + 1e-15), "fit of successive ratios")


# -- symbolic expectations over independent zero-mean Gaussian factors -----------------------
def richardson(hs: Sequence[float], ds: Sequence[float], powers: Sequence[float]
               ) -> tuple[float, float]:
    """Extrapolate D(h) = D0 + sum_k a_k h^p_k to h -> 0 from D at h_j = h_0 r^-j.

    Each level eliminates one power; returns (D0, |difference of the last two extrapolants|).
    """
    table = [list(ds)]
    hs = list(hs)
    for p in powers:
        prev = table[-1]
        nxt = []
        for j in range(len(prev) - 1):
            t = (hs[j] / hs[j + 1]) ** p
            nxt.append((t * prev[j + 1] - prev[j]) / (t - 1))
        if not nxt:
            break
        table.append(nxt)
    best = table[-1][-1]
    alt = table[-2][-1] if len(table) > 1 else best
    return best, abs(best - alt)


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
    val, rerr = richardson(hs, ds, (0.5, 1.0, 1.5))
    return Estimate(mp.mpf(val), mp.mpf(rerr + 8 * qerr), "Richardson on one-sided differences")
