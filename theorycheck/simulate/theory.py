"""The activation as a simulation sees it: psi and psi' in torch and numpy, and its kinks.

:class:`ActFns` bundles the callables; :func:`resolve_activation` builds one from a name, a
formula or an ``Activation``. The float64 infinite-width predictions and 1/N recursions the
simulations are compared with (``MapTheory``) live in :mod:`theorycheck.meanfield.finite_width`,
their quadrature (``gexp``) in :mod:`theorycheck.gaussian.rules`; both are re-exported here for
the simulate modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import gexp  # re-export: moved
from theorycheck.meanfield.finite_width import MapTheory  # re-export: moved

NpFn = Callable[[np.ndarray], np.ndarray]
TorchFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class ActFns:
    """The callables a simulation needs: psi and psi' in torch and numpy, and kink locations."""

    name: str
    torch0: TorchFn
    torch1: TorchFn
    np0: NpFn
    np1: NpFn
    kinks: tuple[float, ...] = ()
    source: Any = None   # the theorycheck Activation this was built from, if any

    @classmethod
    def from_torch(cls, name: str, f: TorchFn, df: TorchFn,
                   kinks: tuple[float, ...] = ()) -> ActFns:
        """Build from plain torch functions (numpy versions evaluate them in float64)."""
        def wrap(g: TorchFn) -> NpFn:
            def h(x: np.ndarray) -> np.ndarray:
                return g(torch.as_tensor(np.asarray(x, dtype=np.float64))).numpy()
            return h
        return cls(name, f, df, wrap(f), wrap(df), tuple(sorted(kinks)))

    @classmethod
    def from_activation(cls, act: Any) -> ActFns:
        """Build from a ``theorycheck.activations.Activation`` (its ``torch``/``numpy`` hooks)."""
        kinks: list[float] = []
        for k in getattr(act, "kinks", ()) or ():
            try:
                kinks.append(float(k))
            except (TypeError, ValueError):
                continue
        return cls(str(act.name), act.torch(0), act.torch(1), act.numpy(0), act.numpy(1),
                   tuple(sorted(kinks)), act)


def _relu1(x: torch.Tensor) -> torch.Tensor:
    return (x > 0).to(x.dtype)


def _tanh1(x: torch.Tensor) -> torch.Tensor:
    return 1.0 - torch.tanh(x) ** 2


def _lin1(x: torch.Tensor) -> torch.Tensor:
    return torch.ones_like(x)


_FALLBACK: dict[str, tuple[TorchFn, TorchFn, tuple[float, ...]]] = {
    "tanh": (torch.tanh, _tanh1, ()),
    "relu": (torch.relu, _relu1, (0.0,)),
    "linear": (lambda x: x, _lin1, ()),
}


def resolve_activation(act: str | ActFns | Any) -> ActFns:
    """``ActFns`` from a name/formula (via ``theorycheck.activations``), an Activation, or as is.

    Until the activations package is importable, the names tanh, relu and linear resolve to
    built-in torch functions.
    """
    if isinstance(act, ActFns):
        return act
    if not isinstance(act, str):
        return ActFns.from_activation(act)
    try:
        from theorycheck.activations import get_activation
    except ImportError:
        if act in _FALLBACK:
            f, df, kinks = _FALLBACK[act]
            return ActFns.from_torch(act, f, df, kinks)
        raise TheoryCheckError(f"unknown activation {act!r} (activations package unavailable)",
                               status=Status.UNKNOWN_ACTIVATION) from None
    return ActFns.from_activation(get_activation(act))


__all__ = ["ActFns", "MapTheory", "gexp", "resolve_activation"]
