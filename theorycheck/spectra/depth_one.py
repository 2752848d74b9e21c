"""Orthogonal weights at depth 1: ``H = sw2 O D^2 O^T`` has the law of ``sw2 psi'(h)^2`` itself.

No S-transform equation is needed (``S_H = S_{D^2}/sw2``), and none would do: its solution sits on
the cut of ``psi_{D^2}``.  The density follows by a change of variables: with
``d(h) = psi'(h)^2``, ``h ~ N(0, q*)``,

    rho(y) = sum_{h: sw2 d(h) = y}  phi_q(h) / (sw2 |d'(h)|),   d'(h) = 2 psi'(h) psi''(h),

the roots bracketed on the Gaussian node set's x-nodes (sign changes of ``d - y/sw2``, panels
where psi' is exactly constant excluded: those are atoms) and polished by Newton steps.  The
mass and moments of the continuous part are sums over the same node set (``m_k = sw2^k E d^k``
restricted to it), so the normalisation is that of the Gaussian quadrature (~1e-15); the
density's error is the last Newton step relative to the root.  Where ``d'`` vanishes inside the
support (an extremum of psi'^2, e.g. tanh at h = 0) the density has an integrable
inverse-square-root singularity at the edge.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from theorycheck.spectra.s_transform import DiagonalLaw


def depth_one_density(act: Any, law: DiagonalLaw, q: float, sw2: float, points: int
                      ) -> tuple[np.ndarray, np.ndarray, tuple[float, float], float, float]:
    """``(x, rho(x), support, continuous mass, error of x rho(x))`` of ``sw2 psi'(h)^2``."""
    atom_values = {a for a, _ in law.atoms}
    fine = law.fine
    cont = ~np.isin(fine.values, list(atom_values)) & (fine.weights > 0)
    mass = float(fine.weights[cont].sum())
    if mass <= 0:
        return np.zeros(0), np.zeros(0), (0.0, 0.0), 0.0, 0.0
    order = np.argsort(fine.x)
    hx, dv = fine.x[order], fine.values[order]
    keep = cont[order]
    lo, hi = float(dv[keep].min()), float(dv[keep].max())
    lo = max(lo, hi * 1e-300)
    # log-spaced, plus points hi - tau^2 (uniform tau) that resolve a square-root edge at hi
    n_log = max(points // 2, 2)
    y_log = np.exp(np.linspace(math.log(lo), math.log(hi), n_log + 2)[1:-1])
    tau = np.linspace(0.0, math.sqrt(hi * (1 - math.exp(-1))), points - n_log + 1)[1:]
    y = np.unique(np.concatenate([y_log, hi - tau * tau]))
    y = y[(y > lo) & (y < hi)]
    dpsi, d2psi = act.numpy(1), act.numpy(2)
    s = math.sqrt(q)
    rho = np.zeros(y.size)
    worst = 0.0
    seg = keep[:-1] & keep[1:]
    for i, target in enumerate(y):
        g = dv - target
        idx = np.nonzero(seg & (np.sign(g[:-1]) * np.sign(g[1:]) < 0))[0]
        if idx.size == 0:
            continue
        a, b = hx[idx], hx[idx + 1]
        h = a + (b - a) * g[idx] / (g[idx] - g[idx + 1])        # secant start in the bracket
        for _ in range(30):
            p1 = np.asarray(dpsi(h), dtype=float)
            slope = 2 * p1 * np.asarray(d2psi(h), dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(slope != 0, (p1 * p1 - target) / slope, 0.0)
            h_new = np.clip(h - step, a, b)
            moved = np.abs(h_new - h)
            h = h_new
            if np.all(moved <= 1e-15 * (1 + np.abs(h))):
                break
        p1 = np.asarray(dpsi(h), dtype=float)
        slope = np.abs(2 * p1 * np.asarray(d2psi(h), dtype=float))
        phi = np.exp(-0.5 * (h / s) ** 2) / (s * math.sqrt(2 * math.pi))
        rho[i] = float(np.sum(phi / slope))
        # the density of ln y moves by about |d'' / d'| |dh| relative per root; bound by the
        # relative root displacement times the points' density of ln y
        worst = max(worst, float(np.max(moved / (1e-300 + np.abs(h) + s))) * target * rho[i])
    return sw2 * y, rho / sw2, (sw2 * lo, sw2 * hi), mass, worst
