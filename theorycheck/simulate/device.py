"""The torch side of a run's :class:`~theorycheck.placement.Placement`: its device and dtype.

Every simulation entry point turns the placement it receives into a :class:`TorchPlacement`
with :func:`torch_placement`, which also reports the (entry point, placement) pair to the
observers in :data:`PLACEMENT_OBSERVERS` (the placement test records them during ``verify``).

Precision: float64 on the CPU by default, float32 on CUDA by default (``precision=`` overrides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import Placement

PRECISION_CHOICES = ("auto", "float32", "float64")

#: callables ``(entry, placement)`` told of every placement a simulation entry point receives
PLACEMENT_OBSERVERS: list[Callable[[str, Placement], None]] = []


@dataclass(frozen=True)
class TorchPlacement:
    """A placement with its ``torch.device`` and the dtype a simulation computes in there."""

    placement: Placement
    device: torch.device
    dtype: torch.dtype

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def name(self) -> str:
        """The placement's display name: ``"cpu"`` or ``"cuda:0 (NVIDIA H100 80GB HBM3)"``."""
        return self.placement.name

    def generator(self, seed: int) -> torch.Generator:
        """A fresh ``torch.Generator`` on this device seeded with ``seed`` (one per run)."""
        gen = torch.Generator(device=self.device)
        gen.manual_seed(int(seed))
        return gen


def dtype_for(placement: Placement, precision: str = "auto") -> torch.dtype:
    """The dtype of ``precision`` in {auto, float32, float64}; ``auto``: float32 on CUDA,
    float64 on the CPU."""
    if precision not in PRECISION_CHOICES:
        raise TheoryCheckError(f"unknown precision {precision!r}; choose one of "
                               f"{PRECISION_CHOICES}", status=Status.INVALID_ARGUMENT)
    if precision == "auto":
        return torch.float32 if placement.is_cuda else torch.float64
    return torch.float32 if precision == "float32" else torch.float64


def torch_placement(placement: Placement, precision: str = "auto", *,
                    entry: str) -> TorchPlacement:
    """The :class:`TorchPlacement` of ``placement`` at ``precision``, for the simulation entry
    point named ``entry`` (reported to every observer first)."""
    for observe in PLACEMENT_OBSERVERS:
        observe(entry, placement)
    return TorchPlacement(placement, placement.torch_device(), dtype_for(placement, precision))


@contextmanager
def observed_placements() -> Iterator[list[tuple[str, Placement]]]:
    """Within the block, collect ``(entry, placement)`` of every simulation entry point."""
    seen: list[tuple[str, Placement]] = []

    def observe(entry: str, placement: Placement) -> None:
        seen.append((entry, placement))

    PLACEMENT_OBSERVERS.append(observe)
    try:
        yield seen
    finally:
        PLACEMENT_OBSERVERS.remove(observe)
