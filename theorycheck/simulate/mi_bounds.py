"""Sampled Gaussian MI lower bounds of finite networks (seed 000 Eq. (35); seed 001 Eq. (11)).

Networks are drawn by :func:`theorycheck.simulate.networks.sweep` (seed 000 Eq. (3) placement,
optional pre-activation noise of seed 001); each bound goes through
:func:`theorycheck.information.gaussian_mi.gaussian_mi` (Cholesky, condition-number refusal)
and is corrected by the Gaussian-data (Wishart) bias
:func:`theorycheck.information.estimator_bias.mi_bias`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.information.estimator_bias import mi_bias
from theorycheck.information.gaussian_mi import condition_number, gaussian_mi
from theorycheck.numbers import to_decimal
from theorycheck.placement import Placement
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep


@dataclass
class SampledBound:
    """Sampled Gaussian MI bounds (nats) of independent networks, one value per network.

    ``values``: plug-in bounds minus the Gaussian-data bias :func:`mi_bias`; ``raw``: plug-in;
    ``cond``: condition numbers of the joint sample covariances; ``refused``: networks whose
    joint covariance exceeded the float64 condition limit (their bound is not computable; the
    MI of a (near-)deterministic (near-)linear map is unbounded).
    """

    values: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    cond: list[float] = field(default_factory=list)
    refused: int = 0
    bias: float = 0.0

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.values else math.nan

    @property
    def stderr(self) -> float:
        n = len(self.values)
        return float(np.std(self.values, ddof=1) / math.sqrt(n)) if n > 1 else math.inf

    def summary(self) -> dict[str, Any]:
        """Networks drawn and refused, the bias subtracted, and (when any network was usable)
        the mean bound with its standard error and the largest condition number, as decimal
        strings (6 significant digits, errors 3)."""
        out: dict[str, Any] = {"networks": len(self.values) + self.refused,
                               "ill_conditioned_networks": self.refused,
                               "wishart_bias_subtracted": to_decimal(self.bias, 6)}
        if self.values:
            out["bound"] = to_decimal(self.mean, 6)
            if len(self.values) > 1:
                out["bound_err"] = to_decimal(self.stderr, 3)
            out["cond_max"] = to_decimal(max(self.cond), 3)
        return out


def sampled_bounds(psi: Callable[[Any], Any], *, sw2: float, sb2: float, width: int,
                   depth: int, layers: Sequence[int], q0: float, samples: int, networks: int,
                   seed: int, placement: Placement, weights: str = "gaussian",
                   noise2: float = 0.0, max_cond: float = 1e12,
                   on_step: Callable[[Any], None] | None = None) -> dict[int, SampledBound]:
    """Sampled bound I_N(X; x^l) (seed 000 Eq. (35); seed 001 Eq. (11)) at each of ``layers``.

    ``networks`` independent networks of ``width`` (square weights, input dim = width) are
    drawn; each sees ``samples`` i.i.d. N(0, q0 I) inputs (and fresh pre-activation noise of
    variance ``noise2``); the joint sample covariance of (X, x^l) in float64 gives the plug-in
    bound. Deterministic under ``seed``; runs on ``placement``, in float64. ``on_step``
    sees every :class:`~theorycheck.simulate.networks.LayerStep` (e.g. to keep the weights).
    Cost: O(networks * depth * width^2 * samples) for the sweep, O(networks * width^3) per
    layer for the bounds.
    """
    place = torch_placement(placement, "float64", entry="simulate.sampled_bounds")
    gen = place.generator(seed)
    spec = NetSpec(sw2=sw2, sb2=sb2, width=width, depth=depth, weights=weights, noise2=noise2)
    wanted = set(layers)
    out = {layer: SampledBound(bias=mi_bias(width, width, samples)) for layer in layers}
    x0 = gaussian_inputs(gen, place, networks, width, samples, q0)
    xc = x0 - x0.mean(dim=2, keepdim=True)
    for step in sweep(x0, spec, psi, gen, place):
        if on_step is not None:
            on_step(step)
        if step.layer not in wanted:
            continue
        y = step.x_out - step.x_out.mean(dim=2, keepdim=True)
        joint = torch.cat([xc, y], dim=1)
        cov = (joint @ joint.transpose(1, 2) / (samples - 1)).cpu().numpy()
        rec = out[step.layer]
        for b in range(networks):
            try:
                raw = gaussian_mi(cov[b], width, max_cond=max_cond)
            except TheoryCheckError as err:
                if err.status != Status.ILL_CONDITIONED:
                    raise
                rec.refused += 1
                continue
            rec.raw.append(raw)
            rec.values.append(raw - rec.bias)
            rec.cond.append(condition_number(cov[b]))
    return out


__all__ = ["SampledBound", "sampled_bounds"]
