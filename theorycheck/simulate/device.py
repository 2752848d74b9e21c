"""Resolve where a simulation runs: ``auto`` (CUDA when present, else CPU), ``cpu``, ``cuda``.

Precision: float64 on the CPU by default, float32 on CUDA by default (``precision=`` overrides).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from theorycheck.errors import Status, TheoryCheckError

DEVICE_CHOICES = ("auto", "cpu", "cuda")
PRECISION_CHOICES = ("auto", "float32", "float64")


@dataclass(frozen=True)
class Placement:
    """A resolved device and dtype, with a human-readable device name for reports."""

    device: torch.device
    dtype: torch.dtype

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def name(self) -> str:
        """``"cpu"`` or ``"cuda:0 (NVIDIA H100 80GB HBM3)"``."""
        if self.is_cuda:
            return f"{self.device} ({torch.cuda.get_device_name(self.device)})"
        return "cpu"

    def generator(self, seed: int) -> torch.Generator:
        """A fresh ``torch.Generator`` on this device seeded with ``seed`` (one per run)."""
        gen = torch.Generator(device=self.device)
        gen.manual_seed(int(seed))
        return gen


def resolve(device: str = "auto", precision: str = "auto") -> Placement:
    """Turn ``device`` in {auto, cpu, cuda} and ``precision`` into a :class:`Placement`.

    Raises ``device-unavailable`` when ``cuda`` is asked for and no CUDA device is present.
    """
    if device not in DEVICE_CHOICES and not device.startswith("cuda:"):
        raise TheoryCheckError(f"unknown device {device!r}; choose one of {DEVICE_CHOICES}",
                               status=Status.INVALID_ARGUMENT)
    if precision not in PRECISION_CHOICES:
        raise TheoryCheckError(f"unknown precision {precision!r}; choose one of "
                               f"{PRECISION_CHOICES}", status=Status.INVALID_ARGUMENT)
    has_cuda = torch.cuda.is_available()
    if device == "auto":
        dev = torch.device("cuda" if has_cuda else "cpu")
    elif device.startswith("cuda"):
        if not has_cuda:
            raise TheoryCheckError("device 'cuda' was requested but no CUDA device is available "
                                   "(use --device cpu or auto)", status=Status.DEVICE_UNAVAILABLE)
        dev = torch.device(device)
    else:
        dev = torch.device("cpu")
    if precision == "auto":
        dtype = torch.float32 if dev.type == "cuda" else torch.float64
    else:
        dtype = torch.float32 if precision == "float32" else torch.float64
    return Placement(dev, dtype)
