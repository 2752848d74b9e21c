"""``spectrum(act, sw2, sb2, depth)``: the spectral law of ``H = J J^T`` at the fixed point q*.

Inputs resolved once: the activation (``get_activation``), q* and ``mu_1, mu_2`` from
:class:`~theorycheck.meanfield.MeanField` (20 digits), the law of ``D^2 = psi'(h)^2`` from the
Gaussian node set (:func:`~theorycheck.spectra.s_transform.diagonal_law`).  Then:

* atoms -- at 0 with the mass ``p0 = P(psi'(h) = 0)`` (Bercovici-Voiculescu: the kernel of a
  product of free factors is the largest kernel, so the mass does not grow with L at infinite
  width); with orthogonal weights also at ``(sw2 a)^L`` with mass ``max(0, L p_a - (L - 1))``
  for each atom ``(a, p_a)`` of ``D^2`` (a Marchenko-Pastur factor has no atom, so Gaussian
  weights leave only the one at 0);
* the continuous density on ``points`` log-spaced x from the S-transform equation
  (:mod:`~theorycheck.spectra.density`), with its error from the law at two resolutions;
* the moments m1, m2 (Eqs. (64)-(65)) and m3 (the series of
  :func:`~theorycheck.spectra.moments.free_moments`) against the integrals of the density plus
  the atoms, and the total mass (continuous + atoms + the bounded tail below the grid).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from theorycheck.activations import get_activation
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.jumps import jacobian_statement
from theorycheck.meanfield.unique_point import unique_stable_q_star
from theorycheck.spectra.density import integrate, solve_path
from theorycheck.spectra.depth_one import depth_one_density
from theorycheck.spectra.moments import free_moments, jacobian_moments_inf
from theorycheck.spectra.result import SpectrumResult
from theorycheck.spectra.s_transform import (
    WEIGHTS,
    DiagonalLaw,
    SpectralEquation,
    diagonal_law,
    lower_cut,
    right_edge,
)

MAX_DEPTH = 10_000
#: mass allowed below the integration range (bounded, reported) and below the output grid
TAIL_INTEGRAL, TAIL_GRID = 1e-12, 1e-7
METHOD = ("S-transform equation L Log(v/sw2) + Log w -/+ ... + ln x = 0 in u = chi_{D^2}(w), "
          "Newton with continuation from the right edge (PSG 2017/2018; seed 000 Eq. (60)); "
          "psi_{D^2} on the Gaussian node set (24 vs 16 points per panel)")


def _theory_moments(law: DiagonalLaw, mu1: float, mu2: float, err: tuple[float, float],
                    sw2: float, depth: int, weights: str) -> dict[str, dict[str, float]]:
    s1 = -1.0 if weights == "gaussian" else 0.0
    m1, m2 = jacobian_moments_inf(sw2 * mu1, mu2 / mu1**2, depth, s1)
    mu = [mu1, mu2, law.mu[2]]
    m3 = free_moments(mu, sw2, depth, weights)[2]
    # propagate the mu errors by one-sided differences (the moments are polynomials in mu)
    errs = [err[0], err[1], law.mu_error[2]]
    e = [0.0, 0.0, 0.0]
    for i in range(3):
        bumped = list(mu)
        bumped[i] += errs[i]
        d = free_moments(bumped, sw2, depth, weights)
        e = [a + abs(b - c) for a, b, c in zip(e, d, (m1, m2, m3), strict=True)]
    return {"m1": {"value": m1, "error": e[0] + 1e-15 * abs(m1)},
            "m2": {"value": m2, "error": e[1] + 1e-15 * abs(m2)},
            "m3": {"value": m3, "error": e[2] + 1e-15 * abs(m3)}}


def _atoms(law: DiagonalLaw, sw2: float, depth: int, weights: str) -> list[tuple[float, float]]:
    out = []
    if law.zero_mass > 0:
        out.append((0.0, law.zero_mass))
    if weights == "orthogonal":
        for a, p in law.atoms:
            mass = depth * p - (depth - 1)
            if a > 0 and mass > 1e-14:
                out.append((math.exp(depth * math.log(sw2 * a)), min(1.0, mass)))
    return out


def _law_at_q(a: Any, sw2: float, sb2: float, notes: list[str], panel: float,
                    reference: bool
                    ) -> tuple[float, DiagonalLaw, float, float, tuple[float, float]]:
    """q*, the law of D^2 there, mu1, mu2 (MeanField, 20 digits) and their errors (plus the
    node set's difference).  Where every q is a fixed point (linear, relu at the marginal
    point) but the law of psi'(h)^2 is the same at every q (a positively homogeneous psi), q* is
    not needed: the law is taken at q = 1, with a note."""
    mf = MeanField(a, dps=20)
    try:
        q_star = (float(mf.q_star(sw2, sb2).value) if reference
                  else unique_stable_q_star(a, sw2, sb2))
    except TheoryCheckError as exc:
        if exc.status != Status.NON_UNIQUE_FIXED_POINT:
            raise
        law, other = diagonal_law(a, 1.0, panel=panel), diagonal_law(a, 3.7, panel=panel)
        if any(abs(x - y) > 1e-13 * abs(x) for x, y in zip(law.mu, other.mu, strict=True)):
            if not reference:
                raise
            # the marginal case near q = 0 (the DI point): the float64 scan's attracting point
            q_star = unique_stable_q_star(a, sw2, sb2)
            notes.append(f"{exc.message}; the float64 scan finds one attracting fixed point, "
                         f"q* = {q_star:.6g}")
            law = diagonal_law(a, q_star, panel=panel)
            return q_star, law, law.mu[0], law.mu[1], (law.mu_error[0], law.mu_error[1])
        notes.append(f"{exc.message}; the law of psi'(h)^2 does not depend on q (checked at "
                     "q = 1 and 3.7), so the spectrum is that at q = 1")
        return 1.0, law, law.mu[0], law.mu[1], (law.mu_error[0], law.mu_error[1])
    law = diagonal_law(a, q_star, panel=panel)
    if not reference:
        return q_star, law, law.mu[0], law.mu[1], (law.mu_error[0], law.mu_error[1])
    mu1e, mu2e = mf.mu(1, sw2, sb2), mf.mu(2, sw2, sb2)
    mu1, mu2 = float(mu1e.value), float(mu2e.value)
    err = (float(mu1e.error) + abs(mu1 - law.mu[0]), float(mu2e.error) + abs(mu2 - law.mu[1]))
    return q_star, law, mu1, mu2, err


def _depth_one(a: Any, law: DiagonalLaw, q_star: float, sw2: float, points: int,
               base: dict[str, Any], atoms: list[tuple[float, float]], t0: float
               ) -> SpectrumResult:
    """Orthogonal weights, L = 1: the law of sw2 psi'(h)^2 by a change of variables."""
    x, rho, support, mass, err = depth_one_density(a, law, q_star, sw2, points)
    cont = ~np.isin(law.fine.values, [v for v, _ in law.atoms]) & (law.fine.weights > 0)
    dm = {}
    for k in (1, 2, 3):
        at = sum(m * loc**k for loc, m in atoms)
        val = float(np.sum(law.fine.weights[cont] * (sw2 * law.fine.values[cont]) ** k))
        dm[f"m{k}"] = {"value": val + at, "error": law.mu_error[k - 1] * sw2**k}
    total = mass + sum(m for _, m in atoms)
    norm = {"continuous": mass, "atoms": total - mass, "tail_bound": 0.0, "total": total,
            "error": 1e-14, "expected_continuous": mass}
    lower = min([support[0], *(loc for loc, _ in atoms)])
    upper = max([support[1], *(loc for loc, _ in atoms)])
    return SpectrumResult(**base, x=x, density=rho, density_log_x=rho * x,
                          density_error=err + 1e-13,
                          support=(lower, upper), density_moments=dm, normalisation=norm,
                          method="depth 1, orthogonal: H = sw2 psi'(h)^2, density by change "
                                 "of variables (roots of psi'^2 = x/sw2, Newton)",
                          seconds=time.perf_counter() - t0)


def spectrum(act: Any, sw2: float, sb2: float, depth: int, *, weights: str = "gaussian",
             points: int = 400, reference: bool = True) -> SpectrumResult:
    """The spectral law of ``J J^T`` for a depth-``depth`` network at q* (see the module doc).

    ``reference=False``: q* from the float64 grid engine and mu_k from the law's node set
    (~1e-12, no mpmath; what the quick profile uses) instead of MeanField at 20 digits.
    Raises NOT_FINITE for an activation with jumps (psi' has a point mass: mu1 = inf) and the
    mean field's statuses where q* does not exist.
    """
    t0 = time.perf_counter()
    if weights not in WEIGHTS:
        raise TheoryCheckError(f"--weights must be one of {WEIGHTS}, got {weights!r}",
                               status=Status.INVALID_ARGUMENT)
    if not (isinstance(depth, int) and 1 <= depth <= MAX_DEPTH):
        raise TheoryCheckError(f"depth must be an integer in [1, {MAX_DEPTH}], got {depth}",
                               status=Status.INVALID_ARGUMENT)
    if not (isinstance(points, int) and 10 <= points <= 100_000):
        raise TheoryCheckError(f"points must be in [10, 100000], got {points}",
                               status=Status.INVALID_ARGUMENT)
    if not (math.isfinite(sw2) and sw2 > 0 and math.isfinite(sb2) and sb2 >= 0):
        raise TheoryCheckError(f"need sw2 > 0 and sb2 >= 0, got sw2={sw2}, sb2={sb2}",
                               status=Status.INVALID_ARGUMENT)
    a = get_activation(act) if isinstance(act, str) else act
    jump = jacobian_statement(a)
    if jump is not None:
        raise TheoryCheckError(jump, status=Status.NOT_FINITE)
    notes: list[str] = []
    # orthogonal weights put u closer to the cut of psi_{D^2}: a finer node set
    panel = 0.25 if weights == "orthogonal" else 0.5
    q_star, law, mu1, mu2, err = _law_at_q(a, sw2, sb2, notes, panel, reference)
    if law.underflow_mass > 0:
        notes.append(f"psi'^2 underflows float64 on Gaussian mass {law.underflow_mass:.3g}: "
                     "those eigenvalues count as (not exactly) 0")
    atoms = _atoms(law, sw2, depth, weights)
    if law.zero_mass > 0 and depth > 1:
        notes.append(f"the atom at 0 has mass P(psi' = 0) = {law.zero_mass:.6g} at every depth "
                     "(infinite width); a width-N network's zero fraction is 1 - min_l "
                     "rank(D_l)/N, the extreme of L binomials: it exceeds this by "
                     "O(sqrt(log L / N)) and grows with L")
    atom_mass = sum(m for _, m in atoms)
    try:
        moments = _theory_moments(law, mu1, mu2, err, sw2, depth, weights) if mu1 > 0 else {
            k: {"value": 0.0, "error": 0.0} for k in ("m1", "m2", "m3")}
    except OverflowError:
        moments = {k: {"value": math.inf, "error": math.inf} for k in ("m1", "m2", "m3")}
        notes.append("the moments overflow float64 (chi1^L beyond 1e308)")
    empty = np.zeros(0)
    base: dict[str, Any] = {"activation": str(a.name), "sw2": sw2, "sb2": sb2,
                            "depth": depth, "weights": weights, "q_star": q_star,
                            "atoms": atoms, "moments": moments, "notes": notes}
    if 1.0 - atom_mass <= 1e-12:      # purely atomic: D^2 = 0, or orthogonal and D^2 constant
        exact = {k: {"value": sum(m * loc**i for loc, m in atoms), "error": 0.0}
                 for i, k in ((1, "m1"), (2, "m2"), (3, "m3"))}
        locs = [loc for loc, _ in atoms]
        return SpectrumResult(**base, x=empty, density=empty, density_log_x=empty,
                              density_error=0.0, support=(min(locs), max(locs)),
                              density_moments=exact, method="atoms only (exact)",
                              normalisation={"continuous": 0.0, "atoms": atom_mass,
                                             "tail_bound": 0.0, "total": atom_mass,
                                             "error": 1e-15},
                              seconds=time.perf_counter() - t0)
    eq = SpectralEquation(law.fine, sw2, depth, weights)
    eq_c = SpectralEquation(law.coarse, sw2, depth, weights)
    if weights == "orthogonal" and depth == 1:
        return _depth_one(a, law, q_star, sw2, points, base, atoms, t0)
    # a purely atomic D^2 (relu, hard-tanh) has real gaps between its poles
    poles = tuple(v for v, _ in law.atoms if v > 0) if sum(
        m for _, m in law.atoms) > 1 - 1e-12 else ()
    edge = right_edge(eq, poles)
    s_int, tail_int = lower_cut(eq, TAIL_INTEGRAL, edge.s - 1e5)
    s_grid_lo, _ = lower_cut(eq, TAIL_GRID, max(edge.s - 1e5, -690.0))
    s = np.linspace(s_grid_lo, edge.s, points + 1)[:-1]
    s = np.append(s, edge.s - 1e-12 * max(1.0, abs(edge.s)))
    sol = solve_path(eq, edge, s)
    edge_c = right_edge(eq_c, poles)
    sol_c = solve_path(eq_c, edge_c, s)
    dens_err = float(np.max(np.abs(sol.rho_s - sol_c.rho_s))) + 1e-13
    ints = integrate(eq, edge, s_int, s_grid_lo, coarse=(eq_c, edge_c))
    dm: dict[str, dict[str, float]] = {}
    for i, k in enumerate(("m1", "m2", "m3")):
        at = sum(m * loc ** (i + 1) for loc, m in atoms)
        dm[k] = {"value": ints.moments[i] + at, "error": ints.moment_errors[i]}
    total = ints.mass + atom_mass
    norm = {"continuous": ints.mass, "atoms": atom_mass, "tail_bound": tail_int,
            "total": total, "error": ints.mass_error + tail_int, "expected_continuous":
            1.0 - atom_mass}
    if not norm["error"] < 1e-3 or abs(total - 1.0) > 1e-3:
        raise TheoryCheckError(
            f"the S-transform solution did not converge here (total mass {total:.6g} ± "
            f"{norm['error']:.2g}, worst |f| {max(sol.residual, ints.residual):.2g})",
            status=Status.PRECISION_NOT_REACHED)
    worst = max(sol.residual, ints.residual)
    if worst > 1e-8:
        notes.append(f"Newton left |f| = {worst:.2e} at some point")
    x = np.exp(s)
    lower = 0.0 if weights == "gaussian" or law.zero_mass > 0 or \
        float(law.fine.values[law.fine.weights > 0].min()) == 0.0 else math.exp(s_grid_lo)
    if lower > 0:
        notes.append("the lower edge is the grid's start (the mass below it is < "
                     f"{TAIL_GRID:g}); not solved for")
    with np.errstate(over="ignore"):
        dens = sol.rho_s / x
    return SpectrumResult(**base, x=x, density=dens, density_log_x=sol.rho_s,
                          density_error=dens_err, support=(lower, math.exp(edge.s)),
                          density_moments=dm, normalisation=norm, method=METHOD,
                          seconds=time.perf_counter() - t0)


__all__ = ["spectrum"]
