"""The activation as a simulation sees it: psi and psi' in torch and numpy, and its kinks.

:class:`ActFns` bundles the callables; :func:`resolve_activation` builds one from a name, a
formula or an ``Activation``. The float64 infinite-width predictions and 1/N recursions the
simulations are compared with (``MapTheory``) live in :mod:`theorycheck.meanfield.finite_width`,
their quadrature (``gexp``) in :mod:`theorycheck.gaussian.rules`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from theorycheck.activations import get_activation

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


def resolve_activation(act: str | ActFns | Any) -> ActFns:
    """``ActFns`` from a name/formula (via ``theorycheck.activations``), an Activation, or as is."""
    if isinstance(act, ActFns):
        return act
    if not isinstance(act, str):
        return ActFns.from_activation(act)
    return ActFns.from_activation(get_activation(act))


def float64_theory(act: str | ActFns | Any) -> ActFns:
    """The activation as :func:`resolve_activation` gives it, but without its ``source``: the
    simulation then compares with the float64 theory alone (accurate to ~1e-12, far inside any
    statistical tolerance; its quadrature error still enters the tolerance) instead of
    computing a 20-digit mean-field reference for every call. The quick profile's choice."""
    return dataclasses.replace(resolve_activation(act), source=None)


__all__ = ["ActFns", "float64_theory", "resolve_activation"]
