"""Mechanisms shared by the mean-field map claims (qmap, cmap-fixed-point, chi1-jacobian,
depth-scales, cnn-fixed-point): loading the layers they depend on, float64 iterations of the
exact maps, geometric rates, width extrapolation and evidence formatting.

A layer that is not importable raises a ``dependency-missing`` :class:`TheoryCheckError`, which
``guarded`` turns into a skipped check with the reason (never a pass).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from proofs._shared import DEPENDENCY_MISSING, dec, need, put, put_est  # noqa: F401
from theorycheck.claims.model import RunContext
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


def width_extrapolate(m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Infinite-width estimate from widths N and 2N assuming an O(1/N) bias: 2 m(2N) - m(N)."""
    return 2 * m2 - m1, np.sqrt(4 * s2 ** 2 + s1 ** 2)


def z_crit(m: int, alpha: float = 1e-3) -> float:
    """Two-sided normal quantile at family-wise level alpha, Bonferroni over m comparisons."""
    from scipy.stats import norm

    return float(norm.isf(alpha / (2 * max(1, m))))


def mean_se(a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=float)
    return a.mean(axis=axis), a.std(axis=axis, ddof=1) / math.sqrt(a.shape[axis])


# -- symbolic expectations over independent zero-mean Gaussian factors -----------------------
def expect_independent(expr: Any, variances: dict[Any, Any]) -> Any:
    """E of a polynomial ``expr`` over independent centred Gaussians ``variances`` {symbol: var}.

    Each monomial factorises; a centred Gaussian g contributes E g^p = var^(p/2) (p-1)!! for even
    p and 0 for odd p.  Symbols not in ``variances`` are left as they are (the caller has already
    replaced them by their own expectations, or they are independent of the Gaussians).
    """
    import sympy as sp

    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = term.as_coeff_mul()
        out = coeff
        for f in factors:
            base, p = f.as_base_exp()
            if base in variances:
                p = int(p)
                out *= 0 if p % 2 else variances[base] ** (p // 2) * sp.factorial2(p - 1)
            else:
                out *= f
        total += out
    return sp.simplify(total)
