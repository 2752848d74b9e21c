"""Sampled Gaussian mutual-information lower bound I_N(Z; Z^(l)) over a grid of (sw2, sb2).

Seed 000, Eq. (35) (Sec. V, Figs. 7-8): ``I_N = 1/2 log(det S0 det Sl / det S_joint)`` with the
covariances of the input ``Z`` (dimension N0), the layer-l output ``Z^(l)`` (width N) and their
joint vector, estimated from M samples through one network draw (log-determinants by
``slogdet`` in float64), averaged over ``draws`` networks per grid point. Inputs are "stable"
(i.i.d. N(0, q*(sw2, sb2)), propagating at the fixed point) or "unit" (N(0, 1)). With
``noise2 > 0`` Gaussian noise is added before every activation (seed 001, Sec. II, Figs. 3-6),
which makes the true MI finite; without noise the output is a deterministic function of the
input and I_N is finite only because that function is nonlinear.

Singular covariances. A covariance whose smallest eigenvalue is below
``dim * eps(float64) * largest`` (or whose ``slogdet`` sign is not +1) is reported as
"singular" and I_N as undefined (the bound would be +inf), never as a number; condition numbers
of the three covariances are reported for every point.

Estimator bias. For Gaussian data, ``E log det S_hat`` (S_hat with divisor M - 1) equals
``log det S + b(p)``, ``b(p) = sum_{i=1}^p digamma((M - i)/2) + p log(2/(M - 1))`` (Wishart), so
the plug-in bound is biased by ``(b(N0) + b(N) - b(N0 + N))/2 ~ + N0 N / (2M)`` (upwards).
Reported: the plug-in value and the bias-corrected one (exact correction if (Z, Z^(l)) were
jointly Gaussian). The correction is the same at every grid point (it depends only on
N0, N, M), so it does not move the argmax. M >= 8 (N0 + N) is required.

Verdict. The prediction (seed 000, Eqs. (58)-(59)) is that I_N is largest at the dynamical
isometry point ``(sw2, sb2) = (1/psi'(0)^2, 0)``. The measurement is
``d = I_N(DI point) - max_grid I_N`` (<= 0); theory 0; stderr ``sqrt(se_DI^2 + se_max^2)``
(independent draws per point); agree iff ``|d| <= z stderr`` (z = 3.29, no bias term: the
estimator bias cancels in the difference). If the DI point is off the grid or I_N is undefined
there (stable inputs have zero variance where q* = 0), the nearest grid point with a finite
value stands in for it and ``extra["di_point_note"]`` says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.special import digamma

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield.finite_width import MapTheory
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep
from theorycheck.simulate.result import Measurement, compare, mean_stderr, z_value
from theorycheck.simulate.theory import ActFns

INPUT_KINDS = ("stable", "unit")


def logdet_bias(p: int, m: int) -> float:
    """``E log det S_hat - log det S`` for p-dim Gaussian data, M samples, divisor M - 1."""
    i = np.arange(1, p + 1)
    return float(np.sum(digamma((m - i) / 2.0)) + p * math.log(2.0 / (m - 1)))


def _cov_stats(cov: np.ndarray) -> tuple[float | None, float]:
    """``(logdet or None if singular, condition number or inf)`` of a symmetric PSD matrix."""
    ev = np.linalg.eigvalsh(cov)
    top = float(ev[-1])
    if top <= 0:
        return None, math.inf
    sign, ld = np.linalg.slogdet(cov)
    thresh = cov.shape[0] * np.finfo(np.float64).eps * top
    if sign <= 0 or ev[0] <= thresh:
        return None, (math.inf if ev[0] <= 0 else top / float(ev[0]))
    return float(ld), top / float(ev[0])


def gaussian_mi(z0: np.ndarray, zl: np.ndarray) -> dict[str, Any]:
    """Plug-in Gaussian MI between sample rows of ``z0`` (M, p) and ``zl`` (M, q)."""
    joint = np.concatenate([z0, zl], axis=1)
    c = np.cov(joint, rowvar=False)
    p = z0.shape[1]
    l0, k0 = _cov_stats(c[:p, :p])
    ll, kl = _cov_stats(c[p:, p:])
    lj, kj = _cov_stats(c)
    out: dict[str, Any] = {"cond": {"input": k0, "output": kl, "joint": kj}}
    if l0 is None or ll is None or lj is None:
        which = [n for n, v in (("input", l0), ("output", ll), ("joint", lj)) if v is None]
        out.update(value=None, singular=which)
    else:
        out.update(value=0.5 * (l0 + ll - lj), singular=[])
    return out


def measure_mi(act: ActFns, sw2_values: list[float], sb2_values: list[float], width: int,
               depth: int, in_dim: int, inputs: int, draws: int, seed: int, *,
               placement: Placement, precision: str = "auto", weights: str = "gaussian",
               input_kind: str = "stable", noise2: float = 0.0,
               di_point: tuple[float, float] | None = None) -> Measurement:
    """Grid of sampled I_N(Z; Z^(L)); compare the DI point's value with the grid maximum."""
    place = torch_placement(placement, precision, entry="simulate.mi.measure_mi")
    if input_kind not in INPUT_KINDS:
        raise TheoryCheckError(f"input kind must be one of {INPUT_KINDS}",
                               status=Status.INVALID_ARGUMENT)
    if inputs < 8 * (in_dim + width):
        raise TheoryCheckError(f"{inputs} samples are too few to estimate a "
                               f"{in_dim + width}-dimensional covariance; use >= "
                               f"{8 * (in_dim + width)} (8 x (N0 + width))",
                               status=Status.INVALID_ARGUMENT)
    if draws < 2:
        raise TheoryCheckError("need at least 2 draws per grid point",
                               status=Status.INVALID_ARGUMENT)
    nb = memory.dtype_bytes(place.dtype)
    per = nb * (2 * width * max(width, in_dim) + 4 * inputs * (in_dim + width))
    memory.ensure_fits(per, place.device, f"one network with {inputs} samples",
                       fits_for=lambda bud: bud // (nb * 4 * (in_dim + width)),
                       size_name="samples", size=inputs)
    if di_point is None:
        d0 = float(act.np1(np.zeros(1))[0])
        if d0 == 0:
            raise TheoryCheckError("psi'(0) = 0: no dynamical isometry point",
                                   status=Status.INVALID_ARGUMENT)
        di_point = (1.0 / d0**2, 0.0)
    bias = 0.5 * (logdet_bias(in_dim, inputs) + logdet_bias(width, inputs)
                  - logdet_bias(in_dim + width, inputs))
    gen = place.generator(seed)
    grid: list[dict[str, Any]] = []
    with torch.no_grad():
        for sw2 in sw2_values:
            for sb2 in sb2_values:
                point: dict[str, Any] = {"sw2": sw2, "sb2": sb2}
                spec = NetSpec(sw2, sb2, width, depth, in_dim=in_dim, weights=weights,
                               noise2=noise2)
                q_in = 1.0
                if input_kind == "stable":
                    try:
                        q_in = MapTheory(act, sw2, sb2, noise2).q_star()
                    except TheoryCheckError as err:
                        point.update(value=None, note=err.message)
                        grid.append(point)
                        continue
                    if q_in <= 1e-12:
                        point.update(value=None, note="q* = 0: a stable input has zero "
                                     "variance, I_N is undefined")
                        grid.append(point)
                        continue
                vals, conds, sing = [], [], []
                for _ in range(draws):
                    z0 = gaussian_inputs(gen, place, 1, in_dim, inputs, q_in)
                    zl = z0
                    for step in sweep(z0, spec, act.torch0, gen, place):
                        zl = step.x_out
                    res = gaussian_mi(z0[0].T.double().cpu().numpy(),
                                      zl[0].T.double().cpu().numpy())
                    conds.append(res["cond"])
                    if res["value"] is None:
                        sing.append(res["singular"])
                    else:
                        vals.append(res["value"])
                point["q_in"] = q_in
                point["cond_max"] = {k: max(c[k] for c in conds) for k in conds[0]}
                if sing or len(vals) < 2:
                    point.update(value=None, singular=sing[0] if sing else [],
                                 note=f"singular covariance in {len(sing)} of {draws} draws; "
                                      "I_N undefined (would be +inf)")
                else:
                    m, m_se = mean_stderr(np.array(vals))
                    point.update(value=float(m), stderr=float(m_se),
                                 bias_corrected=float(m) - bias)
                grid.append(point)
    finite = [p for p in grid if p.get("value") is not None]
    if not finite:
        raise TheoryCheckError("every grid point has a singular covariance or no fixed point",
                               status=Status.ILL_CONDITIONED)
    best = max(finite, key=lambda p: p["value"])
    di = next((p for p in grid if math.isclose(p["sw2"], di_point[0], rel_tol=1e-9)
               and math.isclose(p["sb2"], di_point[1], abs_tol=1e-12)), None)
    extra: dict[str, Any] = {
        "grid": grid, "argmax": {"sw2": best["sw2"], "sb2": best["sb2"],
                                 "value": best["value"]},
        "di_point": {"sw2": di_point[0], "sb2": di_point[1]},
        "estimator_bias": bias, "input_kind": input_kind, "noise2": noise2,
        "inputs_per_draw": inputs,
    }
    params = {"width": width, "depth": depth, "N0": in_dim, "weights": weights,
              "draws": draws, "inputs": inputs, "sw2_values": sw2_values,
              "sb2_values": sb2_values}
    z = z_value(1, dof=draws - 1)
    if di is None or di.get("value") is None:
        # the DI point is off the grid or undefined there (stable inputs: q* = 0); compare the
        # nearest grid point with a finite value instead, and say so
        extra["di_point_note"] = ("DI point not on the grid" if di is None
                                  else di.get("note", "undefined at the DI point"))
        di = min(finite, key=lambda p: math.hypot(p["sw2"] - di_point[0], p["sb2"] - di_point[1]))
    extra["compared_point"] = {"sw2": di["sw2"], "sb2": di["sb2"], "value": di["value"]}
    d = di["value"] - best["value"]
    se = math.hypot(di["stderr"], best["stderr"]) if di is not best else di["stderr"]
    ok, tol = compare(0.0, d, se, 0.0, z)
    return Measurement(
        kind="mi", quantity="I_N(DI point) - max over grid", theory=0.0, measured=d,
        stderr=se, agree=ok, tolerance=tol,
        tolerance_derivation=(f"z*stderr, z={z:.3g}; stderr over {draws} networks per point; "
                              "the estimator bias (+N0 N/(2M)) is equal at every point and "
                              "cancels"),
        device=place.name, seed=seed, params=params, extra=extra)
