"""Random 1-D convolutional networks with periodic boundaries (seed 002, Sec. 3.3, Eq. (13)).

Model, for layers l = 1..L, channels j, positions alpha in Z_n (indices mod n)::

    h_j^1(alpha)     = sum_{i, |beta| <= k} x_i(alpha + beta) w_ij^1(beta) + b_j^1
    h_j^{l+1}(alpha) = sum_{i, |beta| <= k} psi(h_i^l(alpha + beta)) w_ij^{l+1}(beta) + b_j^{l+1}

with ``w_ij(beta) ~ N(0, sw2 / (c_in (2k+1)))`` (``c_in`` the fan-in channels of that layer) and
``b_j ~ N(0, sb2)``: seed 002's initialisation (variance ``sw2/(c(2k+1))``), the input entering
the first layer without an activation, as in the fully connected initial condition
``q^1 = sw2 q^0 + sb2`` (seed 002, Sec. 3.1).  With kernel radius ``k = 0`` the network is a
fully connected network applied to the ``n`` positions as ``n`` separate inputs sharing weights,
so the same code measures the fully connected variance and correlation maps.

Every network in a batch of ``networks`` is drawn independently; the statistic reported per
network is the empirical channel covariance ``(1/c) sum_j h_j(alpha) h_j(alpha')``, so standard
errors over networks include all randomness.  Cost: ``networks * n * (2k+1) * c^2`` multiply-adds
per layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import Placement
from theorycheck.simulate.device import TorchPlacement, torch_placement

__all__ = ["CNNCovariances", "JacobianTraces", "cnn_covariances", "cnn_jacobian_traces"]


@dataclass
class CNNCovariances:
    """Per-layer, per-network channel covariances ``cov[l-1, r, alpha, alpha']`` (float64)."""

    cov: np.ndarray
    channels: int
    radius: int
    in_channels: int
    device: str
    seed: int


@dataclass
class JacobianTraces:
    """Per-network normalised squared Frobenius norms of one layer's Jacobian (float64 arrays).

    ``pre``: ``||W D_in||_F^2 / (c n)`` with ``D_in = diag psi'(h^l)`` (the Jacobian of
    ``h^{l+1}`` with respect to ``h^l``); ``post``: ``||D_out W||_F^2 / (c n)`` with
    ``D_out = diag psi'(h^{l+1})`` (seed 000, Eq. (18): D built from the layer's own output).
    """

    pre: np.ndarray
    post: np.ndarray
    channels: int
    device: str
    seed: int


def _check(sw2: float, sb2: float, channels: int, radius: int, depth: int, networks: int) -> None:
    for name, v in (("sw2", sw2), ("sb2", sb2)):
        if not (math.isfinite(v) and v >= 0):
            raise TheoryCheckError(f"{name} must be a finite number >= 0 (got {v})")
    if channels < 1 or radius < 0 or depth < 1 or networks < 2:
        raise TheoryCheckError("need channels >= 1, kernel radius >= 0, depth >= 1 and at least "
                               "2 networks (for a standard error)")
    if networks * channels * channels * (2 * radius + 1) > 400_000_000:
        raise TheoryCheckError("CNN ensemble too large for memory; use fewer networks or "
                               "channels", status=Status.TOO_LARGE)


def _conv(y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Periodic 1-D convolution: y (R, c_in, n), w (R, 2k+1, c_in, c_out), b (R, c_out, 1)."""
    k = (w.shape[1] - 1) // 2
    out = b.expand(-1, -1, y.shape[-1]).clone()
    for idx, beta in enumerate(range(-k, k + 1)):
        shifted = torch.roll(y, shifts=-beta, dims=-1)  # shifted[..., a] = y[..., a + beta]
        out = out + torch.einsum("rin,rio->ron", shifted, w[:, idx])
    return out


def _draw(gen: torch.Generator, place: TorchPlacement, networks: int, radius: int, c_in: int,
          c_out: int, sw2: float, sb2: float) -> tuple[torch.Tensor, torch.Tensor]:
    w = torch.randn(networks, 2 * radius + 1, c_in, c_out, generator=gen, device=place.device,
                    dtype=place.dtype) * math.sqrt(sw2 / (c_in * (2 * radius + 1)))
    b = torch.randn(networks, c_out, 1, generator=gen, device=place.device,
                    dtype=place.dtype) * math.sqrt(sb2)
    return w, b


def cnn_covariances(act: Any, x0: np.ndarray, *, sw2: float, sb2: float, channels: int,
                    radius: int, depth: int, networks: int, seed: int = 0,
                    placement: Placement, precision: str = "float64") -> CNNCovariances:
    """Channel covariances of the preactivations of ``depth`` layers of random periodic CNNs.

    ``act``: an Activation (``.torch(0)``) or a torch callable; ``x0``: the input,
    ``(c_in, n)`` (the same for every network); ``radius``: k (kernel size 2k+1); returns
    ``cov`` of shape ``(depth, networks, n, n)``; ``placement``: where the networks run;
    ``precision``: float64 by default on every device, since the correlation claims read
    ``1 - c`` near c = 1, which float32 blurs (``"auto"``: the device's default).
    """
    _check(sw2, sb2, channels, radius, depth, networks)
    x = np.asarray(x0, dtype=float)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise TheoryCheckError("the CNN input must be a finite (channels, positions) array")
    place = torch_placement(placement, precision, entry="simulate.cnn.cnn_covariances")
    gen = place.generator(seed)
    psi = act.torch(0) if hasattr(act, "torch") else act
    c_in = x.shape[0]
    y = torch.as_tensor(x, device=place.device, dtype=place.dtype).expand(networks, -1, -1)
    covs = []
    with torch.no_grad():
        h = None
        for layer in range(depth):
            fan_in = c_in if layer == 0 else channels
            w, b = _draw(gen, place, networks, radius, fan_in, channels, sw2, sb2)
            h = _conv(y if layer == 0 else psi(h), w, b)
            covs.append(torch.einsum("rja,rjb->rab", h, h) / channels)
            if not torch.isfinite(h).all():
                raise TheoryCheckError(f"CNN preactivations overflowed at layer {layer + 1}",
                                       status=Status.NOT_FINITE)
    cov = torch.stack(covs).to(torch.float64).cpu().numpy()
    return CNNCovariances(cov=cov, channels=channels, radius=radius, in_channels=c_in,
                          device=str(place.device), seed=seed)


def cnn_jacobian_traces(act: Any, q_in: float, *, sw2: float, sb2: float, channels: int,
                        radius: int, positions: int, networks: int, seed: int = 0,
                        placement: Placement, precision: str = "float64") -> JacobianTraces:
    """Normalised ``||J||_F^2`` of one random conv layer fed i.i.d. ``N(0, q_in)`` preactivations.

    The layer is ``h' = W * psi(h) + b`` with ``h ~ N(0, q_in)`` independently per channel and
    position (the mean-field input at the fixed point when ``q_in = q*``).  With ``radius = 0``
    and ``positions = 1`` this is one fully connected layer (seed 000, Eq. (18); 002, Eq. (12)).
    ``placement``, ``precision``: as in :func:`cnn_covariances`.
    """
    _check(sw2, sb2, channels, radius, 1, networks)
    place = torch_placement(placement, precision, entry="simulate.cnn.cnn_jacobian_traces")
    gen = place.generator(seed)
    d1 = act.torch(1)
    psi = act.torch(0)
    with torch.no_grad():
        h = torch.randn(networks, channels, positions, generator=gen, device=place.device,
                        dtype=place.dtype) * math.sqrt(q_in)
        w, b = _draw(gen, place, networks, radius, channels, channels, sw2, sb2)
        out = _conv(psi(h), w, b)
        # ||W D_in||^2 = sum_{j,i,alpha,beta} w_ij(beta)^2 psi'(h_i(alpha+beta))^2
        dsq = d1(h) ** 2                                         # (R, c_in, n)
        wsq = (w ** 2).sum(dim=3)                                # (R, 2k+1, c_in): sum over j
        pre = torch.einsum("rki,rin->r", wsq, dsq)  # each tap hits every position once
        # ||D_out W||^2 = sum_{j,alpha} psi'(h'_j(alpha))^2 sum_{i,beta} w_ij(beta)^2
        wcol = (w ** 2).sum(dim=(1, 2))                          # (R, c_out)
        post = torch.einsum("rj,rjn->r", wcol, d1(out) ** 2)
    norm = channels * positions
    return JacobianTraces(pre=(pre / norm).to(torch.float64).cpu().numpy(),
                          post=(post / norm).to(torch.float64).cpu().numpy(),
                          channels=channels, device=str(place.device), seed=seed)
