"""The built-in activations: a registry of SymPy expressions in x, with stable k=0 overrides.

Each entry is registered with :func:`builtin`; piecewise activations are written as
``Piecewise`` so that their kinks are detectable. Where a formula evaluated naively in float64
overflows (exp-based activations), a hand-written numpy and torch evaluation of psi itself
is registered beside it; derivatives always come from SymPy (see ``_compile`` for their
stabilisation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.special as sps
import sympy as sp

from theorycheck.activations.parse import X

#: SELU constants (Klambauer et al. 2017), 32 significant digits
SELU_LAMBDA = sp.Float("1.0507009873554804934193349852946", 32)
SELU_ALPHA = sp.Float("1.6732632423543772848170429916717", 32)


@dataclass(frozen=True)
class Builtin:
    """A registered activation: its expression, aliases and optional stable k=0 evaluations."""

    name: str
    expr: sp.Expr
    aliases: tuple[str, ...] = ()
    numpy0: Callable[[np.ndarray], np.ndarray] | None = None
    torch0: Callable[[Any], Any] | None = None
    formula: str = ""


REGISTRY: dict[str, Builtin] = {}
_ALIASES: dict[str, str] = {}


def builtin(name: str, *aliases: str, formula: str = "") -> Callable[[Callable[[], Builtin]],
                                                                       Callable[[], Builtin]]:
    """Register the activation built by the decorated zero-argument function under ``name``."""

    def deco(fn: Callable[[], Builtin]) -> Callable[[], Builtin]:
        b = fn()
        entry = Builtin(name, b.expr, tuple(aliases), b.numpy0, b.torch0,
                        formula or str(b.expr))
        REGISTRY[name] = entry
        for key in (name, *aliases):
            _ALIASES[key.lower()] = name
        return fn
    return deco


def lookup(name: str) -> Builtin | None:
    """The built-in registered under ``name`` or one of its aliases (case-insensitive)."""
    key = _ALIASES.get(name.strip().lower())
    return REGISTRY[key] if key is not None else None


def _b(expr: sp.Expr, numpy0: Callable[[np.ndarray], np.ndarray] | None = None,
       torch0: Callable[[Any], Any] | None = None) -> Builtin:
    return Builtin("", expr, (), numpy0, torch0)


def _torch_fn(attr: str, **kw: Any) -> Callable[[Any], Any]:
    """``torch.nn.functional.<attr>`` (or ``torch.<attr>``), imported at call time."""

    def f(t: Any) -> Any:
        import torch  # lazy: torch is optional; only the simulation layer calls torch callables

        fn = getattr(torch, attr, None) or getattr(torch.nn.functional, attr)
        return fn(t, **kw)
    return f


def _elu_np(alpha: float, scale: float) -> Callable[[np.ndarray], np.ndarray]:
    def f(v: np.ndarray) -> np.ndarray:
        return scale * np.where(v < 0, alpha * np.expm1(np.minimum(v, 0.0)), v)
    return f


@builtin("linear", "identity")
def _linear() -> Builtin:
    return _b(X)


@builtin("tanh")
def _tanh() -> Builtin:
    return _b(sp.tanh(X), np.tanh, _torch_fn("tanh"))


@builtin("erf")
def _erf() -> Builtin:
    return _b(sp.erf(X), sps.erf, _torch_fn("erf"))


@builtin("arctan", "atan")
def _arctan() -> Builtin:
    return _b(sp.atan(X), np.arctan, _torch_fn("atan"))


@builtin("softsign")
def _softsign() -> Builtin:
    return _b(X / (1 + sp.Abs(X)), lambda v: v / (1.0 + np.abs(v)), _torch_fn("softsign"))


@builtin("sigmoid", "logistic")
def _sigmoid() -> Builtin:
    return _b(1 / (1 + sp.exp(-X)), sps.expit, _torch_fn("sigmoid"))


@builtin("hardtanh")
def _hardtanh() -> Builtin:
    expr = sp.Piecewise((-1, X < -1), (X, X < 1), (1, True))
    return _b(expr, lambda v: np.clip(v, -1.0, 1.0), _torch_fn("hardtanh"))


@builtin("relu")
def _relu() -> Builtin:
    return _b(sp.Piecewise((0, X < 0), (X, True)), lambda v: np.maximum(v, 0.0),
              _torch_fn("relu"))


@builtin("selu")
def _selu() -> Builtin:
    expr = SELU_LAMBDA * sp.Piecewise((SELU_ALPHA * (sp.exp(X) - 1), X < 0), (X, True))
    return _b(expr, _elu_np(float(SELU_ALPHA), float(SELU_LAMBDA)), _torch_fn("selu"))


@builtin("elu")
def _elu() -> Builtin:
    expr = sp.Piecewise((sp.exp(X) - 1, X < 0), (X, True))
    return _b(expr, _elu_np(1.0, 1.0), _torch_fn("elu"))


@builtin("gelu")
def _gelu() -> Builtin:
    expr = X / 2 * (1 + sp.erf(X / sp.sqrt(2)))
    return _b(expr, lambda v: 0.5 * v * sps.erfc(-v / np.sqrt(2.0)), _torch_fn("gelu"))


@builtin("swish", "silu")
def _swish() -> Builtin:
    return _b(X / (1 + sp.exp(-X)), lambda v: v * sps.expit(v), _torch_fn("silu"))


@builtin("softplus")
def _softplus() -> Builtin:
    return _b(sp.log(1 + sp.exp(X)), lambda v: np.logaddexp(0.0, v),
              _torch_fn("softplus", threshold=30.0))


#: every name and alias get_activation accepts for a built-in
BUILTIN_NAMES: tuple[str, ...] = tuple(sorted(_ALIASES))
