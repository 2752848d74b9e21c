"""The spectral density of ``H = J J^T`` from the S-transform equation, and its integrals.

Method (:mod:`theorycheck.spectra.s_transform` for the equation): Newton's method in the
complex unknown ``u`` at each ``s = ln x``, by continuation from the right edge ``x_max``
downwards.  At the edge the real solution ``u_e`` is a double root, so the first point starts
from ``u_e + delta``, ``delta = -i sqrt(2 (s_e - s)/f''(u_e))`` (the square-root edge), and every
later one from the linear extrapolation of the last two solutions.  Steps are halved while they
leave the lower half-plane or do not reduce ``|f|``; convergence at ``|step| <= 1e-14 |u|``.
The density of ``ln x`` is ``rho_s = -Im w/pi`` and that of x is ``rho_s/x``.

Integrals (mass, moments) use ``s = s_e - tau^2`` (the square-root edge becomes smooth:
``rho_s ds = 2 tau rho_s dtau``) on uniform panels in tau with composite Gauss-Legendre nodes
from :func:`theorycheck.gaussian.panel_nodes`, at 16 and 8 points per panel; their difference
is the quadrature error.  Below ``s_lo`` the mass is bounded by the real-axis tail bound.
Accuracy: Newton to ~1e-14 relative in u; the law's node set to the two-resolution difference
(~1e-11 for smooth psi on Gaussian weights; slower where u approaches the cut, orthogonal
weights at small depth); the integrals to ~1e-12 on 24+ panels.  Cost: a few Newton steps of
one pass over the law's ~1500 nodes per point: ~0.1 ms per point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import panel_nodes
from theorycheck.spectra.s_transform import Edge, SpectralEquation

NEWTON_STEPS = 80


@dataclass(frozen=True)
class PathSolution:
    """``rho_s`` (density of ln x) at the given ``s`` values, with the worst ``|f|`` left."""

    s: np.ndarray
    rho_s: np.ndarray
    residual: float


def solve_path(eq: SpectralEquation, edge: Edge, s: np.ndarray) -> PathSolution:
    """``rho_s`` at the points ``s`` (any order; points at or above the edge give 0)."""
    order = np.argsort(-s)
    rho = np.zeros(s.size)
    worst = 0.0
    prev: list[complex] = []
    for i in order:
        si = float(s[i])
        if si >= edge.s:
            continue
        if not prev:
            delta = math.sqrt(2 * (edge.s - si) / abs(edge.curvature))
            u = complex(edge.u, -delta)
        elif len(prev) == 1:
            u = prev[-1]
        else:
            u = 2 * prev[-1] - prev[-2]
            if u.imag >= 0:
                u = prev[-1]
        u, res, w = _newton(eq, u, si)
        worst = max(worst, res)
        prev = [*prev[-1:], u if u.imag < 0 else complex(u.real, -1e-12 * abs(u))]
        rho[i] = max(0.0, -w.imag / math.pi)
    return PathSolution(s, rho, worst)


def _newton(eq: SpectralEquation, u: complex, s: float) -> tuple[complex, float, complex]:
    f, df, w = eq.residual(u, s)
    for _ in range(NEWTON_STEPS):
        step = f / df
        lam = 1.0
        for _ in range(40):
            un = u - lam * step
            if un.imag <= 0 and un.real != 0:
                fn, dfn, wn = eq.residual(un, s)
                if np.isfinite(fn) and abs(fn) < abs(f) * (1 - 1e-4 * lam) + 1e-15:
                    break
            lam *= 0.5
        else:
            break
        u, f, df, w = un, fn, dfn, wn
        if abs(lam * step) <= 1e-14 * abs(u) or abs(f) < 1e-15:
            break
    return u, float(abs(f)), w


@dataclass(frozen=True)
class Integrals:
    """``int rho_s ds`` and ``int e^(k s) rho_s ds`` (k = 1..3) over ``(s_lo, s_e)``, with the
    16- vs 8-point difference as the error."""

    mass: float
    mass_error: float
    moments: tuple[float, float, float]
    moment_errors: tuple[float, float, float]
    residual: float
    points: int


def integrate(eq: SpectralEquation, edge: Edge, s_lo: float, s_bulk: float,
              coarse: tuple[SpectralEquation, Edge] | None = None,
              panels: tuple[int, int] = (24, 8)) -> Integrals:
    """Mass and first three moments of the continuous part on ``(s_lo, s_e)``: ``panels[0]``
    panels in tau over the bulk ``(s_bulk, s_e)``, ``panels[1]`` over the tail below.  The
    error adds the 16- vs 8-point difference and, with ``coarse`` (the equation on the law's
    coarse node set), the difference the law's resolution makes."""
    if not s_lo < edge.s:
        raise TheoryCheckError("empty support", status=Status.NOT_FINITE)
    top = math.sqrt(edge.s - s_lo)
    mid = min(top, math.sqrt(max(edge.s - s_bulk, 0.0)))
    cuts = np.linspace(0.0, mid, panels[0] + 1)
    if top > mid * (1 + 1e-12):
        cuts = np.concatenate([cuts, np.linspace(mid, top, panels[1] + 1)[1:]])
    runs = [(eq, edge, 16), (eq, edge, 8)] + ([(coarse[0], coarse[1], 16)] if coarse else [])
    out = []
    worst = 0.0
    n_pts = 0
    for equation, e, n in runs:
        tau, wt = panel_nodes(cuts, n)
        s = edge.s - tau * tau
        sol = solve_path(equation, e, s)
        worst = max(worst, sol.residual)
        n_pts += s.size
        base = wt * 2 * tau * sol.rho_s
        vals = [float(np.sum(base))]
        # e^(k s) = (e^s)^k: shift by the edge to avoid overflow at large depth
        for k in (1, 2, 3):
            scale = math.exp(k * edge.s) if k * edge.s < 709 else math.inf   # overflow: inf
            vals.append(float(np.sum(base * np.exp(k * (s - edge.s)))) * scale)
        out.append(vals)
    fine = out[0]
    with np.errstate(invalid="ignore"):
        err = [sum(abs(a - other[i]) for other in out[1:]) + 1e-15 * abs(a)
               if math.isfinite(a) else math.inf for i, a in enumerate(fine)]
    return Integrals(fine[0], err[0], (fine[1], fine[2], fine[3]), (err[1], err[2], err[3]),
                     worst, n_pts)
