"""Mechanisms shared by the mean-field map claims (qmap, cmap-fixed-point, chi1-jacobian,
depth-scales, cnn-fixed-point): loading the layers they depend on, float64 iterations of the
exact maps, geometric rates, width extrapolation and evidence formatting.

A layer that is not importable raises a ``dependency-missing`` :class:`TheoryCheckError`, which
``guarded`` turns into a skipped check with the reason (never a pass).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from proofs._shared import DEPENDENCY_MISSING, dec, need, put, put_est  # noqa: F401
from theorycheck.claims.model import RunContext
from theorycheck.claims.statistics import mean_se, width_extrapolate, z_crit  # noqa: F401  re-export: moved
from theorycheck.gaussian.symbolic import expect_independent  # noqa: F401  re-export: moved
from theorycheck.meanfield.grid_maps import (  # noqa: F401  # re-export: moved
    cmap_grid,
    cmap_slope_at_one,
    iterate,
    kernel_grid,
    qmap_grid,
    richardson,
)
from theorycheck.meanfield.rates import geometric_rate  # noqa: F401  # re-export: moved


def activations(ctx: RunContext, default: Sequence[str]) -> list[Any]:
    """The activations the run names (``ctx.activations``), else ``default``, as Activation."""
    get = need("theorycheck.activations").get_activation
    return [get(name) for name in (ctx.activations or tuple(default))]


def lazy_activations(ctx: RunContext, default: Sequence[str]) -> Callable[[], list[Any]]:
    """A callable returning :func:`activations` (built on first call, inside the first check
    that needs them, so a bad activation makes that check -- not the claim -- report it)."""
    built: list[Any] = []

    def get() -> list[Any]:
        if not built:
            built.extend(activations(ctx, default))
        return built

    return get


def meanfield(act: Any, dps: int) -> Any:
    """``theorycheck.meanfield.MeanField(act, dps)``."""
    return need("theorycheck.meanfield").MeanField(act, dps=dps)


def kinks(act: Any) -> tuple[float, ...]:
    return tuple(sorted({float(k) for k in (getattr(act, "kinks", ()) or ())}))


def grid(act: Any) -> Any:
    """A float64 :class:`GridEngine` for ``act`` (its kinks as panel breakpoints; 16-point panels,
    whose error estimate against the 8-point rule stays near 1e-15 for the built-ins)."""
    return need("theorycheck.gaussian").GridEngine(act, kinks=kinks(act), n_nodes=16)
