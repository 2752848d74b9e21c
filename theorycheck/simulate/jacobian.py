"""Spectral moments of ``H = J^T J`` for the input-output Jacobian of random deep networks.

Setting (seed 000, Eqs. (60)-(65); seed 002, Sec. 3.2, Eq. (11)): inputs ``x^(0) ~ N(0, q* I)``
at the stable fixed point, ``J = dx^(L)/dx^(0) = W^(L) D^(L-1) ... W^(1) D^(0)`` with
``D^(l) = diag psi'(x^(l))``, and the normalised moments ``m_k = (1/N) tr H^k``. Theory
(Eqs. (64)-(65)): ``m1 = (sw2 mu1)^L``, ``m2 = (sw2 mu1)^(2L) (mu2/mu1^2 + 1/L - 1 - s1) L``,
``mu_k = Int psi'(sqrt(q*) z)^(2k) Dz``, ``s1 = -1`` (Gaussian), ``0`` (orthogonal).

Methods (per network; ``S`` independent networks, each with its own input and probes):

* ``exact``: form J by L matrix products (cost ``L N^3``), ``m_k`` from its singular values,
  plus the spectrum of H for the histogram. For moderate N.
* ``probe``: never forms J. With ``k`` Gaussian probes ``V`` (N x k), one forward sweep computes
  ``U = J V`` by Jacobian-vector products (``u <- W (d * u)``, cost ``2 L N^2 k``) while the
  weights are drawn, so no weights are stored. With ``G = U^T U`` (``G_ab = v_a^T H v_b``):
  ``E G_aa = tr H`` and, for a != b, ``E G_ab^2 = tr H^2`` (v, w independent standard normal:
  ``E (v^T H w)^2 = E w^T H^2 w``), so ``m1 = mean_a G_aa / N`` and
  ``m2 = mean_{a<b} G_ab^2 / N`` are unbiased (stochastic trace / U-statistic estimators).
  Their probe noise is part of the spread across networks, hence of the standard error.

Finite-width correction and tolerance. Conditioning on everything below layer l, with
``C = D B D`` (``B = J_{l-1} J_{l-1}^T``) and Gaussian ``W`` of variance ``s/N`` (``s = sw2``),
Wick's theorem gives exactly
``E tr(W C W^T)/N = s c1``,
``E tr((W C W^T)^2)/N = s^2 [(1 + 1/N) c2 + c1^2]``,
``E (tr(W C W^T)/N)^2 = s^2 [c1^2 + 2 c2/N^2]``,
``E (1/N) sum_i (W C W^T)_ii^2 = s^2 [c1^2 + 2 c2/N]``,
with ``c_k = tr C^k / N``; for Haar-orthogonal ``W = sqrt(s) O``: ``tr`` and ``tr(.)^2`` are
exact and ``E (o^T C o)^2 = ((tr C)^2 + 2 tr C^2) / (N (N + 2))``. If the entries ``d^2`` of D
are i.i.d. with ``E d^2 = mu1``, ``E d^4 = mu2`` and independent of W (the free-probability
model behind Eqs. (62)-(65)), ``E c1 = mu1 b1``, ``E c2 = mu1^2 b2 + (mu2 - mu1^2) e``,
``E c1^2 = mu1^2 E b1^2 + (mu2 - mu1^2) e / N``, ``e = (1/N) sum_i B_ii^2``: a closed linear
recursion for ``(b1, b2, E b1^2, e)`` (:func:`theory.jacobian_moments_finite`), exact for linear
networks and equal to Eqs. (64)-(65) as N -> inf. Its difference from Eqs. (64)-(65),
``Delta_N``, is the known O(L/N) finite-width correction. What it leaves out (fluctuations
of the layer variance around q* and the dependence of D on W) is O(1/N) per layer and, by the
depth-to-width expansion of seed 003 (successive orders scale as r = L/N), of relative size
r times the leading order. These effects exist only through the spread of ``psi'^2``, whose
relative size is ``1 - mu1^2/mu2`` (zero for linear networks, where the recursion is exact), so

    bias_bound_k = |Delta_N,k| + r * |m_k| * (1 - mu1^2/mu2)   (+ quadrature error)

and the tolerance is ``z * stderr + bias_bound_k``, z Bonferroni-corrected over the 2 moments.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.finite_width import MapTheory
from theorycheck.meanfield.jumps import jacobian_statement
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import TorchPlacement, torch_placement
from theorycheck.simulate.networks import NetSpec, draw_bias, draw_weights
from theorycheck.simulate.result import Measurement, compare, mean_stderr, z_value
from theorycheck.simulate.theory import ActFns
from theorycheck.spectra import jacobian_moments_finite, jacobian_moments_inf

METHODS = ("auto", "exact", "probe")
#: largest width for which ``method="auto"`` forms J
EXACT_MAX_WIDTH = 512


def _bytes(method: str, batch: int, width: int, probes: int, dtype: torch.dtype) -> int:
    nb = memory.dtype_bytes(dtype)
    if method == "exact":
        return nb * batch * (4 * width * width + 4 * width)   # W, J, product, SVD work
    return nb * batch * (2 * width * width + 3 * width * (probes + 1))


def _one_batch(act: ActFns, spec: NetSpec, q_star: float, batch: int, method: str,
               probes: int, gen: torch.Generator, place: TorchPlacement
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    n = spec.width
    x = torch.randn(batch, n, 1, generator=gen, device=place.device, dtype=place.dtype)
    x.mul_(math.sqrt(q_star))
    if method == "exact":
        j = None
    else:
        u = torch.randn(batch, n, probes, generator=gen, device=place.device, dtype=place.dtype)
    for _layer in range(spec.depth):
        w = draw_weights(gen, place, batch, n, n, spec.weights, spec.sw2)
        b = draw_bias(gen, place, batch, n, spec.sb2)
        d = act.torch1(x)                                   # (B, N, 1): psi'(x^(l-1))
        if method == "exact":
            j = w * d.transpose(1, 2) if j is None else torch.bmm(w, d * j)
        else:
            u = torch.bmm(w, d * u)
        x = torch.baddbmm(b, w, act.torch0(x))
        del w
    if method == "exact":
        assert j is not None
        sv2 = torch.linalg.svdvals(j) ** 2                  # eigenvalues of H = J^T J
        m1 = sv2.mean(dim=1)
        m2 = (sv2 * sv2).mean(dim=1)
        return m1.cpu().numpy(), m2.cpu().numpy(), sv2.cpu().numpy()
    g = torch.bmm(u.transpose(1, 2), u)                     # (B, k, k)
    m1, m2 = _gram_moments(g, n)
    # probe noise alone: the two halves of the probes give independent estimates for the
    # same network; (a - b)^2 / 4 estimates the variance of their mean
    h = probes // 2
    a1, a2 = _gram_moments(g[:, :h, :h], n)
    b1, b2 = _gram_moments(g[:, h:2 * h, h:2 * h], n)
    noise = np.stack([((a1 - b1) / 2).cpu().numpy(), ((a2 - b2) / 2).cpu().numpy()])
    return m1.cpu().numpy(), m2.cpu().numpy(), noise


def _gram_moments(g: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(m1, m2)`` per network from a Gram matrix of probe images (see module doc)."""
    k = g.shape[-1]
    diag = torch.diagonal(g, dim1=1, dim2=2)
    off = (g * g).sum(dim=(1, 2)) - (diag * diag).sum(dim=1)
    return diag.mean(dim=1) / n, off / (k * (k - 1)) / n


def measure_jacobian(act: ActFns, spec: NetSpec, samples: int, seed: int, *,
                     placement: Placement, precision: str = "auto", method: str = "auto",
                     probes: int = 64, theory_m1: float | None = None,
                     theory_m2: float | None = None, bins: int = 60) -> Measurement:
    """Measure m1, m2 of the Jacobian spectrum over ``samples`` networks; compare to (64)-(65).

    ``theory_m1``/``theory_m2`` override the computed predictions (used to check that a wrong
    prediction is flagged). The headline quantity is m2; m1 is in ``extra``.
    """
    place = torch_placement(placement, precision, entry="simulate.jacobian.measure_jacobian")
    if method not in METHODS:
        raise TheoryCheckError(f"unknown Jacobian method {method!r}; choose one of {METHODS}",
                               status=Status.INVALID_ARGUMENT)
    if spec.in_dim not in (None, spec.width):
        raise TheoryCheckError("the Jacobian measurement needs a square network (in_dim = width)",
                               status=Status.INVALID_ARGUMENT)
    if method == "auto":
        method = "exact" if spec.width <= EXACT_MAX_WIDTH else "probe"
    if method == "probe" and probes < 2:
        raise TheoryCheckError("probe method needs at least 2 probes",
                               status=Status.INVALID_ARGUMENT)
    if samples < 2:
        raise TheoryCheckError("need at least 2 network samples", status=Status.INVALID_ARGUMENT)

    jump = jacobian_statement(act.source) if act.source is not None else None
    if jump is not None:
        raise TheoryCheckError(jump, status=Status.NOT_FINITE)
    t_start = time.perf_counter()
    mt = MapTheory(act, spec.sw2, spec.sb2)
    q_star = mt.q_star()
    mu1, mu2 = mt.mu(1, q_star), mt.mu(2, q_star)
    source = "float64 quadrature (simulate.theory)"
    if act.source is not None:
        try:  # the high-precision reference, when the activation came from theorycheck
            mf = MeanField(act.source, dps=20)
            q_ref = float(mf.q_star(spec.sw2, spec.sb2).value)
            mu1_ref = float(mf.mu(1, spec.sw2, spec.sb2).value)
            mu2_ref = float(mf.mu(2, spec.sw2, spec.sb2).value)
            mt.quad_error = max(mt.quad_error, abs(mu1_ref - mu1), abs(mu2_ref - mu2))
            q_star, mu1, mu2 = q_ref, mu1_ref, mu2_ref
            source = "theorycheck.meanfield (mpmath, 20 digits)"
        except TheoryCheckError:
            pass
    s1 = -1.0 if spec.weights == "gaussian" else 0.0
    if mu1 <= 0:
        raise TheoryCheckError("mu1 = 0 at q*: the Jacobian vanishes", status=Status.NOT_FINITE)
    m1_inf, m2_inf = jacobian_moments_inf(spec.sw2 * mu1, mu2 / mu1**2, spec.depth, s1)
    m1_fin, m2_fin = jacobian_moments_finite(spec.sw2, mu1, mu2, spec.depth, spec.width,
                                             spec.weights)
    r = spec.depth / spec.width
    nonlin = 1.0 - mu1 * mu1 / mu2
    bias1 = abs(m1_fin - m1_inf) + r * abs(m1_inf) * nonlin + mt.quad_error * spec.depth
    bias2 = abs(m2_fin - m2_inf) + r * abs(m2_inf) * nonlin + mt.quad_error * spec.depth
    th1 = m1_inf if theory_m1 is None else theory_m1
    th2 = m2_inf if theory_m2 is None else theory_m2

    per = _bytes(method, 1, spec.width, probes, place.dtype)
    memory.ensure_fits(per, place.device, f"the Jacobian of one width-{spec.width} network "
                       f"({method})", fits_for=lambda bud: memory.largest_fitting(
                           lambda w: _bytes(method, 1, w, probes, place.dtype), bud, spec.width),
                       size=spec.width)
    batch = memory.chunk_count(per, samples, place.device)
    batch = min(batch, 64 if method == "probe" else 16)
    t_theory = time.perf_counter() - t_start
    gen = place.generator(seed)
    m1s, m2s, spectra, noises = [], [], [], []
    done = 0
    with torch.no_grad():
        while done < samples:
            bsz = min(batch, samples - done)
            a, b, sp = _one_batch(act, spec, q_star, bsz, method, probes, gen, place)
            m1s.append(a)
            m2s.append(b)
            if sp is not None and method == "exact":
                spectra.append(sp.ravel())
            elif sp is not None:
                noises.append(sp)
            done += bsz
    if place.is_cuda:
        torch.cuda.synchronize(place.device)
    t_sim = time.perf_counter() - t_start - t_theory
    m1v, m2v = np.concatenate(m1s), np.concatenate(m2s)
    if not (np.all(np.isfinite(m1v)) and np.all(np.isfinite(m2v))):
        raise TheoryCheckError(f"the Jacobian over- or underflowed in {place.dtype} "
                               f"(m1 theory {m1_inf:.3g}); use float64 or fewer layers",
                               status=Status.NOT_FINITE)
    m1, se1 = mean_stderr(m1v)
    m2, se2 = mean_stderr(m2v)
    z = z_value(2, dof=samples - 1)
    ok1, tol1 = compare(th1, float(m1), float(se1), bias1, z)
    ok2, tol2 = compare(th2, float(m2), float(se2), bias2, z)
    extra: dict[str, Any] = {
        "method": method, "theory_source": source,
        "q_star": q_star, "mu1": mu1, "mu2": mu2, "chi1": spec.sw2 * mu1, "s1": s1,
        "m1": {"theory": th1, "measured": float(m1), "stderr": float(se1),
               "tolerance": tol1, "agree": ok1, "finite_width_model": m1_fin},
        "m2": {"theory": th2, "measured": float(m2), "stderr": float(se2),
               "tolerance": tol2, "agree": ok2, "finite_width_model": m2_fin},
        "bias_bound": {"m1": bias1, "m2": bias2},
        "probes": probes if method == "probe" else None,
        "timing_s": {"theory": t_theory, "simulation": t_sim},
    }
    if noises and probes >= 4:
        nz = np.concatenate(noises, axis=1)              # (2, S): half-difference per network
        extra["probe_noise_relative"] = {   # rms probe-only error of one network's estimate
            "m1": float(np.sqrt(np.mean(nz[0] ** 2)) / abs(m1)),
            "m2": float(np.sqrt(np.mean(nz[1] ** 2)) / abs(m2)),
            "note": "from the two halves of the probes, scaled to all probes by 1/sqrt(2)",
        }
        extra["probe_noise_relative"]["m1"] /= math.sqrt(2)
        extra["probe_noise_relative"]["m2"] /= math.sqrt(2)
        extra["network_spread_relative"] = {"m1": float(np.std(m1v, ddof=1) / abs(m1)),
                                            "m2": float(np.std(m2v, ddof=1) / abs(m2))}
    if spectra:
        ev = np.concatenate(spectra)
        pos = ev[ev > 0]
        if pos.size:
            counts, edges = np.histogram(np.log10(pos), bins=bins)
            extra["spectrum_histogram"] = {"log10_edges": edges, "counts": counts,
                                           "zero_eigenvalues": int(ev.size - pos.size)}
    derivation = (f"z*stderr + bias bound, z={z:.3g} (family-wise 1e-3 over m1, m2); stderr over "
                  f"{samples} independent networks; bias bound = |finite-N model - Eq.(65)| "
                  f"+ (L/N)*|m2|*(1-mu1^2/mu2) (see simulate/jacobian.py)")
    return Measurement(kind="jacobian", quantity="m2", theory=th2, measured=float(m2),
                       stderr=float(se2), agree=bool(ok1 and ok2), tolerance=tol2,
                       tolerance_derivation=derivation, device=place.name, seed=seed,
                       params={"sw2": spec.sw2, "sb2": spec.sb2, "width": spec.width,
                               "depth": spec.depth, "weights": spec.weights,
                               "samples": samples},
                       extra=extra)
