"""Where a run's simulations execute: ``--device`` resolved once, at the edge, into a value.

A :class:`Placement` names a device (``"cpu"``, ``"cuda"``, ``"cuda:1"``) and its display name
with the GPU model (``"cuda (NVIDIA H200)"``). It is a torch-free, frozen, hashable value: the
CLI and the public Python API build it once with :func:`resolve_placement`, ``RunContext``
carries it, every simulation receives it, and results and cache keys record it as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from theorycheck.errors import Status, TheoryCheckError

#: the ``--device`` choices (``cuda:N`` picks one GPU)
DEVICE_CHOICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class Placement:
    """A resolved simulation device: ``device`` as torch spells it, ``name`` for reports.

    ``name`` defaults to ``device``; :func:`resolve_placement` gives a CUDA placement the GPU
    model (``"cuda (NVIDIA H200)"``), which simulations record and key their cache entries by.
    """

    device: str = "cpu"
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.device)

    @property
    def kind(self) -> str:
        """``"cpu"`` or ``"cuda"`` (the device without its index)."""
        return self.device.split(":", 1)[0]

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"

    def torch_device(self) -> Any:
        """This device as a ``torch.device``."""
        import torch  # lazy: torch is needed only where a simulation runs

        return torch.device(self.device)


#: the placement of a run that asks for nothing else
CPU = Placement("cpu")


def resolve_placement(choice: str = "auto") -> Placement:
    """Turn ``--device`` in {auto, cpu, cuda, cuda:N} into a :class:`Placement`.

    ``auto`` picks CUDA when present, else the CPU. Raises ``invalid-argument`` for an unknown
    choice and ``device-unavailable`` when CUDA is asked for and no CUDA device is present.
    """
    if choice not in DEVICE_CHOICES and not choice.startswith("cuda:"):
        raise TheoryCheckError(f"unknown device {choice!r}; choose one of {DEVICE_CHOICES}",
                               status=Status.INVALID_ARGUMENT)
    if choice == "cpu":
        return CPU
    import torch  # lazy: only asking about CUDA needs torch

    has_cuda = torch.cuda.is_available()
    if choice == "auto" and not has_cuda:
        return CPU
    if not has_cuda:
        raise TheoryCheckError("device 'cuda' was requested but no CUDA device is available "
                               "(use --device cpu or auto)", status=Status.DEVICE_UNAVAILABLE)
    try:
        device = torch.device("cuda" if choice == "auto" else choice)
        model = torch.cuda.get_device_name(device)
    except (RuntimeError, AssertionError, ValueError) as err:  # a malformed or absent cuda:N
        raise TheoryCheckError(f"device {choice!r} is not available: {err}",
                               status=Status.DEVICE_UNAVAILABLE) from None
    return Placement(str(device), f"{device} ({model})")


__all__ = ["CPU", "DEVICE_CHOICES", "Placement", "resolve_placement"]
