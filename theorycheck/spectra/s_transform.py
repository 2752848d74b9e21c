r"""The law of D^2 and the S-transform equation of ``H = J J^T`` (Pennington, Schoenholz & Ganguli
2017, Sec. 2-3; 2018, Eqs. (9)-(13); seed 000, Eqs. (60)-(62)).

``J = D_L W_L ... D_1 W_1``, ``D = diag psi'(h)``, ``h ~ N(0, q*)``, weights of variance
``sw2/N``.  With ``psi_X(t) = E[t x/(1 - t x)]``, ``chi_X = psi_X^{-1}`` and ``S_X(w) =
chi_X(w)(1 + w)/w``, freeness gives ``S_H = (S_{D^2} S_{WW^T})^L``, ``S_{WW^T} = 1/(sw2(1+w))``
(Gaussian) or ``1/sw2`` (orthogonal).  Parametrise by ``u = chi_{D^2}(w)``, i.e.
``w = psi_{D^2}(u)``, ``v = u/w``; then ``S_{D^2} S_W = v/sw2`` (Gaussian) or
``v(1+w)/sw2`` (orthogonal) and ``chi_H(w) = 1/z`` reads

    Gaussian:    L Log(v/sw2) + Log w - Log(1 + w) + Log z = 0
    orthogonal:  L Log(v/sw2) + Log w + (L - 1) Log(1 + w) + Log z = 0

with ``w = psi_H(1/z) = E[lambda/(z - lambda)]``.  For ``z = x + i0``, ``w`` lies in the closed
lower half-plane, so ``Log w`` and ``Log(1 + w)`` are taken with arguments in ``[-pi, 0]`` and
``Log v`` principal: then every term is continuous from ``x = inf`` (where all vanish) and the
sum has no ``2 pi i k`` ambiguity (``|L Arg v| < L pi``).  ``Log z = s = ln x``, so the equation
never forms x: it works at any depth.  The density of ``ln x`` is ``-Im w / pi``
(``G(z) = (1 + w)/z``).  The law of ``D^2`` enters only through ``psi_{D^2}(u) = E[u d/(1 - u
d)]``, a Gaussian expectation over ``h`` computed on the node set of
:func:`theorycheck.gaussian.pushforward.normal_pushforward`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.pushforward import NodeLaw, normal_pushforward

WEIGHTS = ("gaussian", "orthogonal")


@dataclass(frozen=True)
class DiagonalLaw:
    """The law of ``d = psi'(h)^2``, ``h ~ N(0, q)``: node sets at two resolutions, its atoms
    ``[(value, mass)]`` (panels where psi' is exactly constant, confirmed in mpmath), the mass
    of panels that are 0 only by float64 underflow, and ``mu_k = E d^k`` (k = 1..3)."""

    fine: NodeLaw
    coarse: NodeLaw
    atoms: tuple[tuple[float, float], ...]
    underflow_mass: float
    mu: tuple[float, float, float]
    mu_error: tuple[float, float, float]

    @property
    def d_max(self) -> float:
        return float(self.fine.values.max())

    @property
    def zero_mass(self) -> float:
        """``P(psi'(h) = 0)``: the atom of D^2 at 0."""
        return sum(m for a, m in self.atoms if a == 0.0)


def diagonal_law(act: Any, q: float, *, panel: float = 0.5) -> DiagonalLaw:
    """The law of ``psi'(sqrt(q) z)^2`` (``act``: an Activation)."""
    dpsi = act.numpy(1)
    kinks = tuple(float(k) for k in act.kinks)
    if q == 0:     # h = 0: D^2 = psi'(0)^2 I exactly (the DI point's q* = 0)
        d0 = float(np.asarray(dpsi(np.zeros(1)), dtype=float)[0] ** 2)
        node = NodeLaw(np.array([d0]), np.array([1.0]), np.zeros(1), np.zeros(1, dtype=int))
        mu = (d0, d0**2, d0**3)
        return DiagonalLaw(node, node, ((d0, 1.0),), 0.0, mu, (0.0, 0.0, 0.0))
    fine, coarse = normal_pushforward(lambda x: np.asarray(dpsi(x), dtype=float) ** 2, q,
                                      kinks=kinks, panel=panel)
    atoms: dict[float, float] = {}
    underflow = 0.0
    d1, d2 = act.mpmath(1), act.mpmath(2)
    for p in np.unique(fine.panel):
        sel = fine.panel == p
        vals, wts = fine.values[sel], fine.weights[sel]
        if wts.sum() == 0.0 or np.ptp(vals) != 0.0:
            continue
        mid = mp.mpf(float(0.5 * (fine.x[sel][0] + fine.x[sel][-1])))
        with mp.workdps(30):
            exact = d1(mid) == 0 if vals[0] == 0.0 else d2(mid) == 0
        if exact:
            atoms[float(vals[0])] = atoms.get(float(vals[0]), 0.0) + float(wts.sum())
        elif vals[0] == 0.0:
            underflow += float(wts.sum())
    mus, errs = [], []
    for k in (1, 2, 3):
        a = float(np.sum(fine.weights * fine.values**k))
        b = float(np.sum(coarse.weights * coarse.values**k))
        mus.append(a)
        errs.append(abs(a - b) + 4e-16 * k * abs(a))
    return DiagonalLaw(fine, coarse, tuple(sorted((a, m) for a, m in atoms.items() if m > 1e-15)),
                       underflow, (mus[0], mus[1], mus[2]), (errs[0], errs[1], errs[2]))


def _log_lower(w: complex) -> complex:
    """Log with the argument in [-pi, 0] (the closed lower half-plane; float64 noise of either
    sign on the real axis is read as the limit from below)."""
    phi = math.atan2(w.imag, w.real)
    if phi > math.pi / 2:
        phi -= 2 * math.pi
    return complex(math.log(abs(w)), phi)


@dataclass
class SpectralEquation:
    """The equation of the module doc for one (law of D^2, sw2, depth, weights)."""

    law: NodeLaw
    sw2: float
    depth: int
    weights: str
    _d: np.ndarray = field(init=False, repr=False)
    _g: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.weights not in WEIGHTS:
            raise TheoryCheckError(f"weights must be one of {WEIGHTS}, got {self.weights!r}",
                                   status=Status.INVALID_ARGUMENT)
        keep = (self.law.values > 0) & (self.law.weights > 0)
        self._d, self._g = self.law.values[keep], self.law.weights[keep]
        self._gd = self._g * self._d
        self._g0 = float(self.law.weights[~keep].sum())      # mass at d = 0

    def transform(self, u: complex) -> tuple[complex, complex, complex]:
        """``(w, 1 + w, dw/du)`` with ``w = psi_{D^2}(u) = E[u d/(1 - u d)]``."""
        r = 1.0 / (1.0 - u * self._d)
        g = self._g
        one_plus = complex(np.dot(g, r)) + self._g0
        return one_plus - 1.0, one_plus, complex(np.dot(self._gd, r * r))

    def residual(self, u: complex, s: complex) -> tuple[complex, complex, complex]:
        """``(f(u), f'(u), w)``: ``f`` the left side of the equation at ``Log z = s``."""
        w, onep, dw = self.transform(u)
        L = self.depth
        lw, l1 = _log_lower(w), _log_lower(onep)
        lv = complex(np.log(u / (w * self.sw2)))
        if self.weights == "gaussian":
            f = L * lv + lw - l1 + s
            df = L * (1 / u - dw / w) + dw / w - dw / onep
        else:
            f = L * lv + lw + (L - 1) * l1 + s
            df = L * (1 / u - dw / w) + dw / w + (L - 1) * dw / onep
        return f, df, w

    def real_sign(self, u: float) -> float:
        """The sign of the real ``z = 1/chi_H`` that a real ``u`` solves (x > 0 needs +1)."""
        w, onep, _ = self.transform(complex(u))
        v = u / w.real
        if self.weights == "gaussian":
            return float(np.sign(v) ** self.depth * np.sign(w.real) * np.sign(onep.real))
        return float(np.sign(v) ** self.depth * np.sign(w.real)
                     * np.sign(onep.real) ** (self.depth - 1))

    def real_log_x(self, u: float) -> tuple[float, float, float]:
        """For real ``u`` (below the cut, or negative): ``(s, ds/du, tail)`` with ``s`` the real
        ``ln |z|`` that ``u`` solves (z = e^s for u > 0, z = -e^s for u < 0) and
        ``tail = 2 sum_{d>0} g/(1 - u d)``, which for u < 0 bounds the mass of H in (0, e^s]
        (``1 + w = E[x/(x + lambda)]`` at z = -x, and ``x/(x + lambda) >= 1/2`` for
        ``lambda <= x``)."""
        w, onep, dw = self.transform(complex(u))
        wr, opr, dwr = w.real, onep.real, dw.real
        L = self.depth
        lv = math.log(abs(u / (wr * self.sw2)))
        if self.weights == "gaussian":
            s = -(L * lv + math.log(abs(wr)) - math.log(abs(opr)))
            ds = -(L * (1 / u - dwr / wr) + dwr / wr - dwr / opr)
        else:
            s = -(L * lv + math.log(abs(wr)) + (L - 1) * math.log(abs(opr)))
            ds = -(L * (1 / u - dwr / wr) + dwr / wr + (L - 1) * dwr / opr)
        tail = 2.0 * float(np.dot(self._g, 1.0 / (1.0 - u * self._d)))
        return s, ds, tail


@dataclass(frozen=True)
class Edge:
    """The right edge of the support: ``u_e`` (real), ``s_e = ln x_max``, ``f''(u_e)``."""

    u: float
    s: float
    curvature: float


def right_edge(eq: SpectralEquation, atoms: tuple[float, ...] = ()) -> Edge:
    """The largest eigenvalue of the continuous part.  On real ``u`` where ``psi_{D^2}`` is
    analytic the solution ``s(u)`` is real; a band's right edge is a local minimum of ``s(u)``
    (``ds/du = 0``, bisection to 1e-15 relative).  Searched on ``(0, 1/d_max)`` and, when
    ``D^2`` is purely atomic with nonzero ``atoms`` (e.g. relu, hard-tanh: {0, 1}), also in the
    gaps ``(1/a_k, 1/a_{k+1})`` and ``(1/a_min, inf)`` between its poles (free projections:
    the continuous part ends below an atom); the largest such minimum.  NOT_FINITE when there
    is none (e.g. orthogonal weights at depth 1: H = sw2 D^2, no square-root edge)."""
    inv = sorted(1.0 / a for a in atoms if a > 0)
    uc = 1.0 / float(eq._d.max())
    spans = [(0.0, uc)] + list(itertools.pairwise(inv)) + (
        [(inv[-1], inv[-1] * 1e8)] if inv else [])
    best: Edge | None = None
    for a, b in spans:
        edge = _minimum_on(eq, a, b)
        if edge is not None and (best is None or edge.s > best.s):
            best = edge
    if best is None:
        raise TheoryCheckError("the S-transform equation has no square-root right edge here "
                               "(s(u) has no minimum on the real axis)", status=Status.NOT_FINITE)
    return best


def _minimum_on(eq: SpectralEquation, a: float, b: float) -> Edge | None:
    """The first local minimum of the real solution s(u) on (a, b) where it is finite."""
    width = b - a
    t = np.unique(np.concatenate([a + width * np.logspace(-12, 0, 240, endpoint=False),
                                  b - width * np.logspace(-1, -13, 120)]))
    with np.errstate(all="ignore"):
        vals = []
        for x in t:
            try:
                ok = eq.real_sign(float(x)) > 0
                vals.append(eq.real_log_x(float(x)) if ok else (math.nan,) * 3)
            except (ValueError, ZeroDivisionError):
                vals.append((math.nan, math.nan, math.nan))
    slopes = np.array([v[1] for v in vals])
    up = np.nonzero((slopes[:-1] < 0) & (slopes[1:] >= 0))[0]
    if up.size == 0:
        return None
    lo, hi = float(t[up[0]]), float(t[up[0] + 1])
    for _ in range(200):
        m = 0.5 * (lo + hi)
        if m in (lo, hi):
            break
        if eq.real_log_x(m)[1] < 0:
            lo = m
        else:
            hi = m
    u = 0.5 * (lo + hi)
    h = 1e-5 * min(u - a, b - u)
    curv = (eq.real_log_x(u + h)[1] - eq.real_log_x(u - h)[1]) / (2 * h)
    # f = -s(u) + s on the real axis, so f''(u_e) = -s''(u_e)
    return Edge(u, eq.real_log_x(u)[0], -curv)


def lower_cut(eq: SpectralEquation, tail: float, s_floor: float) -> tuple[float, float]:
    """``(s_lo, bound)``: a ``ln x`` below which H has continuous mass at most ``bound`` (the
    real-axis bound of :meth:`SpectralEquation.real_log_x` at u < 0): the largest s with
    ``bound <= tail``, but not below ``s_floor``.  Both s and the bound fall as ``-u`` grows."""

    def first(pred: Any) -> float:        # the smallest ln(-u) in [-40, 700] where pred holds
        lo, hi = -40.0, 700.0
        if not pred(hi):
            return hi
        for _ in range(100):
            m = 0.5 * (lo + hi)
            lo, hi = (lo, m) if pred(m) else (m, hi)
            if hi - lo < 1e-9:
                break
        return hi

    m_tail = first(lambda m: eq.real_log_x(-math.exp(m))[2] <= tail)
    m_floor = first(lambda m: eq.real_log_x(-math.exp(m))[0] <= s_floor)
    s, _, bound = eq.real_log_x(-math.exp(min(m_tail, m_floor)))
    return s, bound
