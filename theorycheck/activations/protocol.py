"""What the property deciders read from an activation, and how they say how they decided.

:class:`SymbolicActivation` is the structural type of :class:`~theorycheck.activations.Activation`
seen from ``properties``, ``kinks`` and ``shape``: they need its SymPy expression, derivatives
and callables, never the class itself (so the Activation module imports them, not the reverse).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import sympy as sp

SYMBOLIC = "symbolic"
NUMERIC = "numeric"

#: (kinks, {kink: (jump of psi, jump of psi')}, "symbolic" | "numeric")
KinkInfo = tuple[tuple[sp.Expr, ...], dict[sp.Expr, tuple[sp.Expr, sp.Expr]], str]


class SymbolicActivation(Protocol):
    """psi(x) as SymPy ``expr`` in the real symbol ``x``, with cached derivatives/callables."""

    x: sp.Symbol
    expr: sp.Expr

    def derivative(self, k: int) -> sp.Expr: ...

    def mpmath(self, k: int = 0) -> Callable[[Any], Any]: ...

    def numpy(self, k: int = 0) -> Callable[[Any], Any]: ...

    @property
    def kink_info(self) -> KinkInfo: ...
