"""A small fixed family of scalar nonlinearities for the information checks (seed 000,
Eqs. (23)-(27), (34); seed 001, Prop. 1): each with a vectorised float64 form, an mpmath form
and its kinks.

Kept here (not taken from ``theorycheck.activations``) so the information layer stays
numpy/mpmath-only and its checks do not move when the activation catalogue changes; claims may
cross-check against the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath as mp
import numpy as np
from numpy.typing import NDArray

from theorycheck.errors import Status, TheoryCheckError

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Channel:
    """``psi`` in three forms; ``parity`` is ``odd``/``neither`` (decided by construction)."""

    name: str
    numpy: Callable[[Array], Array]
    mpmath: Callable[[mp.mpf], mp.mpf]
    kinks: tuple[float, ...] = ()
    parity: str = "odd"


def _sigmoid_np(x: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


CHANNELS: dict[str, Channel] = {
    "linear": Channel("linear", lambda x: np.asarray(x, dtype=np.float64), lambda x: x),
    "tanh": Channel("tanh", np.tanh, mp.tanh),
    "relu": Channel("relu", lambda x: np.maximum(x, 0.0), lambda x: x if x > 0 else mp.mpf(0),
                    (0.0,), "neither"),
    "sigmoid": Channel("sigmoid", _sigmoid_np, lambda x: 1 / (1 + mp.exp(-x)), (), "neither"),
    "cubic": Channel("cubic", lambda x: np.asarray(x, dtype=np.float64) ** 3, lambda x: x ** 3),
    "softsign": Channel("softsign", lambda x: x / (1.0 + np.abs(x)), lambda x: x / (1 + abs(x)),
                        (0.0,)),
    "sign-ish": Channel("sign-ish", lambda x: np.tanh(4.0 * x), lambda x: mp.tanh(4 * x)),
}


def get_channel(name: str) -> Channel:
    """The channel called ``name`` (one of :data:`CHANNELS`)."""
    if name not in CHANNELS:
        raise TheoryCheckError(f"unknown channel {name!r}; known: {', '.join(CHANNELS)}",
                               status=Status.INVALID_ARGUMENT)
    return CHANNELS[name]
