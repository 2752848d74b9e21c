"""The input-to-layer correlation C_ij^(0,l) of seed 000, Eq. (20), in finite networks.

For each weight draw, M i.i.d. inputs ``X ~ N(0, s0^2 I_{N0})`` (finite input dimension N0) are
propagated and the Pearson correlation between input component ``X_i`` and unit ``X_j^(l)`` is
computed over the M inputs: a true correlation coefficient, so ``|C| <= 1`` by Cauchy-Schwarz.
Its distribution over weight draws (mean, second moment, histogram, fraction outside [-1, 1])
is reported per layer.

Layer 1 in closed form. ``Cov(X_i, X_j^(1)) = W_ji E[X psi(X)] = W_ji s0 beta0`` with
``beta0 = Int psi(s0 z) z Dz`` and ``Var(X_j^(1) | W) = alpha sum_k W_jk^2``,
``alpha = Var psi(X)`` (= ``E psi^2`` for odd psi), so the exact correlation is

    C_ij^(0,1) = W_ji beta0 / sqrt(alpha sum_k W_jk^2)          ("corrected": sigma_j^(1) is a
                                                                   standard deviation)

whereas the printed Eq. (31) divides by ``sum_k W_jk^2 E[psi^2]`` without the square root
(substituting the variance (25) for the standard deviation sigma_j^(1) of Eq. (30)); note also
that (30)-(31) write ``W_ij`` where the denominator's row index requires ``W_ji``. Both are
evaluated per weight draw and their fractions outside [-1, 1] reported.

Prediction and tolerance (headline: the second moment of C^(0,1) over weight draws; its mean is
0 by the symmetry W -> -W). For Gaussian weights ``W_j / |W_j|`` is uniform on the sphere, so
``E u_i^2 = 1/N0`` and ``E[C^2] = beta0^2 / (alpha N0)`` exactly. The Monte Carlo correlation
over M inputs adds sampling noise of variance ``(1 - C^2)^2 / M`` (bivariate-normal formula);
the pair is not exactly Gaussian, so we add the term to the prediction and also allow it in
full as the bias bound: ``theory = beta0^2/(alpha N0) + E(1 - C^2)^2/M``,
``bias_bound = E(1 - C^2)^2/M``. Orthogonal rows are also uniform on the sphere (the formula holds
for ``N <= N0``; for ``N > N0`` the rows are not independent but each is still uniform).
The stderr is over weight draws (per-draw mean of ``C_ij^2``). Deeper layers: measured only,
next to the printed recursion (33) ``V^(l) = sw2 beta^2 / q^l * V^(l-1)`` for comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import gexp
from theorycheck.meanfield.finite_width import MapTheory
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep
from theorycheck.simulate.result import Measurement, compare, mean_stderr, z_value
from theorycheck.simulate.theory import ActFns

#: |C| > 1 + ROUNDING counts as outside [-1, 1] (float64 rounding of a Pearson coefficient)
ROUNDING = 1e-12


def _pearson(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Correlations (B, N0, N) between rows of x (B, N0, M) and rows of y (B, N, M)."""
    xc = x - x.mean(dim=2, keepdim=True)
    yc = y - y.mean(dim=2, keepdim=True)
    num = torch.bmm(xc, yc.transpose(1, 2))
    den = torch.sqrt((xc * xc).sum(2)).unsqueeze(2) * torch.sqrt((yc * yc).sum(2)).unsqueeze(1)
    return num / den


def measure_input_correlation(act: ActFns, spec: NetSpec, samples: int, inputs: int, seed: int,
                              *, placement: Placement, precision: str = "auto",
                              s0sq: float = 1.0, bins: int = 80,
                              theory_override: float | None = None) -> Measurement:
    """Distribution of C_ij^(0,l), l = 1..L, over ``samples`` weight draws; see module doc."""
    place = torch_placement(placement, precision,
                            entry="simulate.input_correlation.measure_input_correlation")
    n0 = spec.n0
    if inputs < 8 * (n0 + spec.width) and inputs < 2000:
        raise TheoryCheckError(f"too few inputs per draw ({inputs}) for well-estimated "
                               "correlations; use >= 2000", status=Status.INVALID_ARGUMENT)
    if samples < 2:
        raise TheoryCheckError("need at least 2 weight draws", status=Status.INVALID_ARGUMENT)
    mt = MapTheory(act, spec.sw2, spec.sb2, spec.noise2)
    f = act.np0
    beta0, _ = gexp(lambda u, z: f(u) * z, s0sq, act.kinks)
    e1 = mt.moment(1, s0sq)
    e2 = mt.moment(2, s0sq)
    alpha = e2 - e1 * e1
    nb = memory.dtype_bytes(place.dtype)
    per = nb * (2 * spec.width * max(n0, spec.width) + 4 * inputs * (n0 + spec.width)
                + 2 * n0 * spec.width)
    memory.ensure_fits(per, place.device, f"one draw with {inputs} inputs",
                       fits_for=lambda bud: max(1, bud // (nb * 4 * (n0 + spec.width))),
                       size_name="inputs", size=inputs)
    batch = min(64, memory.chunk_count(per, samples, place.device))
    gen = place.generator(seed)
    per_layer: list[list[np.ndarray]] = [[] for _ in range(spec.depth)]
    printed, corrected = [], []
    done = 0
    with torch.no_grad():
        while done < samples:
            b = min(batch, samples - done)
            x = gaussian_inputs(gen, place, b, n0, inputs, s0sq)
            for step in sweep(x, spec, act.torch0, gen, place):
                c = _pearson(x, step.x_out)
                per_layer[step.layer - 1].append(c.cpu().numpy())
                if step.layer == 1:
                    w = step.weights                            # (B, N, N0)
                    rowsq = (w * w).sum(2, keepdim=True)        # (B, N, 1)
                    wt = w.transpose(1, 2)                      # (B, N0, N): W_ji at [i, j]
                    printed.append((wt * beta0 / (rowsq.transpose(1, 2) * e2)).cpu().numpy())
                    corrected.append((wt * beta0 / torch.sqrt(alpha * rowsq.transpose(1, 2)))
                                     .cpu().numpy())
            done += b
    layers: list[dict[str, Any]] = []
    q = s0sq
    v_printed = None
    for l in range(spec.depth):
        corr = np.concatenate(per_layer[l])                       # (S, N0, N)
        per_draw = (corr * corr).mean(axis=(1, 2))
        m2, se2 = mean_stderr(per_draw)
        counts, edges = np.histogram(np.clip(corr, -1.5, 1.5).ravel(), bins=bins, range=(-1.5, 1.5))
        entry: dict[str, Any] = {
            "layer": l + 1, "mean": float(corr.mean()), "second_moment": float(m2),
            "stderr": float(se2), "fraction_outside": float(np.mean(np.abs(corr) > 1 + ROUNDING)),
            "max_abs": float(np.abs(corr).max()),
            "histogram": {"edges": edges, "counts": counts},
        }
        # printed Eq. (33): V^(l) = sw2 beta^2 / (sigma_j^(l))^2 V^(l-1), beta at the input scale
        q_next = mt.vmap(q)
        if l == 0:
            v_printed = beta0**2 / (alpha * n0)
        else:
            assert v_printed is not None
            v_printed = spec.sw2 * beta0**2 / q_next * v_printed
        entry["printed_eq33"] = v_printed
        q = q_next
        layers.append(entry)
    cp = np.concatenate(printed)
    cc = np.concatenate(corrected)
    c1 = np.concatenate(per_layer[0])
    noise = float(np.mean((1 - cc * cc) ** 2)) / inputs
    th = beta0**2 / (alpha * n0) + noise if theory_override is None else theory_override
    z = z_value(1, dof=samples - 1)
    ok, tol = compare(th, layers[0]["second_moment"], layers[0]["stderr"], noise, z)
    extra: dict[str, Any] = {
        "layers": layers,
        "beta0": beta0, "alpha": alpha, "E_psi2": e2, "N0": n0, "inputs_per_draw": inputs,
        "layer1_formulas": {
            "actual_fraction_outside": float(np.mean(np.abs(c1) > 1 + ROUNDING)),
            "printed_eq31_fraction_outside": float(np.mean(np.abs(cp) > 1)),
            "corrected_fraction_outside": float(np.mean(np.abs(cc) > 1 + ROUNDING)),
            "printed_eq31_second_moment": float(np.mean(cp * cp)),
            "corrected_second_moment": float(np.mean(cc * cc)),
            "rms_actual_minus_corrected": float(np.sqrt(np.mean((c1 - cc) ** 2))),
            "rms_actual_minus_printed": float(np.sqrt(np.mean((c1 - cp) ** 2))),
            "printed_eq31_histogram": dict(zip(("counts", "edges"), np.histogram(
                np.clip(cp, -3, 3).ravel(), bins=bins, range=(-3, 3)), strict=True)),
        },
        "sampling_noise_term": noise,
    }
    return Measurement(
        kind="input-correlation", quantity="E[(C_ij^(0,1))^2] over weight draws", theory=th,
        measured=layers[0]["second_moment"], stderr=layers[0]["stderr"], agree=ok,
        tolerance=tol,
        tolerance_derivation=(f"z*stderr + E(1-C^2)^2/M (Monte Carlo noise of a correlation over "
                              f"M={inputs} inputs, allowed in full), z={z:.3g}; theory "
                              "beta0^2/(alpha N0) exact for Gaussian weights"),
        device=place.name, seed=seed,
        params={"sw2": spec.sw2, "sb2": spec.sb2, "width": spec.width, "depth": spec.depth,
                "N0": n0, "weights": spec.weights, "samples": samples, "inputs": inputs},
        extra=extra)
