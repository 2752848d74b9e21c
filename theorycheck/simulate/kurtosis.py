"""Excess kurtosis of a preactivation across network draws, versus depth-to-width r = L/n.

Setting (seed 003, Sec. 0.2, Eqs. (0.14)-(0.19)): a fixed input ``x^(0) = sqrt(q0) (1,...,1)``,
many independent draws of a width-n, depth-L network with Gaussian weights, and the
distribution over draws of one preactivation ``z_1^(L)`` (all n units of layer L have that same
marginal law, so every unit is used; the jackknife over draws accounts for their dependence).

Derivation of the prediction. Given layer l-1, ``z_i^(l) = sum_j W_ij psi(z_j^(l-1)) + b_i`` is
exactly Gaussian with variance ``G^(l) = sb2 + (sw2/n) sum_j psi(z_j^(l-1))^2``, the same for
every i. Hence ``E z^4 = 3 E[G^2]``, ``E z^2 = E G`` and the excess kurtosis is exactly

    kappa_L = 3 Var(G^(L)) / (E G^(L))^2 .

The first layer is exactly Gaussian (``G^(1) = q^1`` is fixed by the input), so ``v_1 = 0``; for
l >= 1, ``Var(G^(l+1)) = E Var(G^(l+1)|G^(l)) + Var E(G^(l+1)|G^(l))``, where
``Var(G^(l+1)|G^(l)) = (sw2^2/n) (E_{G}[psi^4] - E_{G}[psi^2]^2)`` and
``E(G^(l+1)|G^(l)) = V(G^(l))``.
To leading order in 1/n:

    v_{l+1} = chi_par(q^l)^2 v_l + (sw2^2/n) (<psi^4>_{q^l} - <psi^2>_{q^l}^2),
    chi_par = V'(q) = sw2 d<psi^2>_q/dq,        kappa_L = 3 v_L / (q^L)^2 .

In the book's notation ``v_l = V^(l)/n`` is the four-point vertex and ``chi_par`` the parallel
susceptibility, so ``kappa = 3 V/(n K^2)``: the factor 3 is the number of pairings in
``E z^4``.

* ReLU at criticality (sw2 = 2, sb2 = 0): ``<psi^2>_q = q/2``, ``<psi^4>_q = 3q^2/2``, chi_par = 1,
  so ``v_{l+1} = v_l + 5 q^2/n`` and ``kappa_L = 15 (L-1)/n`` at leading order (the book's
  ``V/(n K^2) = 5 (L-1)/n``; the "5 L/n" of the brief is this ratio, not the kurtosis). In fact
  ``G^(l+1) = G^(l) Y_l`` with i.i.d. ``Y = (2/n) sum_j relu(u_j)^2``, ``E Y = 1``,
  ``Var Y = 5/n``, so exactly ``kappa_L = 3[(1 + 5/n)^(L-1) - 1]``.
* tanh at criticality (sw2 = 1, sb2 = 0): ``q^l -> 0`` like ``1/(2l)``; with
  ``<psi^2> = q - 2q^2 + O(q^3)``, ``<psi^4> - <psi^2>^2 = 2q^2 + O(q^3)``, ``chi_par = 1 - 4q``,
  the ratio ``v_l/q_l^2`` grows like ``(2/3) l / n``, so ``kappa_L -> 2 L/n`` (the book's
  ``V/(nK^2) = (2/3) L/n``) with O(log L / L) corrections at finite L. The engine uses the
  recursion itself, not the asymptote, as the prediction; the asymptotic slopes are reported.

Slope and tolerance. The slope ``a`` of ``kappa ~ a L/n`` is the weighted least-squares fit
through the origin over the (n, L) grid, weights ``1/stderr^2``; the theory slope is the same
linear functional of the predicted kappas, so both estimate the same thing. The neglected
O(r^2) term: for ReLU the exact result gives ``3[(1+a)^m - 1] - 3ma = 3 C(m,2) a^2 + ... ~
kappa^2/6``; a multiplicative accumulation of the per-layer relative variance gives the same
``kappa^2/6`` in general, and we allow twice that, ``bias = kappa_lead^2/3`` per point, which
the slope fit carries linearly. ``agree``: ``|a_meas - a_theory| <= z se_a + bias_a``, z = 3.29.
Only Gaussian weights (the exact conditional Gaussianity above needs them).

Reliability. The sample kurtosis averages ``A = mean_i z_i^4`` over draws, and ``A`` inherits
the tails of ``G^2``: its relative standard error is ``sqrt(Var A / S) / E A`` with
``Var A = E[G^4] (105/n + 9 (1 - 1/n)) - 9 E[G^2]^2`` (``S`` draws). Where that exceeds
``MAX_M4_REL_SE`` the average has not reached its normal regime (it is dominated by rare draws,
biased low, and its jackknife error is itself unreliable), so the point is reported but kept out
of the slope fit (``reliable: false``). For ReLU at criticality ``E[G^k]`` is exact,
``G_1^k (E Y^k)^(L-1)`` with ``Y = (2/n) chi2_K``, ``K ~ Binomial(n, 1/2)``, so the rule does
not look at the data (at n = 32 and 20 000 draws it drops L = 16 and 32, where the relative
error is 0.34 and 18); for other activations it uses the sample's own ``Var A``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.special import comb, digamma, polygamma

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield.finite_width import MapTheory
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import TorchPlacement, torch_placement
from theorycheck.simulate.networks import NetSpec, sweep
from theorycheck.simulate.result import Measurement, compare, z_value
from theorycheck.simulate.theory import ActFns

METHODS = ("weights", "marginal")
#: largest relative standard error of the fourth-moment average for a point in the slope fit
MAX_M4_REL_SE = 0.1
ASYMPTOTIC_SLOPE = {"relu": 15.0, "tanh": 2.0}


def _layer_samples(act: ActFns, spec: NetSpec, depths: list[int], samples: int, q0: float,
                   method: str, gen: torch.Generator, place: TorchPlacement
                   ) -> dict[int, np.ndarray]:
    """``{L: (samples, n) preactivations at layer L}`` over independent network draws."""
    n = spec.width
    want = set(depths)
    out: dict[int, list[np.ndarray]] = {d: [] for d in depths}
    nb = memory.dtype_bytes(place.dtype)
    per = nb * (n * n * 2 + 4 * n) if method == "weights" else nb * 6 * n
    batch = min(4096 if method == "marginal" else 512,
                memory.chunk_count(per, samples, place.device))
    done = 0
    while done < samples:
        b = min(batch, samples - done)
        x0 = torch.full((b, n, 1), math.sqrt(q0), device=place.device, dtype=place.dtype)
        if method == "weights":
            for step in sweep(x0, spec, act.torch0, gen, place):
                if step.layer in want:
                    out[step.layer].append(step.x_out[:, :, 0].cpu().numpy())
        else:
            h = act.torch0(x0[:, :, 0])
            for layer in range(1, spec.depth + 1):
                g = spec.sb2 + spec.sw2 * h.pow(2).mean(dim=1, keepdim=True)
                xi = torch.randn(b, n, generator=gen, device=place.device, dtype=place.dtype)
                x = torch.sqrt(g) * xi
                if layer in want:
                    out[layer].append(x.cpu().numpy())
                h = act.torch0(x)
        done += b
    return {d: np.concatenate(v) for d, v in out.items()}


def _live_units(width: int, at_least: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """ReLU at criticality: the number K >= ``at_least`` of live units of a width-n layer,
    K ~ Binomial(n, 1/2) (renormalised), so that the layer factor is Y = (2/n) chi2_K."""
    k = np.arange(at_least, width + 1)
    p = comb(width, k) * 0.5**width
    return k, p / p.sum()


def relu_var_log_layer_factor(width: int) -> float:
    """Exact Var log Y of the ReLU layer factor Y = G^(l+1)/G^(l) = (2/n) chi2_K at criticality
    (sw2 = 2, sb2 = 0), conditioned on K >= 1 (a draw whose layer dies has G = 0 from then on
    and is dropped). By the law of total variance, Var log Y = E psi'(K/2) + Var psi(K/2)
    (E log chi2_k = psi(k/2) + log 2, Var log chi2_k = psi'(k/2)); it tends to 5/n."""
    k, p = _live_units(width, at_least=1)
    mean = float(np.sum(p * digamma(k / 2)))
    return float(np.sum(p * polygamma(1, k / 2)) + np.sum(p * (digamma(k / 2) - mean) ** 2))


def relu_fourth_moment_rel_se(width: int, depth: int, samples: int) -> float:
    """Relative standard error of the draw-average of ``mean_i z_i^4`` at layer ``depth`` for
    ReLU at criticality, from the exact moments of ``G^(L)`` (module docstring, Reliability)."""
    k, p = _live_units(width)

    def log_moment(order: int) -> float:  # log E[Y^order]
        rising = np.ones(width + 1)
        for j in range(order):
            rising = rising * (k + 2 * j)
        return order * math.log(2.0 / width) + math.log(float(np.sum(p * rising)))

    steps = depth - 1
    ratio = math.exp(steps * (log_moment(4) - 2 * log_moment(2)))  # E G^4 / (E G^2)^2
    per_draw = ratio * (105.0 / width + 9.0 * (1.0 - 1.0 / width)) / 9.0 - 1.0
    return math.sqrt(max(per_draw, 0.0) / samples)


def excess_kurtosis(z: np.ndarray, groups: int = 20) -> tuple[float, float]:
    """``(m4/m2^2 - 3, jackknife stderr)``; rows are independent draws, columns exchangeable."""
    s = z.shape[0]
    z2 = (z * z).mean(axis=1)
    z4 = (z**4).mean(axis=1)
    k = float(z4.mean() / z2.mean() ** 2 - 3.0)
    parts = np.array_split(np.arange(s), min(groups, s))
    reps = []
    for p in parts:
        keep = np.ones(s, bool)
        keep[p] = False
        reps.append(z4[keep].mean() / z2[keep].mean() ** 2 - 3.0)
    r = np.array(reps)
    g = len(r)
    return k, float(math.sqrt((g - 1) / g * np.sum((r - r.mean()) ** 2)))


def measure_kurtosis(act: ActFns, sw2: float, sb2: float, widths: list[int], depths: list[int],
                     samples: int, seed: int, *, placement: Placement,
                     precision: str = "auto", q0: float = 1.0,
                     method: str = "weights", weights: str = "gaussian",
                     theory_slope: float | None = None) -> Measurement:
    """Excess kurtosis of ``z^(L)`` over (n, L) and its slope in L/n, against the 1/n theory."""
    place = torch_placement(placement, precision, entry="simulate.kurtosis.measure_kurtosis")
    if method not in METHODS:
        raise TheoryCheckError(f"unknown kurtosis method {method!r}; choose one of {METHODS}",
                               status=Status.INVALID_ARGUMENT)
    if weights != "gaussian":
        raise TheoryCheckError("the kurtosis prediction (seed 003) is derived for Gaussian "
                               "weights only", status=Status.INVALID_ARGUMENT)
    if samples < 40:
        raise TheoryCheckError("need at least 40 draws for a kurtosis standard error",
                               status=Status.INVALID_ARGUMENT)
    depths = sorted(set(depths))
    if min(depths) < 2:
        raise TheoryCheckError("depth >= 2 (layer 1 is exactly Gaussian)",
                               status=Status.INVALID_ARGUMENT)
    gen = place.generator(seed)
    rows: list[dict[str, Any]] = []
    mt = MapTheory(act, sw2, sb2)
    q1 = sw2 * float(act.np0(np.array([math.sqrt(q0)]))[0]) ** 2 + sb2
    critical_relu = act.name == "relu" and sw2 == 2.0 and sb2 == 0.0
    with torch.no_grad():
        for n in sorted(set(widths)):
            spec = NetSpec(sw2, sb2, n, max(depths))
            memory.ensure_fits(memory.dtype_bytes(place.dtype) * 2 * n * n, place.device,
                               f"a width-{n} network")
            zs = _layer_samples(act, spec, depths, samples, q0, method, gen, place)
            for d in depths:
                k, k_se = excess_kurtosis(zs[d])
                lead = mt.kurtosis_leading(q1, d, n)
                if critical_relu:
                    rel = relu_fourth_moment_rel_se(n, d, samples)
                else:
                    a4 = (zs[d] ** 4).mean(axis=1)
                    rel = float(a4.std(ddof=1) / (a4.mean() * math.sqrt(a4.size)))
                rows.append({"width": n, "depth": d, "r": d / n, "measured": k, "stderr": k_se,
                             "theory": lead, "bias_bound": lead * lead / 3.0,
                             "m4_rel_se": rel, "reliable": rel <= MAX_M4_REL_SE})
    used = [row for row in rows if row["reliable"]]
    if not used:
        raise TheoryCheckError(
            "no (n, L) point where the kurtosis estimate is reliable (fourth-moment relative "
            f"error <= {MAX_M4_REL_SE}); use more draws or smaller L/n",
            status=Status.INVALID_ARGUMENT)
    x = np.array([row["r"] for row in used])
    y = np.array([row["measured"] for row in used])
    se = np.array([row["stderr"] for row in used])
    th = np.array([row["theory"] for row in used])
    bb = np.array([row["bias_bound"] for row in used])
    w = 1.0 / se**2
    sxx = float(np.sum(w * x * x))
    a = float(np.sum(w * x * y) / sxx)
    a_se = 1.0 / math.sqrt(sxx)
    a_th = float(np.sum(w * x * th) / sxx) if theory_slope is None else theory_slope
    a_bias = float(np.sum(w * x * bb) / sxx)
    z = z_value(1, dof=19)
    ok, tol = compare(a_th, a, a_se, a_bias, z)
    zp = z_value(len(rows), dof=19)
    for row in rows:
        row["agree"], row["tolerance"] = compare(row["theory"], row["measured"], row["stderr"],
                                                 row["bias_bound"], zp)
    extra: dict[str, Any] = {
        "points": rows, "method": method, "q0": q0,
        "asymptotic_slope": ASYMPTOTIC_SLOPE.get(act.name),
        "slope_bias_bound": a_bias,
        "points_in_fit": f"{len(used)} of {len(rows)}",
        "reliability_rule": (f"a point enters the fit when the relative standard error of its "
                             f"fourth-moment average is <= {MAX_M4_REL_SE} (exact for ReLU at "
                             "criticality, from the sample otherwise)"),
        "note": ("slope of excess kurtosis in r = L/n; theory = the same fit applied to the "
                 "leading-order 1/n recursion (kurtosis = 3 V/(n K^2))"),
    }
    if critical_relu:
        for row in rows:
            row["exact"] = 3.0 * ((1 + 5.0 / row["width"]) ** (row["depth"] - 1) - 1)
    return Measurement(
        kind="kurtosis", quantity="slope d(kurtosis)/d(L/n)", theory=a_th, measured=a,
        stderr=a_se, agree=ok, tolerance=tol,
        tolerance_derivation=(f"z*se(slope) + fitted kurtosis^2/3 (O(r^2) remainder, see "
                              f"simulate/kurtosis.py), z={z:.3g}; se from a 20-group jackknife "
                              f"over {samples} draws per (n, L)"),
        device=place.name, seed=seed,
        params={"sw2": sw2, "sb2": sb2, "widths": sorted(set(widths)), "depths": depths,
                "samples": samples, "weights": weights},
        extra=extra)
