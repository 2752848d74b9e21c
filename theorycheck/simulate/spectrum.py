"""Eigenvalues of ``J J^T`` of finite random networks against the infinite-width spectral law.

Each network: inputs ``x ~ N(0, q* I)``, J formed by L matrix products and its squared
singular values taken (:func:`theorycheck.simulate.jacobian._one_batch`, method ``exact``; cost
``L N^3`` per network).  The statistic is the Kolmogorov-Smirnov distance
``D = sup_x |F_emp(x) - F(x)|`` between the empirical CDF of all ``S N`` eigenvalues and the
CDF of :class:`~theorycheck.spectra.SpectrumResult` (atoms + the density, integrated on its
grid).  A squared singular value below ``(N eps)^2 sigma_max^2`` is rounding and counts as
0 (relu, hard-tanh: ``P(psi' = 0) > 0`` gives an atom at 0).

Tolerance (derived, stated with every result):

    ks_tolerance = sqrt(ln(2/alpha) / (2 S N))  +  (L + 1)/N  +  cdf_error

* the Dvoretzky-Kiefer-Wolfowitz bound at level ``alpha = 1e-3`` for ``n_eff = S N`` draws.
  The randomness of one network's spectrum beyond the weights is that of its diagonals: each
  ``D_l`` holds N i.i.d. entries, whose empirical law has exactly the DKW fluctuation at n = N;
  the eigenvalues of the random products themselves are more rigid than i.i.d. draws (their
  empirical CDF fluctuates at O(log N / N) for a single Marchenko-Pastur factor).  The S
  networks are independent.  So ``n_eff = S N``: one network's eigenvalues count as N draws.
* the finite-width bias: ``E F_emp - F = O(1/N)`` per layer (the 1/N corrections of the moments
  in :mod:`theorycheck.simulate.jacobian` grow like L/N, the depth-to-width ratio of seed 003);
  we allow ``(L + 1)/N`` (unit constant, one term for the input layer's q fluctuation);
* the theory CDF's own error (trapezoid on the density grid, bounded by comparing with the
  grid's mass).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.jacobian import _bytes, _one_batch
from theorycheck.simulate.networks import NetSpec
from theorycheck.simulate.theory import resolve_activation
from theorycheck.spectra import SpectrumResult

ALPHA = 1e-3


def ks_distance(samples: np.ndarray, cdf: Any, cdf_left: Any = None) -> float:
    """``sup_x |F_emp(x) - F(x)|`` for 1-d ``samples``: at each sample ``i/n - F(e_i)`` and,
    just below it, ``F(e_i-) - (i - 1)/n`` (``cdf_left`` gives ``F(x-)``; needed where F has
    atoms; ties count once, at their first index)."""
    e = np.sort(np.asarray(samples, dtype=float))
    n = e.size
    f = np.asarray(cdf(e), dtype=float)
    f_left = f if cdf_left is None else np.asarray(cdf_left(e), dtype=float)
    first = np.searchsorted(e, e, side="left")
    last = np.searchsorted(e, e, side="right")
    return float(max(np.max(last / n - f), np.max(f_left - first / n), 0.0))


def ks_tolerance(width: int, depth: int, samples: int, cdf_error: float) -> float:
    """The tolerance of the module doc."""
    dkw = math.sqrt(math.log(2 / ALPHA) / (2 * samples * width))
    return dkw + (depth + 1) / width + cdf_error


def simulate_spectrum(theory: SpectrumResult, act: Any, *, width: int, samples: int = 2,
                      seed: int = 0, placement: Placement,
                      precision: str = "float64") -> dict[str, Any]:
    """Eigenvalues of J J^T for ``samples`` networks of width ``width`` at the theory's
    (sw2, sb2, depth, weights, q*); the KS distance to ``theory.cdf`` and its tolerance."""
    if width < 2 or samples < 1:
        raise TheoryCheckError("need width >= 2 and at least one network",
                               status=Status.INVALID_ARGUMENT)
    place = torch_placement(placement, precision, entry="simulate.spectrum.simulate_spectrum")
    fns = resolve_activation(act)
    spec = NetSpec(theory.sw2, theory.sb2, width, theory.depth, weights=theory.weights)
    per = _bytes("exact", 1, width, 2, place.dtype)
    memory.ensure_fits(per, place.device, f"the Jacobian of one width-{width} network",
                       size=width)
    batch = max(1, min(memory.chunk_count(per, samples, place.device), 8))
    gen = place.generator(seed)
    t0 = time.perf_counter()
    eig = []
    done = 0
    with torch.no_grad():
        while done < samples:
            b = min(batch, samples - done)
            _, _, sv2 = _one_batch(fns, spec, theory.q_star, b, "exact", 2, gen, place)
            assert sv2 is not None
            # numerical rank: a singular value below N eps sigma_max is a rounding-level 0
            eps = float(torch.finfo(place.dtype).eps)
            floor = (width * eps) ** 2 * sv2.max(axis=1, keepdims=True)
            eig.append(np.where(sv2 <= floor, 0.0, sv2).ravel())
            done += b
    ev = np.concatenate(eig)
    if not np.all(np.isfinite(ev)):
        raise TheoryCheckError("the Jacobian over- or underflowed; use fewer layers",
                               status=Status.NOT_FINITE)
    n = theory.normalisation
    cdf_error = abs(n.get("total", 1.0) - 1.0) + n.get("error", 0.0) + _grid_cdf_error(theory)
    dist = ks_distance(ev, theory.cdf, lambda x: theory.cdf(x, left=True))
    tol = ks_tolerance(width, theory.depth, samples, cdf_error)
    return {"ks_distance": dist, "ks_tolerance": tol, "agree": bool(dist <= tol),
            "width": width, "networks": samples, "eigenvalue_count": int(ev.size),
            "seed": seed, "device": place.name, "seconds": time.perf_counter() - t0,
            "tolerance_derivation": (
                f"DKW at alpha={ALPHA:g} for n_eff = S*N = {samples * width} "
                f"({math.sqrt(math.log(2 / ALPHA) / (2 * samples * width)):.4g}) + finite-width "
                f"bias (L+1)/N = {(theory.depth + 1) / width:.4g} + theory CDF error "
                f"{cdf_error:.2g} (see simulate/spectrum.py)"),
            "eigenvalues": ev}


def _grid_cdf_error(theory: SpectrumResult) -> float:
    """How far the trapezoid CDF on the output grid is from the integrated mass (before the
    renormalisation :meth:`SpectrumResult.cdf` applies), plus the mass below the grid."""
    if theory.x.size < 2:
        return 0.0
    s = np.log(theory.x)
    trap = float(np.sum(0.5 * (theory.density_log_x[1:] + theory.density_log_x[:-1])
                        * np.diff(s)))
    return abs(trap - theory.normalisation.get("continuous", 0.0)) + 1e-7
