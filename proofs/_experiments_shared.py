"""Shared machinery of the experiment claims (mi-max-at-di, mf-mi-lower-bound, mi-depth-limit,
finite-width-ratio, trainability-depth, orthogonal-faster): sampled Gaussian MI bounds of
finite networks, excess-kurtosis estimates with standard errors, and small statistics helpers.

Networks are drawn by :func:`theorycheck.simulate.networks.sweep` (seed 000 Eq. (3) placement,
optional pre-activation noise of seed 001); MI bounds go through
:func:`theorycheck.information.gaussian_mi.gaussian_mi` (Cholesky, condition-number refusal).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import digamma

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.numbers import to_decimal
from theorycheck.placement import Placement


def dec(x: float, digits: int = 6) -> str:
    """A float as a decimal string (refuses NaN/inf, like every reported number)."""
    return to_decimal(float(x), digits)


def wishart_logdet_bias(p: int, n: int) -> float:
    """E log det S - log det Sigma for the unbiased sample covariance S of n Gaussian draws in
    p dimensions: sum_{i=1..p} digamma((n - i)/2) + p log(2/(n - 1)) (exact; Muirhead 1982,
    Thm. 3.2.15)."""
    if n <= p + 1:
        raise TheoryCheckError(f"need more samples ({n}) than dimensions + 1 ({p + 1})",
                               status=Status.INVALID_ARGUMENT)
    i = np.arange(1, p + 1)
    return float(np.sum(digamma((n - i) / 2.0)) + p * math.log(2.0 / (n - 1)))


def mi_bias(n_x: int, n_y: int, samples: int) -> float:
    """Bias of the plug-in Gaussian MI 1/2 log(det S_xx det S_yy / det S) for Gaussian data:
    1/2 [b(n_x) + b(n_y) - b(n_x + n_y)] with b = :func:`wishart_logdet_bias`."""
    return 0.5 * (wishart_logdet_bias(n_x, samples) + wishart_logdet_bias(n_y, samples)
                  - wishart_logdet_bias(n_x + n_y, samples))


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
        out: dict[str, Any] = {"networks": len(self.values) + self.refused,
                               "ill_conditioned_networks": self.refused,
                               "wishart_bias_subtracted": dec(self.bias)}
        if self.values:
            out["bound"] = dec(self.mean)
            if len(self.values) > 1:
                out["bound_err"] = dec(self.stderr, 3)
            out["cond_max"] = dec(max(self.cond), 3)
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
    """
    import torch

    from theorycheck.information.gaussian_mi import condition_number, gaussian_mi
    from theorycheck.simulate.device import torch_placement
    from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep

    place = torch_placement(placement, "float64", entry="proofs.sampled_bounds")
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


def excess_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Sample excess kurtosis m4/m2^2 - 3 of the 1-D sample ``x`` and its delta-method standard
    error (moments of the sample up to order 8; valid for large samples)."""
    x = np.asarray(x, float)
    n = x.size
    if n < 8:
        raise TheoryCheckError("need at least 8 samples for a kurtosis",
                               status=Status.INVALID_ARGUMENT)
    c = x - x.mean()
    m2, m4 = float(np.mean(c ** 2)), float(np.mean(c ** 4))
    k = m4 / m2 ** 2 - 3.0
    # influence function of m4/m2^2: (c^4 - m4)/m2^2 - 2 m4 (c^2 - m2)/m2^3
    infl = (c ** 4 - m4) / m2 ** 2 - 2.0 * m4 * (c ** 2 - m2) / m2 ** 3
    return k, float(np.std(infl, ddof=1) / math.sqrt(n))


def fit_through_origin(x: Sequence[float], y: Sequence[float], se: Sequence[float]
                       ) -> dict[str, float]:
    """Weighted least squares y = a x (weights 1/se^2): a, its standard error (scaled by
    sqrt(chi2/dof) when the fit is worse than the errors say), chi2 and dof."""
    xa, ya, sa = (np.asarray(v, float) for v in (x, y, se))
    w = 1.0 / np.maximum(sa, 1e-300) ** 2
    sxx = float(np.sum(w * xa * xa))
    a = float(np.sum(w * xa * ya) / sxx)
    chi2 = float(np.sum(w * (ya - a * xa) ** 2))
    dof = max(1, xa.size - 1)
    err = math.sqrt(1.0 / sxx) * max(1.0, math.sqrt(chi2 / dof))
    return {"a": a, "a_err": err, "chi2": chi2, "dof": float(dof)}


def paired_test(a: Sequence[float], b: Sequence[float]) -> dict[str, float]:
    """Paired comparison of a and b (same seeds): mean difference a - b, its standard error,
    the two-sided paired t-test p-value and a 95 % t confidence interval."""
    from scipy import stats

    d = np.asarray(a, float) - np.asarray(b, float)
    n = d.size
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    if n > 1 and se > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), n - 1))
        h = float(stats.t.ppf(0.975, n - 1) * se)
    else:
        p, h = (0.0 if mean != 0 else 1.0), 0.0
    return {"mean_diff": mean, "se": se, "p_value": p, "ci_low": mean - h, "ci_high": mean + h,
            "n": float(n)}
