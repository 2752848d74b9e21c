"""Mechanisms shared by the core claims (beta-le-one, beta-max-at-di, sigmoid-sw-bound,
jacobian-moments, correlation-variance-finite): loading the layers they depend on, the run's
activations, evidence formatting, a second quadrature rule, extrapolation, figures.

A layer that is not importable raises a ``dependency-missing`` :class:`TheoryCheckError`, which
``guarded`` turns into a skipped check with the reason (never a pass).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import mpmath as mp
import sympy as sp

from theorycheck.claims.evidence import dec, put, put_est, skipped, step  # noqa: F401  re-export: moved
from theorycheck.claims.model import RunContext
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.mp_rules import gauss_legendre_expect  # noqa: F401  re-export: moved
from theorycheck.meanfield.search import (  # noqa: F401  # re-export: moved
    FastMeanField,
    FixedPoint,
    mp_fixed_point_beta,
)
from theorycheck.numbers import Estimate

DEPENDENCY_MISSING = "dependency-missing"


def need(module: str) -> ModuleType:
    """Import ``module`` or raise ``dependency-missing`` (the check is then skipped)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise TheoryCheckError(f"{module} is not available ({err})",
                               status=DEPENDENCY_MISSING) from None


def external(fn: Callable[..., Any], *args: Any, what: str = "", **kwargs: Any) -> Any:
    """Call into another layer; an unexpected exception there (a bug outside this claim) becomes
    a ``dependency-error`` :class:`TheoryCheckError`, so the check is skipped with the reason
    instead of the whole claim failing."""
    try:
        return fn(*args, **kwargs)
    except TheoryCheckError:
        raise
    except Exception as err:  # reported as the reason of a skipped check
        name = what or getattr(fn, "__qualname__", "a dependency")
        raise TheoryCheckError(f"{name} raised {type(err).__name__}: {err}",
                               status="dependency-error") from None


def sim_activation(name: str, ctx: RunContext) -> Any:
    """The activation handed to ``simulate.measure``: in the quick profile without the
    20-digit mean-field reference the simulation layer would otherwise compute for every call
    (its float64 theory is accurate to ~1e-12, far inside any statistical tolerance, and its
    quadrature error still enters the tolerance); the name itself in the full profile."""
    if not ctx.quick:
        return name
    import dataclasses

    fns = need("theorycheck.simulate").resolve_activation(name)
    return dataclasses.replace(fns, source=None) if dataclasses.is_dataclass(fns) else name


def need_attr(module: str, name: str) -> Any:
    """``module.name`` or ``dependency-missing`` when the module or the name is absent."""
    mod = need(module)
    if not hasattr(mod, name):
        raise TheoryCheckError(f"{module}.{name} is not available yet", status=DEPENDENCY_MISSING)
    return getattr(mod, name)


def activations_for(ctx: RunContext, default: Sequence[str] | None = None) -> list[Any]:
    """The activations the user named (``ctx.activations``), else ``default``, else every
    built-in; aliases (``atan``/``arctan``, ``identity``/``linear`` ...) counted once."""
    acts = need("theorycheck.activations")
    names = list(ctx.activations) or list(default or acts.BUILTIN_NAMES)
    seen: dict[str, Any] = {}
    for name in names:
        act = acts.get_activation(name)
        seen.setdefault(act.name, act)
    return list(seen.values())


# -- evidence ------------------------------------------------------------------------------------
def sym_zero(expr: sp.Expr) -> bool:
    """True when SymPy proves ``expr == 0`` (simplify, then a numeric spot check as guard)."""
    e = sp.simplify(expr)
    return bool(e == 0)


def status(ok: bool) -> str:
    return "passed" if ok else "failed"




# -- extrapolation -----------------------------------------------------------------------------
def richardson(hs: Sequence[Any], values: Sequence[Any], power: int = 2) -> Estimate:
    """Limit as h -> 0 of values known at step sizes ``hs`` (halving), error ~ h^power, h^2power...

    Neville-style Richardson table on the sequence; the error is the difference between the
    last two diagonal entries.  Used for lim_{s->0} E[psi(s z) z]/s (seed 000, Eq. (57)).
    """
    n = len(values)
    if n < 3:
        raise TheoryCheckError("Richardson extrapolation needs at least 3 values")
    table = [[mp.mpf(v) for v in values]]
    h = [mp.mpf(x) for x in hs]
    for k in range(1, n):
        prev = table[-1]
        row = []
        for i in range(len(prev) - 1):
            r = (h[i] / h[i + k]) ** power
            row.append((r * prev[i + 1] - prev[i]) / (r - 1))
        table.append(row)
    last = table[-1][0]
    before = table[-2][-1]
    return Estimate(last, abs(last - before), f"Richardson extrapolation in h^{power}")


# -- figures -----------------------------------------------------------------------------------
def figure(ctx: RunContext, helper: str, stem: str, /, *args: Any, **kwargs: Any) -> list[str]:
    """Draw with ``theorycheck.report.figures.<helper>(ctx.figure_dir, stem, ...)`` when the run
    writes figures; returns the paths written (relative to the report folder), else []."""
    if not ctx.figure_dir:
        return []
    try:
        figures = importlib.import_module("theorycheck.report.figures")
    except ImportError:
        return []
    fn = getattr(figures, helper, None)
    if fn is None:
        return []
    try:
        return list(fn(ctx.figure_dir, stem, *args, **kwargs))
    except TheoryCheckError as err:      # a figure never decides a check
        ctx.note(f"figure {stem} not drawn: {err.message}")
        return []


class Timer:
    """Wall-clock seconds since creation; ``over(budget)`` for the claim's own time limit."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def require_number(x: Any, what: str) -> mp.mpf:
    """``x`` as an mpf, or a ``not-finite`` error."""
    v = mp.mpf(x.value if isinstance(x, Estimate) else x)
    if not mp.isfinite(v):
        raise TheoryCheckError(f"{what} is not finite", status=Status.NOT_FINITE)
    return v
