"""The correlation map on a whole grid of c, its iterates, fixed points and the deep NNGP kernel.

At the variance fixed point q* (seed 000, Eq. (9); seed 002, Eq. (3)) the correlation map is

.. math:: c \\mapsto c' = \\frac{\\sigma_w^2\\, E\\,\\psi(u_1)\\psi(u_2) + \\sigma_b^2}{q^*},
          \\qquad \\chi_c(c) = \\frac{dc'}{dc} = \\sigma_w^2\\, E\\,\\psi'(u_1)\\psi'(u_2)

(seed 000, Eqs. (14)-(15) and (17); seed 002, Eqs. (5)-(7); the slope by Price's theorem), with
(u1, u2) of variance q* and correlation c.  c = 1 is always a fixed point, of slope
chi1 = sw2 E psi'^2 (inf when psi jumps: :mod:`theorycheck.activations.jumps`).  From an input
variance q0 the L-layer iterate also iterates q (q_{l+1} = sw2 E psi^2(q_l) + sb2), and the NNGP
kernel of depth L is K_L = q_L c_L.  Every value comes from
:class:`~theorycheck.gaussian.BivariateGrid` with its error estimate; iterates carry
e_{l+1} = |chi_c| e_l + (new quadrature error).  Fixed points: sign changes of c' - c on the grid
(a grid node where it vanishes included), refined by Brent's method on the engine.
Accuracy ~1e-15 per map value (1e-13 asserted in the tests); cost ~0.1-0.3 s for 1000 points.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import BivariateGrid, GridEngine
from theorycheck.meanfield.adapter import jumps_of, kinks_of, resolve_activation
from theorycheck.meanfield.roots import brackets
from theorycheck.meanfield.search import FastMeanField

MAX_POINTS = 200_000
MAX_DEPTH = 100_000


@dataclass(frozen=True)
class CFixedPoint:
    """A fixed point c of the correlation map, its slope chi_c there and whether |slope| < 1."""

    c: float
    slope: float
    stable: bool
    error: float


@dataclass
class CMap:
    """The correlation map of one activation at (sw2, sb2) on a grid of c (see module doc)."""

    activation: str
    sw2: float
    sb2: float
    q_star: float
    c: np.ndarray
    c_next: np.ndarray
    c_next_err: np.ndarray
    chi_c: np.ndarray
    chi_c_err: np.ndarray
    fixed_points: list[CFixedPoint]
    depth: int | None = None
    q0: float | None = None
    c_L: np.ndarray | None = None
    c_L_err: np.ndarray | None = None
    q_L: float | None = None
    kernel_L: np.ndarray | None = None
    kernel_L_err: np.ndarray | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def error(self) -> float:
        """The largest error estimate of the map's values (c' and c_L); the slopes carry their
        own, ``chi_c_err`` (large near c = 1 when psi jumps: chi_c -> inf there)."""
        errs = [float(np.max(self.c_next_err))]
        if self.c_L_err is not None:
            errs.append(float(np.max(self.c_L_err)))
        return max(errs)


def _positive(name: str, v: float, *, zero_ok: bool = False) -> float:
    v = float(v)
    if not math.isfinite(v) or v < 0 or (v == 0 and not zero_ok):
        raise TheoryCheckError(f"{name} must be finite and {'>=' if zero_ok else '>'} 0, got {v}")
    return v


class CorrelationMap:
    """c' and chi_c for one activation at (sw2, sb2), at any q (engines built once)."""

    def __init__(self, act: Any, sw2: float, sb2: float) -> None:
        self.act = resolve_activation(act)
        self.sw2 = _positive("sw2", sw2)
        self.sb2 = _positive("sb2", sb2, zero_ok=True)
        self.kinks = kinks_of(self.act)
        self.jumps = bool(jumps_of(self.act)[0])
        self.kernel = BivariateGrid(self.act.numpy(0), kinks_f=self.kinks)
        self.slope_kernel = None if self.jumps else BivariateGrid(self.act.numpy(1),
                                                                  kinks_f=self.kinks)
        self.grid = GridEngine(self.act, kinks=self.kinks)

    def q_star(self) -> float:
        """The unique stable finite fixed point q* > 0 of the variance map (float64)."""
        fm = FastMeanField(self.act, kinks=self.kinks, q_hi=1e6, n_q=240)
        fps = fm.fixed_points(self.sw2, self.sb2)
        stable = [p for p in fps if p.kind == "stable"]
        if any(p.kind == "neutral" for p in fps):
            raise TheoryCheckError("the variance map has a continuum of fixed points here",
                                   status=Status.NON_UNIQUE_FIXED_POINT)
        if not stable:
            zero = [p for p in fps if p.kind == "zero"]
            why = " (only q = 0: all inputs collapse; take sb2 > 0)" if zero else ""
            raise TheoryCheckError(f"no finite stable fixed point q* > 0 at sw2 = {self.sw2},"
                                   f" sb2 = {self.sb2}{why}", status=Status.NO_FINITE_FIXED_POINT)
        if len(stable) > 1:
            raise TheoryCheckError("several stable fixed points q*: "
                                   + ", ".join(f"{p.q:.6g}" for p in stable),
                                   status=Status.NON_UNIQUE_FIXED_POINT)
        return stable[0].q

    def qmap(self, q: float) -> float:
        psi = self.act.numpy(0)
        v, _e = self.grid.expect(lambda x: psi(x) ** 2, np.array([q]))
        return float(self.sw2 * v[0] + self.sb2)

    def step(self, q: float, c: np.ndarray, q_next: float | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """c' = (sw2 E psi psi + sb2) / q_next at variance q (q_next = q at the fixed point)."""
        k, e = self.kernel.expect2(q, c)
        qn = q if q_next is None else q_next
        return (self.sw2 * k + self.sb2) / qn, self.sw2 * e / qn

    def slope(self, q: float, c: np.ndarray, q_next: float | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """chi_c = dc'/dc = sw2 q E psi'(u1) psi'(u2) / q_next (inf at c = 1 when psi jumps;
        with jumps, a central difference of c' elsewhere)."""
        qn = q if q_next is None else q_next
        if self.slope_kernel is not None:
            k, e = self.slope_kernel.expect2(q, c)
            return self.sw2 * q * k / qn, self.sw2 * q * e / qn
        h = 1e-5
        lo, hi = np.maximum(c - h, -1.0), np.minimum(c + h, 1.0)
        vl, el = self.step(q, lo, qn)
        vh, eh = self.step(q, hi, qn)
        d = (vh - vl) / np.where(hi > lo, hi - lo, 1.0)
        mid = 0.5 * (hi + lo)
        vm, _ = self.step(q, mid, qn)
        curv = np.abs(vh - 2 * vm + vl) / np.maximum((hi - lo) ** 2 / 4, 1e-300)
        err = (el + eh) / np.maximum(hi - lo, 1e-300) + curv * (hi - lo)
        d = np.where(c >= 1.0, np.inf, d)
        return d, np.where(c >= 1.0, 0.0, err)


def correlation_map(act: Any, sw2: float, sb2: float, *, points: int = 201,
                    depth: int | None = None, q0: float | None = None) -> CMap:
    """The correlation map on ``points`` equispaced c in [-1, 1] at q* (see the module doc),
    with its ``depth``-fold iterate from variance ``q0`` (default q*) and the depth-L kernel."""
    t0 = time.perf_counter()
    if not 2 <= int(points) <= MAX_POINTS:
        raise TheoryCheckError(f"points must be in 2..{MAX_POINTS}, got {points}")
    if depth is not None and not 1 <= int(depth) <= MAX_DEPTH:
        raise TheoryCheckError(f"depth must be in 1..{MAX_DEPTH}, got {depth}")
    if q0 is not None:
        q0 = _positive("q0", q0)
    cm = CorrelationMap(act, sw2, sb2)
    qs = cm.q_star()
    c = np.linspace(-1.0, 1.0, int(points))
    cn, cn_err = cm.step(qs, c)
    chi, chi_err = cm.slope(qs, c)
    result = CMap(str(getattr(cm.act, "name", "activation")), cm.sw2, cm.sb2, qs, c, cn,
                  cn_err, chi, chi_err, fixed_points(cm, qs, c, cn - c, cn_err))
    if depth is not None:
        _iterate(cm, result, int(depth), qs if q0 is None else q0)
    result.seconds = time.perf_counter() - t0
    return result


class MapTable:
    """c' and chi_c at fixed q as piecewise-Chebyshev interpolants in theta = arccos(c).

    In theta the maps are smooth up to c = +-1 (a kink's (1-c)^(3/2) and a jump's (1-c)^(1/2)
    are powers of sin(theta/2); the relu kernel is entire in theta), so ``PANELS`` panels of
    ``DEG`` Chebyshev points resolve them; error: the node errors times the Lebesgue constant
    (< 3 at 17 points) plus the last two coefficients of each panel.  Built once per q (about
    PANELS x DEG engine pairs), then any c costs one Clenshaw sum: the iterates use it.
    """

    PANELS, DEG = 24, 17

    def __init__(self, cm: CorrelationMap, q: float) -> None:
        k = np.arange(self.DEG)
        self.x = np.cos(np.pi * (k + 0.5) / self.DEG)
        width = np.pi / self.PANELS
        theta = width * (np.arange(self.PANELS)[:, None] + 0.5 * (1 - self.x[None, :]))
        c = np.cos(theta).ravel()
        T = np.cos(np.outer(np.arange(self.DEG), np.arccos(self.x)))
        self.tables = []
        for v, e in (cm.step(q, c), cm.slope(q, c)):
            v = v.reshape(self.PANELS, self.DEG)
            coef = np.einsum("pi,ji->pj", v, T) * (2.0 / self.DEG)
            coef[:, 0] *= 0.5
            err = 3 * e.reshape(self.PANELS, self.DEG).max(axis=1) \
                + np.abs(coef[:, -1]) + np.abs(coef[:, -2])
            self.tables.append((coef, err))

    def __call__(self, which: int, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value, error) of c' (which = 0) or chi_c (1) at c."""
        theta = np.arccos(np.clip(c, -1.0, 1.0))
        width = np.pi / self.PANELS
        p = np.clip((theta // width).astype(int), 0, self.PANELS - 1)
        x = 1 - 2 * (theta - p * width) / width      # theta increases as x decreases
        coef, err = self.tables[which]
        b1 = np.zeros_like(x)
        b2 = np.zeros_like(x)
        for j in range(self.DEG - 1, 0, -1):
            b1, b2 = 2 * x * b1 - b2 + coef[p, j], b1
        return x * b1 - b2 + coef[p, 0], err[p]


def _iterate(cm: CorrelationMap, res: CMap, depth: int, q0: float) -> None:
    """c_L, q_L and the kernel q_L c_L from (q0, c) after ``depth`` layers, with errors.  At
    q = q* (every layer when q0 = q*) the map comes from a :class:`MapTable`; before q has
    converged to q* (|q - q*| > 1e-14 q*), from the engine directly."""
    q, cl, err = q0, res.c.copy(), np.zeros_like(res.c)
    table: MapTable | None = None
    for _ in range(depth):
        at_fixed = abs(q - res.q_star) <= 1e-14 * res.q_star
        if at_fixed:
            table = table or MapTable(cm, res.q_star)
            qn = q
            v, e = table(0, cl)
            s, _se = table(1, cl)
            ends = np.abs(cl) == 1.0                   # c = +-1: the exact 1-D route, cheaply
            if np.any(ends):
                v[ends], e[ends] = cm.step(q, cl[ends])
                s[ends] = cm.slope(q, cl[ends])[0]
        else:
            qn = cm.qmap(q)
            v, e = cm.step(q, cl, qn)
            s, _se = cm.slope(q, cl, qn)
        s = np.where(np.isfinite(s), np.abs(s), 1.0)   # at c = 1 exactly the error is e alone
        err = s * err + e
        cl, q = np.clip(v, -1.0, 1.0), qn
    res.depth, res.q0, res.c_L, res.c_L_err, res.q_L = depth, q0, cl, err, q
    res.kernel_L, res.kernel_L_err = q * cl, q * err


def fixed_points(cm: CorrelationMap, q: float, c: np.ndarray, gap: np.ndarray,
                 gap_err: np.ndarray) -> list[CFixedPoint]:
    """Roots of c' - c on [-1, 1] (c = 1 always) with their slopes; see the module doc."""
    g = np.where(np.abs(gap) <= gap_err, 0.0, gap)
    g[-1] = 0.0                                      # c = 1 is a fixed point at q = q*
    roots: list[float] = [1.0]

    def F(x: float) -> float:
        return float(cm.step(q, np.array([x]))[0][0] - x)

    inner = g[:-1]
    for a, b in brackets(c[:-1], inner):
        roots.append(float(brentq(F, a, b, xtol=1e-15, rtol=1e-14)))
    for i in np.flatnonzero(inner == 0.0):
        if not any(abs(r - c[i]) < 1e-12 for r in roots):
            roots.append(float(c[i]))
    if c.size >= 2 and inner[-1] != 0.0:                # a root between the last node and 1?
        x = 1.0 - 1e-7 * (1.0 - c[-2])
        fx = F(x)
        if fx * inner[-1] < 0 and abs(fx) > 10 * float(gap_err[-1]):
            roots.append(float(brentq(F, float(c[-2]), x, xtol=1e-15, rtol=1e-14)))
    out = []
    for r in sorted(set(roots)):
        s, _se = cm.slope(q, np.array([r]))
        err = float(cm.step(q, np.array([r]))[1][0])
        out.append(CFixedPoint(r, float(s[0]), bool(abs(s[0]) < 1), err))
    return out
