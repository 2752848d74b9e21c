"""The Activation object and ``get_activation``: one expression, its derivatives and callables.

``get_activation("tanh")`` or ``get_activation("x/(1+Abs(x))")`` returns a cached
:class:`Activation`. Derivatives come from ``sympy.diff`` and are cached; numpy, mpmath and
torch callables are compiled from the SymPy tree by the translator in ``_compile`` (no exec);
properties and kinks are computed lazily on first access (``properties.py``, ``kinks.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from theorycheck.activations._compile import compile_mpmath, compile_numpy, compile_torch
from theorycheck.activations.builtins import BUILTIN_NAMES, lookup
from theorycheck.activations.jumps import (
    JumpLimits,
    find_jumps,
    is_piecewise_constant,
    jump_limits,
)
from theorycheck.activations.kinks import find_kinks
from theorycheck.activations.parse import X, parse_formula
from theorycheck.activations.properties import ActivationProperties, compute_properties
from theorycheck.activations.protocol import KinkInfo
from theorycheck.errors import Status, TheoryCheckError

#: the highest derivative order callables are offered for
MAX_DERIVATIVE = 8

#: built-ins whose Gaussian integrals have closed forms (key read by the gaussian layer)
_CLOSED_FORM_FAMILIES = {"linear": "linear", "relu": "relu", "erf": "erf"}


class Activation:
    """An activation psi(x): SymPy expression, derivatives, callables and properties.

    Attributes: ``name`` (built-in name or the canonical formula), ``expr`` (SymPy, in the real
    symbol ``x``), ``x``, ``formula`` (text form accepted by the parser), ``builtin`` (bool),
    ``closed_form`` (family key for exact Gaussian integrals: "linear", "relu", "erf" or None).
    """

    def __init__(self, name: str, expr: sp.Expr, *, formula: str | None = None,
                 numpy0: Callable[[np.ndarray], np.ndarray] | None = None,
                 torch0: Callable[[Any], Any] | None = None, builtin: bool = False) -> None:
        self.name = name
        self.expr = expr
        self.x: sp.Symbol = X
        self.formula = formula if formula is not None else str(expr)
        self.builtin = builtin
        self.closed_form: str | None = _CLOSED_FORM_FAMILIES.get(name) if builtin else None
        self._numpy0 = numpy0
        self._torch0 = torch0
        self._derivs: dict[int, sp.Expr] = {0: expr}
        self._callables: dict[tuple[str, int], Callable[[Any], Any]] = {}
        self._lock = threading.RLock()

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled as its name or formula and rebuilt by :func:`get_activation` (the compiled
        callables are local functions): what a worker process of a run receives."""
        return get_activation, (self.name if self.builtin else self.formula,)

    def __repr__(self) -> str:
        if self.builtin:
            return f"Activation({self.name!r}: {self.formula})"
        return f"Activation({self.formula!r})"

    # -- symbolic ------------------------------------------------------------------------------
    def derivative(self, k: int) -> sp.Expr:
        """The k-th derivative of psi, by ``sympy.diff`` (cached); k = 0 gives psi itself."""
        k = _check_order(k)
        with self._lock:
            if k not in self._derivs:
                self._derivs[k] = sp.diff(self.derivative(k - 1), self.x)
            return self._derivs[k]

    # -- numeric -------------------------------------------------------------------------------
    def _cached(self, backend: str, k: int, make: Callable[[], Callable[[Any], Any]]
                ) -> Callable[[Any], Any]:
        k = _check_order(k)
        with self._lock:
            key = (backend, k)
            if key not in self._callables:
                self._callables[key] = make()
            return self._callables[key]

    def mpmath(self, k: int = 0) -> Callable[[Any], Any]:
        """psi^(k) as a scalar mpmath function at the caller's current precision.

        Heaviside(0) = 1/2; DiracDelta terms evaluate to 0 (pointwise derivative).
        """
        return self._cached("mpmath", k, lambda: compile_mpmath(self.derivative(k), self.x))

    def numpy(self, k: int = 0) -> Callable[[Any], Any]:
        """psi^(k) as a vectorised float64 numpy function, finite wherever psi^(k) is.

        Built-ins use hand-stable evaluations for k = 0; otherwise the SymPy tree is translated
        with stable forms of ``1/(1+exp(a))`` and ``log(1+exp(a))``, and non-finite entries
        are recomputed with mpmath.
        """
        def make() -> Callable[[Any], Any]:
            if k == 0 and self._numpy0 is not None:
                return _wrap_numpy(self._numpy0)
            return compile_numpy(self.derivative(k), self.x, fallback=self.mpmath(k))
        return self._cached("numpy", k, make)

    def torch(self, k: int = 0) -> Callable[[Any], Any]:
        """psi^(k) as an elementwise torch function (torch imported lazily, on first call)."""
        def make() -> Callable[[Any], Any]:
            if k == 0 and self._torch0 is not None:
                return self._torch0
            return compile_torch(self.derivative(k), self.x)
        return self._cached("torch", k, make)

    # -- properties ----------------------------------------------------------------------------
    @cached_property
    def properties(self) -> ActivationProperties:
        """Parity, boundedness, monotonicity, convexity, smoothness, growth (computed once)."""
        return compute_properties(self)

    @cached_property
    def kink_info(self) -> KinkInfo:
        """(kinks, {kink: (jump of psi, jump of psi')}, decided_by), computed once."""
        return find_kinks(self)

    @property
    def kinks(self) -> tuple[sp.Expr, ...]:
        """Sorted points where psi, psi' or psi'' is discontinuous (psi is not C^2 there).

        Exact SymPy numbers where the switching condition is solvable exactly; 30-digit Floats
        (or a matching closed form) otherwise. Numerically located kinks are searched for in
        [-100, 100] only, so a periodic family of kinks is truncated there.
        """
        return self.kink_info[0]

    @cached_property
    def jumps(self) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
        """((x0, J), ...): the kinks where psi itself jumps, J = psi(x0+) - psi(x0-) != 0.

        psi' then carries the point mass J delta(x - x0), so E psi' gains J phi_q(x0) and
        E psi'^2 = inf (chi1 = inf, seed 000 Eq. (17)).  Exact SymPy where the kinks are.
        """
        return find_jumps(self)

    @cached_property
    def jump_limits(self) -> JumpLimits:
        """((x0, psi(x0-), psi(x0+)), ...) for each jump (the one-sided values)."""
        return jump_limits(self)

    @cached_property
    def piecewise_constant(self) -> bool:
        """True when psi has jumps and psi' = 0 between them (sign, Heaviside, staircases)."""
        return bool(self.jumps) and is_piecewise_constant(self)

    def max_gaussian_variance(self) -> float:
        """Largest q with E[psi(sqrt(q) z)^2] finite (inf for growth slower than exp(c x^2)).

        For |psi(x)| ~ exp(c x^2) the expectation diverges for q > 1/(4c) (and at q = 1/(4c)
        unless a polynomial factor rescues it); returns 1/(4c), or 0.0 when c is infinite.
        """
        return self.properties.max_gaussian_variance


def _check_order(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= \
            MAX_DERIVATIVE:
        raise TheoryCheckError(f"derivative order must be an integer in 0..{MAX_DERIVATIVE}, "
                               f"got {k!r}", status=Status.INVALID_ARGUMENT)
    return int(k)


def _wrap_numpy(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[Any], Any]:
    def call(v: Any) -> Any:
        arr = np.asarray(v, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(f(arr), dtype=np.float64)
        return out[()] if out.ndim == 0 else out
    call.__doc__ = f.__doc__
    return call


_CACHE_LIMIT = 512
_by_text: dict[str, Activation] = {}
_by_expr: dict[str, Activation] = {}
_cache_lock = threading.Lock()


def get_activation(name_or_formula: str | Activation) -> Activation:
    """The activation named ``name_or_formula`` (a built-in) or given by a formula in x.

    Cached by canonical text: built-in names case-insensitively, formulas by their parsed
    SymPy expression (so ``"x/(1+Abs(x))"`` and ``"x/(Abs(x)+1)"`` give the same object).
    Raises :class:`TheoryCheckError` (``unsafe-formula``/``invalid-formula``) for a bad formula.
    """
    if isinstance(name_or_formula, Activation):
        return name_or_formula
    if not isinstance(name_or_formula, str):
        raise TheoryCheckError("an activation is given by a built-in name or a formula string, "
                               f"not {type(name_or_formula).__name__}",
                               status=Status.UNKNOWN_ACTIVATION)
    text = name_or_formula.strip()
    with _cache_lock:
        hit = _by_text.get(text)
    if hit is not None:
        return hit
    b = lookup(text)
    if b is not None:
        key = "builtin:" + b.name
        act = Activation(b.name, b.expr, formula=b.formula, numpy0=b.numpy0, torch0=b.torch0,
                         builtin=True)
    else:
        if text.isidentifier() and text != "x":
            raise TheoryCheckError(f"unknown activation {text!r}; built-ins: "
                                   f"{', '.join(BUILTIN_NAMES)}, or a formula in x",
                                   status=Status.UNKNOWN_ACTIVATION)
        expr = parse_formula(text)
        key = sp.srepr(expr)
        act = Activation(str(expr), expr)
    with _cache_lock:
        if len(_by_text) >= _CACHE_LIMIT:
            _by_text.clear()
        act = _by_expr.setdefault(key, act)
        if len(_by_expr) > _CACHE_LIMIT:
            _by_expr.clear()
            _by_expr[key] = act
        _by_text[text] = act
    return act
