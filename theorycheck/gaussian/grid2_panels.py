"""Panels and the product Gauss-Legendre rule of the whole-grid bivariate engine (float64).

E f(u1) g(u2) with u1 = s1 z1, u2 = s2 (c z1 + r z2), r = sqrt(1 - c^2), z1, z2 iid N(0, 1)
(seed 000, Eq. (14); seed 002, Eqs. (5)-(7)), in the conditional form

.. math:: \\int Dz_1\\, f(s_1 z_1)\\, h(z_1), \\qquad h(z_1) = \\int Dz_2\\, g(a + \\sigma z_2),
          \\quad a = s_2 c z_1,\\ \\sigma = s_2 r .

Both integrals are composite Gauss-Legendre on |z| <= L.  The panel boundaries are, per row, a
uniform base grid (width ~2: the Gaussian alone) and the images of each function's *features*
in that row's variable: its kinks (a split) and x = 0 (a graded set, centre +- w 3^j, so that
tanh-like steps at large q are resolved on their own scale, w = W0 = 1/2 in x).  The outer rule
also sees g's features through h: a kink p of g is, in z1, a kink smoothed over r/|c| at
p/(s2 c), so a graded set of that width is put there -- this is what keeps c -> +-1 accurate
(the inner Gaussian is narrow, and the location of g's kink in z2 moves with z1: the inner
panels are split there per outer node).  Duplicate and clipped boundaries are compressed away.
Every row of a chunk has the same number of panels (the chunk's maximum; short rows end in
zero-width panels), so the whole chunk is one numpy expression.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from theorycheck.gaussian.rules import legendre_nodes

Func = Callable[[np.ndarray], np.ndarray]

W0 = 0.5            # feature width at x = 0 (tanh's poles are at +- i pi/2)
RATIO = 3.0         # growth of the graded panels
BASE_WIDTH = 3.0    # base panel width in z
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _graded(center: np.ndarray, width: np.ndarray, L: float) -> np.ndarray:
    """centre +- width * RATIO^j (j = 0.. until past 2L) for each row: (rows, 2J) points."""
    fin = width[np.isfinite(width)]
    wmin = max(float(np.min(fin)) if fin.size else 2 * L, 1e-300)
    J = int(min(48, max(1, math.ceil(math.log(2 * L / wmin) / math.log(RATIO)) + 1)))
    steps = width[..., None] * RATIO ** np.arange(J)
    return np.concatenate([center[..., None] - steps, center[..., None] + steps], axis=-1)


def compress(points: np.ndarray, L: float) -> np.ndarray:
    """Sorted panel boundaries in [-L, L] per row, duplicates removed, rows padded with L."""
    bp = np.clip(np.nan_to_num(points, nan=0.0, posinf=L, neginf=-L), -L, L)
    shape = bp.shape[:-1]
    bp = np.concatenate([np.full((*shape, 1), -L), bp, np.full((*shape, 1), L)], axis=-1)
    bp.sort(axis=-1)
    dup = np.diff(bp, axis=-1) <= 1e-14 * L
    bp[..., 1:][dup] = np.inf
    bp.sort(axis=-1)
    m = int(np.max(np.sum(np.isfinite(bp), axis=-1)))
    bp = bp[..., :m]
    bp[~np.isfinite(bp)] = L
    return bp


def _nodes(edges: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights (N(0, 1) density folded in) on the rows' panels."""
    x, w = legendre_nodes(n)
    lo, hi = edges[..., :-1], edges[..., 1:]
    half = 0.5 * (hi - lo)
    z = (0.5 * (hi + lo))[..., None] + half[..., None] * x
    wt = half[..., None] * w * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    lead = edges.shape[:-1]
    return z.reshape(*lead, -1), wt.reshape(*lead, -1)


Grading = tuple[np.ndarray, np.ndarray]      # (centre, width) per row


def _features(kinks: np.ndarray, center_of: Callable[[np.ndarray], np.ndarray],
              width_smooth: np.ndarray, width_kink: np.ndarray | None
              ) -> tuple[list[np.ndarray], list[Grading]]:
    """One function's features: (split points, graded sets).  Kinks split (and are graded with
    ``width_kink`` when given); x = 0 is graded with ``width_smooth``.  ``center_of(x)`` maps
    points in x to the rule's variable."""
    gradings: list[Grading] = [(center_of(np.zeros(1))[..., 0], width_smooth)]
    splits: list[np.ndarray] = []
    if kinks.size:
        ck = center_of(kinks)
        splits.append(ck)
        if width_kink is not None:
            gradings += [(ck[..., j], width_kink) for j in range(kinks.size)]
    return splits, gradings


def _graded_points(gradings: list[Grading], L: float) -> list[np.ndarray]:
    """The graded sets' points, sets with the same centre in a row merged into one (the finest
    width serves both: relu's kink and x = 0 seen from f and from g are one set, not four)."""
    cs = [cen for cen, _w in gradings]
    ws = [np.array(w, dtype=float, copy=True) for _c, w in gradings]
    for i in range(len(ws)):
        for j in range(i + 1, len(ws)):
            same = cs[i] == cs[j]
            ws[i] = np.where(same, np.minimum(ws[i], ws[j]), ws[i])
            ws[j] = np.where(same, np.inf, ws[j])
    return [_graded(cen, w, L) for cen, w in zip(cs, ws, strict=True)]


def product_rule(f: Func, g: Func, kinks_f: np.ndarray, kinks_g: np.ndarray,
                 s1: np.ndarray, s2: np.ndarray, c: np.ndarray, n: int, L: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(sum w F, sum |w F|) of the n-point product rule for each pair (1-D arrays, s > 0,
    0 < |c| < 1 or c = 0).  See the module docstring for the panels."""
    r = np.sqrt((1.0 - c) * (1.0 + c))
    sig = s2 * r
    base = np.linspace(-L, L, max(2, round(2 * L / BASE_WIDTH)) + 1)
    P = s1.size
    outer, grades = _features(kinks_f, lambda x: x[None, :] / s1[:, None], W0 / s1, None)
    nz = np.abs(c) > 0
    if np.any(nz):
        cs = np.where(nz, s2 * c, 1.0)
        far = np.where(nz, 0.0, 4 * L)   # c = 0: h is constant, the points go out of range
        sp, gr = _features(kinks_g, lambda x: x[None, :] / cs[:, None] + far[:, None],
                           np.maximum(W0, sig) / np.abs(cs), r / np.maximum(np.abs(c), 1e-300))
        outer, grades = outer + sp, grades + gr
    outer = [np.broadcast_to(base, (P, base.size)), *outer, *_graded_points(grades, L)]
    e1 = compress(np.concatenate(outer, axis=1), L)
    z1, w1 = _nodes(e1, n)                                            # (P, N1)
    a = (s2 * c)[:, None] * z1                                        # inner shifts
    sg = sig[:, None] * np.ones_like(z1)
    sp, gr = _features(kinks_g, lambda x: (x[None, None, :] - a[..., None]) / sg[..., None],
                       W0 / sg, None)
    inner = [np.broadcast_to(base, (*z1.shape, base.size)), *sp, *_graded_points(gr, L)]
    e2 = compress(np.concatenate(inner, axis=-1), L)
    z2, w2 = _nodes(e2, n)                                            # (P, N1, N2)
    gv = g(a[..., None] + sg[..., None] * z2)
    h = np.einsum("pij,pij->pi", w2, gv)
    habs = np.einsum("pij,pij->pi", w2, np.abs(gv))
    fv = f(s1[:, None] * z1) * w1
    return np.sum(fv * h, axis=1), np.sum(np.abs(fv) * habs, axis=1)


def line_rule(f: Func, g: Func, kinks_f: np.ndarray, kinks_g: np.ndarray,
              s1: np.ndarray, s2c: np.ndarray, n: int, L: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """(sum w F, sum |w F|) for E f(s1 z) g(s2c z): the c = +-1 (or s2 = 0) reduction."""
    base = np.linspace(-L, L, max(2, round(2 * L / BASE_WIDTH)) + 1)
    P = s1.size
    pts, grades = _features(kinks_f, lambda x: x[None, :] / s1[:, None], W0 / s1, None)
    nz = s2c != 0
    if np.any(nz):
        cs = np.where(nz, s2c, 1.0)
        far = np.where(nz, 0.0, 4 * L)
        sp, gr = _features(kinks_g, lambda x: x[None, :] / cs[:, None] + far[:, None],
                           W0 / np.abs(cs), None)
        pts, grades = pts + sp, grades + gr
    pts = [np.broadcast_to(base, (P, base.size)), *pts, *_graded_points(grades, L)]
    e = compress(np.concatenate(pts, axis=1), L)
    z, w = _nodes(e, n)
    F = f(s1[:, None] * z) * g(s2c[:, None] * z) * w
    return np.sum(F, axis=1), np.sum(np.abs(F), axis=1)
