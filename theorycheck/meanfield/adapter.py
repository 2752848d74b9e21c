"""What the mean-field layer needs from an activation, and an adapter for plain callables.

The mean-field code uses only: ``name``, ``numpy(k)``, ``mpmath(k)``, ``kinks`` (x positions where
psi or a low derivative is not smooth), ``jumps`` / ``jump_limits`` / ``piecewise_constant``
(where psi itself jumps, optional) and ``psi0`` / ``dpsi0`` (psi(0), psi'(0) or None).  An
:class:`~theorycheck.activations.Activation` provides all of them; :class:`CallableActivation`
wraps hand-written functions (used by the tests and for quick experiments).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import numpy as np

from theorycheck.activations import get_activation
from theorycheck.errors import Status, TheoryCheckError


@dataclass
class CallableActivation:
    """An activation given by its derivatives as callables: ``np_funcs[k]``, ``mp_funcs[k]``."""

    name: str
    np_funcs: Sequence[Callable[[np.ndarray], np.ndarray]]
    mp_funcs: Sequence[Callable[[mp.mpf], mp.mpf]]
    kinks: tuple[float, ...] = ()
    jumps: tuple[tuple[Any, Any], ...] = ()
    jump_limits: tuple[tuple[Any, Any, Any], ...] = ()
    piecewise_constant: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def numpy(self, k: int = 0) -> Callable[[np.ndarray], np.ndarray]:
        if k >= len(self.np_funcs):
            raise TheoryCheckError(f"{self.name}: derivative {k} not supplied")
        return self.np_funcs[k]

    def mpmath(self, k: int = 0) -> Callable[[mp.mpf], mp.mpf]:
        if k >= len(self.mp_funcs):
            raise TheoryCheckError(f"{self.name}: derivative {k} not supplied")
        return self.mp_funcs[k]


def resolve_activation(act: Any) -> Any:
    """An Activation for ``act`` (a name/formula string goes through ``get_activation``)."""
    if isinstance(act, str):
        return get_activation(act)
    for attr in ("name", "numpy", "mpmath"):
        if not hasattr(act, attr):
            raise TheoryCheckError(f"not an activation (missing .{attr}): {act!r}",
                                   status=Status.INVALID_ARGUMENT)
    return act


def kinks_of(act: Any) -> tuple[float, ...]:
    """Kink positions as floats (sympy expressions are evaluated)."""
    out = []
    for k in getattr(act, "kinks", ()) or ():
        v = float(k)
        if math.isfinite(v):
            out.append(v)
    return tuple(sorted(set(out)))


def jumps_of(act: Any) -> tuple[tuple[tuple[Any, Any], ...], tuple[tuple[Any, Any, Any], ...],
                                  bool]:
    """(jumps ((x0, J), ...), their limits ((x0, psi(x0-), psi(x0+)), ...), piecewise
    constant): what an activation says about the points where psi itself jumps."""
    return (tuple(getattr(act, "jumps", ()) or ()), tuple(getattr(act, "jump_limits", ()) or ()),
            bool(getattr(act, "piecewise_constant", False)))


def psi0_dpsi0(act: Any) -> tuple[float, float | None]:
    """psi(0) and psi'(0) (None where psi is kinked at 0 or the property says undefined)."""
    props = getattr(act, "properties", None)
    if props is not None and getattr(props, "psi0", None) is not None:
        p0 = float(props.psi0)
        d0 = getattr(props, "dpsi0", None)
        return p0, (None if d0 is None else float(d0))
    p0 = float(np.asarray(act.numpy(0)(np.array([0.0])))[0])
    if any(abs(k) == 0.0 for k in kinks_of(act)):
        return p0, None
    try:
        d0 = float(np.asarray(act.numpy(1)(np.array([0.0])))[0])
    except TheoryCheckError:
        d0 = None
    return p0, d0


def dpsi0_exact(act: Any) -> Any | None:
    """psi'(0) as the activation's exact SymPy value (None when not available or undefined)."""
    props = getattr(act, "properties", None)
    value = getattr(props, "dpsi0", None) if props is not None else None
    return value if hasattr(value, "evalf") else None


def to_mp(value: Any) -> mp.mpf:
    """``value`` (a SymPy number, a float or an mpf) as an mpf at the current mpmath precision;
    SymPy numbers are evaluated to that precision, never through a 16-digit float."""
    if hasattr(value, "evalf"):
        return mp.mpf(str(value.evalf(mp.mp.dps + 5)))
    if isinstance(value, float):
        return mp.mpf(repr(value))
    return mp.mpf(value)


def max_variance(act: Any) -> float:
    """Largest q for which E psi(sqrt(q) z)^2 is finite (inf when unbounded or unknown)."""
    v: Any = getattr(act, "max_gaussian_variance", None)
    if v is None:
        v = getattr(getattr(act, "properties", None), "max_gaussian_variance", None)
    try:
        v = v() if callable(v) else v
        return math.inf if v is None else float(v)
    except (TypeError, ValueError, TheoryCheckError):  # advisory; the numeric scan decides
        return math.inf
