"""Layer-by-layer variance q^l and input-pair correlation c^l of finite random networks.

``variance`` (seed 000, Eqs. (5)-(9); seed 002, Eq. (3)): each of S networks gets its own
input ``x^(0) ~ N(0, q0 I_{N0})``; the measurement at layer l is ``q_hat^l = |x^(l)|^2 / N``,
averaged over networks, against the variance map ``q^l = V(q^{l-1})``, ``q^0 = q0``.

``correlation`` (seed 000, Eqs. (11)-(15); seed 002, Eqs. (4)-(7)): each network gets a pair of
inputs of variance q0 (default q*) and correlation c0; the measurement is the overlap
``c_hat^l = x^a . x^b / (|x^a| |x^b|)`` against the correlation map.

Both also fit the geometric convergence rate of ``|q^l - q*|`` / ``|c^l - c*|`` and compare it
with ``1/xi_q = -log V'(q*)`` / ``1/xi_c = -log chi_c(c*)`` (``chi_c(1) = chi1``; seed 002,
Eqs. (9)-(10) state these depth scales, the printed xi_q form is checked elsewhere). The rate
comparison is reported in ``extra`` with its own verdict; the headline verdict is the map.

Tolerance for q^l. With Gaussian weights, ``x^(l) | x^(l-1) ~ N(0, G^(l) I)`` exactly, so
``E q_hat^l = E G^(l)``; ``G^(l)`` fluctuates by O(1/N) and, V being curved, its mean drifts from
q^l by ``delta_l = V'(q^{l-1}) delta_{l-1} + V''(q^{l-1}) v_{l-1}/2`` with ``v_l = Var G^(l)``
obeying ``v_l = V'^2 v_{l-1} + (sw2^2/N)(E psi^4 - (E psi^2)^2)`` (derivation in
:meth:`theory.MapTheory.variance_bias`). ``delta_l`` is the leading finite-width bias; the
next order is smaller by the expansion parameter r = L/N (seed 003, Eq. (0.19)), so
``bias_l = |delta_l| (1 + r)`` + quadrature error, and the tolerance is
``z stderr_l + bias_l`` with z Bonferroni-corrected over the L layers. For orthogonal weights
the same bound is used (the first-moment recursion is identical; the O(1/N) fluctuation of G
is smaller, since ``|O h| = |h|``).

Tolerance for c^l. The empirical overlap of N unit pairs has the Fisher bias
``-c (1 - c^2) / (2N)`` and variance ``(1 - c^2)^2 / N``; the latter biases the next layer by
``C''(c) (1 - c^2)^2 / (2N)`` through the map's curvature. Each layer injects
``b_k = |c_k|(1 - c_k^2)/(2N) + |C''(c_k)| (1 - c_k^2)^2/(2N)`` which later layers carry with
the map's slope ``chi_c``: ``bias_l = (1 + r) sum_k b_k prod_{k<j<=l} |chi_c(c_j)|``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield.finite_width import MapTheory
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import TorchPlacement, torch_placement
from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep
from theorycheck.simulate.result import Measurement, compare, compare_layers, mean_stderr, z_value
from theorycheck.simulate.theory import ActFns


def fit_rate(dev: np.ndarray, se: np.ndarray, min_sigma: float = 3.0,
             theory_dev: np.ndarray | None = None) -> dict[str, Any]:
    """Weighted least-squares slope of ``log|dev_l|`` vs l over layers where |dev| > 3 se.

    Returns ``{"rate", "stderr", "layers"}`` (rate = -slope = 1/xi) or ``{"rate": None, ...}``
    with a reason when fewer than 3 layers are resolved. With ``theory_dev`` (the map's own
    deviations) the same weighted fit over the same layers gives ``theory_rate``: the finite-
    depth rate the map predicts for exactly these layers (the asymptotic 1/xi is only reached
    once the deviation is in the linear regime of the map).
    """
    layers = np.arange(1, len(dev) + 1)
    ok = (np.abs(dev) > min_sigma * se) & (se > 0)
    if ok.sum() < 3:
        return {"rate": None, "stderr": None, "layers": layers[ok],
                "reason": "fewer than 3 layers with |q^l - q*| resolved above 3 stderr"}
    y = np.log(np.abs(dev[ok]))
    sy = se[ok] / np.abs(dev[ok])
    w = 1.0 / sy**2
    x = layers[ok].astype(float)
    xb = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - xb) ** 2)
    slope = np.sum(w * (x - xb) * y) / sxx
    out: dict[str, Any] = {"rate": float(-slope), "stderr": float(1.0 / math.sqrt(sxx)),
                           "layers": layers[ok]}
    if theory_dev is not None and np.all(theory_dev[ok] != 0):
        yt = np.log(np.abs(theory_dev[ok]))
        out["theory_rate"] = float(-np.sum(w * (x - xb) * yt) / sxx)
    return out


def jackknife_rate(rows: np.ndarray, center: float, bias: np.ndarray,
                   theory_dev: np.ndarray, groups: int = 10) -> dict[str, Any]:
    """:func:`fit_rate` on the mean curve of ``rows`` (draws x layers), with a delete-a-group
    jackknife standard error (layers share networks, so the per-layer errors are correlated
    and the least-squares error would be wrong). The layer selection is fixed by the full
    sample and reused for every jackknife replicate."""
    mean, se = mean_stderr(rows)
    full = fit_rate(mean - center, np.hypot(se, bias), theory_dev=theory_dev)
    if full["rate"] is None:
        return full
    layers = full["layers"] - 1
    x = layers.astype(float) + 1
    s = rows.shape[0]
    g = min(groups, s)
    idx = np.array_split(np.arange(s), g)
    reps = []
    for part in idx:
        keep = np.ones(s, bool)
        keep[part] = False
        dev = np.abs(rows[keep].mean(0)[layers] - center)
        if np.any(dev <= 0):
            continue
        reps.append(-np.polyfit(x, np.log(dev), 1)[0])
    rate = -np.polyfit(x, np.log(np.abs(mean[layers] - center)), 1)[0]
    th = -np.polyfit(x, np.log(np.abs(theory_dev[layers])), 1)[0]
    # a bias b_l on layer l moves log|dev_l| by at most b_l/|dev_l|, hence the slope by
    # sum_l |x_l - mean(x)| / Sxx * b_l / |dev_l| (the unweighted least-squares coefficients)
    xc = x - x.mean()
    rate_bias = float(np.sum(np.abs(xc) / np.sum(xc * xc) * bias[layers]
                             / np.abs(theory_dev[layers])))
    reps_a = np.array(reps)
    se_j = math.sqrt((len(reps_a) - 1) / len(reps_a) * np.sum((reps_a - reps_a.mean()) ** 2))
    return {"rate": float(rate), "stderr": float(se_j), "theory_rate": float(th),
            "bias_bound": rate_bias, "layers": full["layers"],
            "method": f"unweighted fit, {g}-group jackknife"}


def _batches(total: int, per_item: int, device: torch.device, cap: int = 256) -> list[int]:
    b = min(cap, memory.chunk_count(per_item, total, device))
    return [min(b, total - i) for i in range(0, total, b)]


def _check(spec: NetSpec, place: TorchPlacement, inputs: int) -> int:
    nb = memory.dtype_bytes(place.dtype)
    per = nb * (spec.width * max(spec.n0, spec.width) * 2 + 4 * spec.width * inputs)

    def cost(w: int) -> int:
        return nb * (w * max(spec.n0, w) * 2 + 4 * w * inputs)

    memory.ensure_fits(per, place.device, f"one width-{spec.width} network",
                       fits_for=lambda bud: memory.largest_fitting(cost, bud, spec.width),
                       size=spec.width)
    return per


def measure_variance(act: ActFns, spec: NetSpec, samples: int, seed: int, *,
                     placement: Placement, precision: str = "auto", q0: float = 1.0,
                     theory_override: np.ndarray | None = None) -> Measurement:
    """Measure q^1..q^L over ``samples`` networks and compare with the variance map."""
    place = torch_placement(placement, precision, entry="simulate.variance.measure_variance")
    if samples < 2:
        raise TheoryCheckError("need at least 2 network samples", status=Status.INVALID_ARGUMENT)
    mt = MapTheory(act, spec.sw2, spec.sb2, spec.noise2)
    q_th = mt.q_layers(q0, spec.depth)
    m2, m4 = mt.moment(2, q0), mt.moment(4, q0)
    delta, _var = mt.variance_bias(q0, spec.depth, spec.width,
                                   input_fluct=spec.sw2**2 * (m4 - m2 * m2) / spec.n0)
    r = spec.depth / spec.width
    bias = np.abs(delta) * (1 + r) + mt.quad_error * np.arange(1, spec.depth + 1)
    if theory_override is not None:
        q_th = np.asarray(theory_override, dtype=float)
    per = _check(spec, place, 1)
    gen = place.generator(seed)
    rows = []
    with torch.no_grad():
        for b in _batches(samples, per, place.device):
            x0 = gaussian_inputs(gen, place, b, spec.n0, 1, q0)
            qs = [step.x_out.pow(2).mean(dim=(1, 2)) for step in sweep(x0, spec, act.torch0,
                                                                       gen, place)]
            rows.append(torch.stack(qs, dim=1).cpu().numpy())
    qv = np.concatenate(rows)
    q_m, q_se = mean_stderr(qv)
    z = z_value(spec.depth, dof=samples - 1)
    verdicts, tols, layers = compare_layers(q_th, q_m, q_se, bias, z)
    extra: dict[str, Any] = {"layers": layers, "q0": q0, "noise2": spec.noise2}
    try:
        q_star = mt.q_star(q0)
        d1, _ = mt.dvmap(q_star)
        fit = jackknife_rate(qv, q_star, bias, q_th - q_star)
        th_rate = -math.log(d1) if 0 < d1 < 1 else None
        rate: dict[str, Any] = {"theory_1_over_xi_q": th_rate, "q_star": q_star, **fit}
        if fit["rate"] is not None and "theory_rate" in fit:
            ok, tol = compare(fit["theory_rate"], fit["rate"], fit["stderr"],
                              fit.get("bias_bound", 0.0), z_value(1, dof=min(10, samples) - 1))
            rate.update(agree=ok, tolerance=tol)
        extra["convergence"] = rate
    except TheoryCheckError as err:
        extra["convergence"] = {"rate": None, "reason": err.message}
    last = spec.depth - 1
    return Measurement(
        kind="variance", quantity=f"q^{spec.depth}", theory=float(q_th[last]),
        measured=float(q_m[last]), stderr=float(q_se[last]), agree=all(verdicts),
        tolerance=tols[last],
        tolerance_derivation=(f"per layer: z*stderr + |delta_l|(1+L/N), z={z:.3g} (family-wise "
                              f"1e-3 over {spec.depth} layers), delta_l the leading 1/N drift of "
                              "the layer variance (simulate/variance.py); agree = all layers"),
        device=place.name, seed=seed,
        params={"sw2": spec.sw2, "sb2": spec.sb2, "width": spec.width, "depth": spec.depth,
                "weights": spec.weights, "samples": samples, "noise2": spec.noise2},
        extra=extra)


def measure_correlation(act: ActFns, spec: NetSpec, samples: int, seed: int, *,
                        placement: Placement, precision: str = "auto", c0: float = 0.5,
                        q0: float | None = None,
                        theory_override: np.ndarray | None = None) -> Measurement:
    """Measure c^1..c^L for input pairs over ``samples`` networks against the correlation map."""
    place = torch_placement(placement, precision, entry="simulate.variance.measure_correlation")
    if samples < 2:
        raise TheoryCheckError("need at least 2 network samples", status=Status.INVALID_ARGUMENT)
    if not -1.0 < c0 < 1.0:
        raise TheoryCheckError("c0 must lie in (-1, 1)", status=Status.INVALID_ARGUMENT)
    mt = MapTheory(act, spec.sw2, spec.sb2, spec.noise2)
    if q0 is None:
        q0 = mt.q_star()
    if q0 <= 0:
        raise TheoryCheckError("q0 = 0: correlations are undefined at q* = 0; pass q0 > 0",
                               status=Status.INVALID_ARGUMENT)
    c_th, q_th = mt.c_layers(q0, c0, spec.depth)
    n, r = spec.width, spec.depth / spec.width
    bias = np.zeros(spec.depth)
    acc = 0.0
    for l in range(spec.depth):
        c = float(c_th[l])
        if l > 0:
            acc *= abs(mt.c_slope(float(q_th[l - 1]), float(c_th[l - 1])))
        h = 1e-3
        lo, hi = max(-1.0, c - h), min(1.0, c + h)
        mid = 0.5 * (lo + hi)
        qq = float(q_th[l])
        vq = mt.vmap(qq)
        curv = (mt.cov2(qq, qq, hi) - 2 * mt.cov2(qq, qq, mid) + mt.cov2(qq, qq, lo)) / (
            vq * (0.5 * (hi - lo)) ** 2)
        acc += abs(c) * (1 - c * c) / (2 * n) + abs(curv) * (1 - c * c) ** 2 / (2 * n)
        bias[l] = acc * (1 + r) + mt.quad_error / max(qq, 1e-300)
    if theory_override is not None:
        c_th = np.asarray(theory_override, dtype=float)
    per = _check(spec, place, 2)
    gen = place.generator(seed)
    rows = []
    s0 = math.sqrt(max(0.0, 1 - c0 * c0))
    with torch.no_grad():
        for b in _batches(samples, per, place.device):
            g = gaussian_inputs(gen, place, b, spec.n0, 2, 1.0)
            xa = g[:, :, :1]
            xb = c0 * g[:, :, :1] + s0 * g[:, :, 1:]
            x0 = torch.cat([xa, xb], dim=2).mul_(math.sqrt(q0))
            cs = []
            for step in sweep(x0, spec, act.torch0, gen, place):
                u, v = step.x_out[:, :, 0], step.x_out[:, :, 1]
                cs.append((u * v).sum(1) / torch.sqrt((u * u).sum(1) * (v * v).sum(1)))
            rows.append(torch.stack(cs, dim=1).cpu().numpy())
    cv = np.concatenate(rows)
    c_m, c_se = mean_stderr(cv)
    z = z_value(spec.depth, dof=samples - 1)
    verdicts, tols, layers = compare_layers(c_th, c_m, c_se, bias, z)
    extra: dict[str, Any] = {"layers": layers, "q0": q0, "c0": c0, "noise2": spec.noise2}
    # convergence rate towards c* (iterate the map at q0 to find it)
    c_long, q_long = mt.c_layers(q0, c0, max(200, 4 * spec.depth))
    c_star = float(c_long[-1])
    slope = mt.c_slope(float(q_long[-1]), min(c_star, 1.0))
    th_rate = -math.log(slope) if 0 < slope < 1 else None
    fit = jackknife_rate(cv, c_star, bias, c_th - c_star)
    conv: dict[str, Any] = {"c_star": c_star, "theory_1_over_xi_c": th_rate, **fit}
    if fit["rate"] is not None and "theory_rate" in fit:
        ok, tol = compare(fit["theory_rate"], fit["rate"], fit["stderr"],
                          fit.get("bias_bound", 0.0), z_value(1, dof=min(10, samples) - 1))
        conv.update(agree=ok, tolerance=tol)
    extra["convergence"] = conv
    last = spec.depth - 1
    return Measurement(
        kind="correlation", quantity=f"c^{spec.depth}", theory=float(c_th[last]),
        measured=float(c_m[last]), stderr=float(c_se[last]), agree=all(verdicts),
        tolerance=tols[last],
        tolerance_derivation=(f"per layer: z*stderr + (1+L/N)*sum_k b_k prod|chi_c|, b_k = "
                              "|c|(1-c^2)/(2N) + |C''|(1-c^2)^2/(2N) (Fisher bias + map "
                              f"curvature), z={z:.3g} over {spec.depth} layers; agree = all"),
        device=place.name, seed=seed,
        params={"sw2": spec.sw2, "sb2": spec.sb2, "width": spec.width, "depth": spec.depth,
                "weights": spec.weights, "samples": samples, "noise2": spec.noise2},
        extra=extra)
