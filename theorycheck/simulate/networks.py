"""Random fully connected networks, drawn in batches on one device with one generator.

Model (seed 000, Eq. (3); seed 002, Eq. (1) with ``y^{l+1} = phi(z^l)``)::

    x^(l+1) = W^(l+1) psi(x^(l) + n^(l)) + b^(l+1),   l = 0, ..., L-1

``x^(0)`` is the input, treated as layer-0 preactivations (so a Gaussian input of variance q0
starts the variance map at q0), ``W^(l+1)`` is ``N_{l+1} x N_l`` with either i.i.d.
``N(0, sw2/N_l)`` entries ("gaussian") or ``sqrt(sw2 * max(1, N_{l+1}/N_l))`` times a Haar
(partial) isometry ("orthogonal": QR of a Gaussian matrix with the signs of diag(R) moved
into Q, which makes Q exactly Haar distributed); ``b ~ N(0, sb2)``; ``n^(l) ~ N(0, noise2)`` is
the optional Gaussian noise added before every activation (seed 001, Sec. II; zero by default).
Both weight kinds give ``E |W h|^2 = sw2 * N_{l+1}/N_l * |h|^2``, the scaling the variance map
assumes. Tensors are batched over independent networks: weights ``(B, N_out, N_in)``,
activations ``(B, N, P)`` for P inputs per network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.simulate.device import TorchPlacement

WEIGHT_KINDS = ("gaussian", "orthogonal")
TorchFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class NetSpec:
    """Widths, depth, variances and weight kind of a random network ensemble."""

    sw2: float
    sb2: float
    width: int
    depth: int
    in_dim: int | None = None
    weights: str = "gaussian"
    noise2: float = 0.0

    def __post_init__(self) -> None:
        if self.weights not in WEIGHT_KINDS:
            raise TheoryCheckError(f"unknown weight kind {self.weights!r}; choose one of "
                                   f"{WEIGHT_KINDS}", status=Status.INVALID_ARGUMENT)
        for name, v in (("sw2", self.sw2), ("sb2", self.sb2), ("noise2", self.noise2)):
            if not (math.isfinite(v) and v >= 0):
                raise TheoryCheckError(f"{name} must be a finite number >= 0 (got {v})",
                                       status=Status.INVALID_ARGUMENT)
        if self.sw2 <= 0:
            raise TheoryCheckError("sw2 must be > 0", status=Status.INVALID_ARGUMENT)
        if self.width < 1 or self.depth < 1 or (self.in_dim is not None and self.in_dim < 1):
            raise TheoryCheckError("width, depth and input dimension must be >= 1",
                                   status=Status.INVALID_ARGUMENT)

    @property
    def n0(self) -> int:
        return self.width if self.in_dim is None else self.in_dim

    def fan(self, layer: int) -> tuple[int, int]:
        """``(N_out, N_in)`` of ``W^(layer)``, layer = 1..L."""
        return self.width, (self.n0 if layer == 1 else self.width)


def haar_orthogonal(gen: torch.Generator, place: TorchPlacement, batch: int, n_out: int,
                    n_in: int) -> torch.Tensor:
    """``batch`` Haar-distributed partial isometries of shape ``(n_out, n_in)``.

    QR of a Gaussian matrix ``A = Q R``; multiplying column k of Q by ``sign(R_kk)`` makes Q
    Haar (Mezzadri 2007). For ``n_out < n_in`` the transpose of an ``(n_in, n_out)`` draw.
    """
    tall = n_out >= n_in
    rows, cols = (n_out, n_in) if tall else (n_in, n_out)
    a = torch.randn(batch, rows, cols, generator=gen, device=place.device, dtype=place.dtype)
    q, r = torch.linalg.qr(a, mode="reduced")
    signs = torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))
    signs = torch.where(signs == 0, torch.ones_like(signs), signs)
    q = q * signs.unsqueeze(-2)
    return q if tall else q.transpose(-2, -1)


def draw_weights(gen: torch.Generator, place: TorchPlacement, batch: int, n_out: int, n_in: int,
                 kind: str, sw2: float) -> torch.Tensor:
    """Weights ``(batch, n_out, n_in)``: Gaussian ``N(0, sw2/n_in)`` or scaled orthogonal."""
    if kind == "gaussian":
        w = torch.randn(batch, n_out, n_in, generator=gen, device=place.device,
                        dtype=place.dtype)
        return w.mul_(math.sqrt(sw2 / n_in))
    q = haar_orthogonal(gen, place, batch, n_out, n_in)
    return q.mul_(math.sqrt(sw2 * max(1.0, n_out / n_in)))


def draw_bias(gen: torch.Generator, place: TorchPlacement, batch: int, n: int,
              sb2: float) -> torch.Tensor:
    """Biases ``(batch, n, 1)`` with i.i.d. ``N(0, sb2)`` entries (zeros when sb2 = 0)."""
    if sb2 == 0:
        return torch.zeros(batch, n, 1, device=place.device, dtype=place.dtype)
    b = torch.randn(batch, n, 1, generator=gen, device=place.device, dtype=place.dtype)
    return b.mul_(math.sqrt(sb2))


@dataclass
class LayerStep:
    """One layer of a forward sweep: its index, weights, input activation and output."""

    layer: int
    weights: torch.Tensor       # (B, N_out, N_in)
    pre_in: torch.Tensor        # (B, N_in, P): x^(l-1) + noise, the argument of psi
    x_out: torch.Tensor         # (B, N_out, P): x^(l)


def sweep(x0: torch.Tensor, spec: NetSpec, psi: TorchFn, gen: torch.Generator,
          place: TorchPlacement) -> Iterator[LayerStep]:
    """Propagate ``x0`` (B, N0, P) through B freshly drawn networks, yielding every layer.

    Weights are drawn layer by layer as the sweep advances, so only one layer's weights live
    at a time unless the caller keeps them.
    """
    batch = x0.shape[0]
    x = x0
    for layer in range(1, spec.depth + 1):
        n_out, n_in = spec.fan(layer)
        w = draw_weights(gen, place, batch, n_out, n_in, spec.weights, spec.sw2)
        b = draw_bias(gen, place, batch, n_out, spec.sb2)
        pre = x
        if spec.noise2 > 0:
            pre = x + math.sqrt(spec.noise2) * torch.randn(
                x.shape, generator=gen, device=place.device, dtype=place.dtype)
        x = torch.baddbmm(b, w, psi(pre))
        yield LayerStep(layer, w, pre, x)


def gaussian_inputs(gen: torch.Generator, place: TorchPlacement, batch: int, dim: int, count: int,
                    q0: float) -> torch.Tensor:
    """``(batch, dim, count)`` i.i.d. ``N(0, q0)`` inputs."""
    x = torch.randn(batch, dim, count, generator=gen, device=place.device, dtype=place.dtype)
    return x.mul_(math.sqrt(q0))
