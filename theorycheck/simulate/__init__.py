"""Finite random networks measured against infinite-width predictions (PyTorch; CUDA if present).

Public API::

    measure(kind, act, sw2=..., sb2=..., width=..., depth=..., weights=..., samples=...,
            seed=..., placement=...) -> Measurement

Kinds: ``variance``, ``correlation``, ``jacobian``, ``input-correlation``, ``mi``,
``kurtosis``; one module each (``variance.py`` holds the first two). Every measurement
returns theory, measured value, standard error, tolerance (with its derivation) and whether
they agree; see :mod:`theorycheck.simulate.result` for the agreement rule. ``placement`` is
the run's :class:`~theorycheck.placement.Placement` (``resolve_placement("auto")`` once, at the
edge).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from theorycheck.cache import UncacheableError, disk_cached, key_of
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import Placement, resolve_placement
from theorycheck.simulate.device import dtype_for
from theorycheck.simulate.input_correlation import measure_input_correlation
from theorycheck.simulate.jacobian import measure_jacobian
from theorycheck.simulate.kurtosis import measure_kurtosis
from theorycheck.simulate.mi import measure_mi
from theorycheck.simulate.networks import NetSpec
from theorycheck.simulate.result import Measurement
from theorycheck.simulate.theory import ActFns, float64_theory, resolve_activation
from theorycheck.simulate.variance import measure_correlation, measure_variance

KINDS = ("variance", "correlation", "jacobian", "input-correlation", "mi", "kurtosis")

#: default sizes (width, depth, samples) per kind on the CPU and on CUDA
DEFAULTS: dict[str, dict[str, tuple[int, int, int]]] = {
    "cpu": {"variance": (128, 10, 200), "correlation": (128, 10, 200),
            "jacobian": (128, 8, 32), "input-correlation": (32, 3, 64),
            "mi": (8, 3, 4), "kurtosis": (64, 8, 4000)},
    "cuda": {"variance": (1024, 32, 1000), "correlation": (1024, 32, 1000),
             "jacobian": (1024, 32, 64), "input-correlation": (256, 5, 256),
             "mi": (16, 5, 8), "kurtosis": (256, 32, 20000)},
}


def defaults(kind: str, placement: Placement) -> tuple[int, int, int]:
    """Default ``(width, depth, samples)`` for ``kind`` on ``placement``."""
    return DEFAULTS["cuda" if placement.is_cuda else "cpu"][kind]


def _activation_key(act: Any) -> Any:
    """The activation part of a simulation's cache key (None: not keyable, so not cached)."""
    if isinstance(act, str):
        return ["str", act]
    source = getattr(act, "source", None) if isinstance(act, ActFns) else act
    expr = getattr(source, "expr", None)
    if expr is None or not hasattr(expr, "func"):
        return None
    return {"name": str(getattr(source, "name", "")), "expr": sp.srepr(expr)}


def _measure_inputs(kind: str, act: Any, *, placement: Placement, precision: str = "auto",
                    **kwargs: Any) -> dict[str, Any] | None:
    """Cache key of :func:`measure`: every argument, the seed, and the placement's display name
    (with the GPU model) and dtype, since the same seed draws different numbers elsewhere."""
    act_key = _activation_key(act)
    if act_key is None:
        return None
    try:
        dtype = dtype_for(placement, precision)
    except TheoryCheckError:
        return None  # measure itself reports the bad precision
    try:
        return {"kind": kind, "activation": act_key, "device": placement.name,
                "dtype": str(dtype), "arguments": key_of(kwargs)}
    except UncacheableError:
        return None


@disk_cached("simulate.measure", _measure_inputs)
def measure(kind: str, act: str | ActFns | Any, *, sw2: float, sb2: float,
            width: int | None = None, depth: int | None = None, weights: str = "gaussian",
            samples: int | None = None, seed: int = 0, placement: Placement,
            precision: str = "auto", noise2: float = 0.0, in_dim: int | None = None,
            **options: Any) -> Measurement:
    """Run one finite-network measurement of ``kind`` and compare it with theory.

    ``act``: a name/formula (resolved by ``theorycheck.activations``), an ``Activation`` or an
    :class:`ActFns`. Options per kind: ``variance``: q0; ``correlation``: c0, q0;
    ``jacobian``: method (auto|exact|probe), probes; ``input-correlation``: inputs (per draw;
    ``in_dim`` = N0, default 4); ``mi``: sw2_values, sb2_values, inputs, input_kind
    (stable|unit), di_point; ``kurtosis``: widths, depths, method (weights|marginal).
    ``theory_*`` overrides exist for testing that a wrong prediction is flagged.
    ``placement``: where the networks run; ``precision``: auto (float32 on CUDA, float64 on the
    CPU), float32 or float64.
    """
    if kind not in KINDS:
        raise TheoryCheckError(f"unknown simulation kind {kind!r}; choose one of {KINDS}",
                               status=Status.INVALID_ARGUMENT)
    dtype_for(placement, precision)  # a bad precision fails before any work
    fns = resolve_activation(act)
    w0, d0, s0 = defaults(kind, placement)
    width = width or w0
    depth = depth or d0
    samples = samples or s0
    if kind == "kurtosis":
        widths = options.pop("widths", None) or [max(8, width // 2), width]
        depths = options.pop("depths", None) or [max(2, depth // 2), depth]
        return measure_kurtosis(fns, sw2, sb2, list(widths), list(depths), samples, seed,
                                placement=placement, precision=precision, weights=weights,
                                **options)
    if kind == "mi":
        sw2_values = options.pop("sw2_values", None) or sorted({0.5 * sw2, sw2, 1.5 * sw2,
                                                                  2.0 * sw2, 1.0})
        sb2_values = options.pop("sb2_values", None) or sorted({0.0, sb2, 2 * sb2 or 0.05})
        n0 = in_dim or 4
        inputs = options.pop("inputs", None) or 8 * (n0 + width) * 4
        return measure_mi(fns, list(sw2_values), list(sb2_values), width, depth, n0, inputs,
                          samples, seed, placement=placement, precision=precision,
                          weights=weights, noise2=noise2, **options)
    spec = NetSpec(sw2, sb2, width, depth, in_dim=in_dim, weights=weights, noise2=noise2)
    if kind == "variance":
        return measure_variance(fns, spec, samples, seed, placement=placement,
                                precision=precision, **options)
    if kind == "correlation":
        return measure_correlation(fns, spec, samples, seed, placement=placement,
                                   precision=precision, **options)
    if kind == "jacobian":
        return measure_jacobian(fns, spec, samples, seed, placement=placement,
                                precision=precision, **options)
    spec = NetSpec(sw2, sb2, width, depth, in_dim=in_dim or 4, weights=weights, noise2=noise2)
    inputs = options.pop("inputs", None) or 4000
    return measure_input_correlation(fns, spec, samples, inputs, seed, placement=placement,
                                     precision=precision, **options)


__all__ = ["KINDS", "ActFns", "Measurement", "NetSpec", "Placement", "float64_theory", "measure",
           "resolve_activation", "resolve_placement"]
