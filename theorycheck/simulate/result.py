"""The result of one simulation: theory, measurement, standard error, tolerance and verdict.

Agreement rule (every kind uses it)::

    agree  <=>  |measured - theory| <= z * stderr + bias_bound

``stderr`` is the standard error over independent network draws (each draw also re-draws its
inputs and probes, so the spread includes every source of randomness). ``z`` is the two-sided
normal quantile for a family-wise false-alarm rate ``ALPHA`` = 1e-3, Bonferroni-corrected over
the ``m`` comparisons a measurement makes (``z = Phi^-1(1 - ALPHA / (2 m))``; 3.29 for m = 1),
with the Student-t quantile (S - 1 degrees of freedom) in place of the normal one when the
standard error comes from S < 1000 draws.
``bias_bound`` bounds the systematic difference between a finite network of width N and the
infinite-width prediction; each kind derives its own bound in its docstring. A disagreement is
a result and is reported as such: tolerances are never widened to make a comparison pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from theorycheck.cache import register_json_type
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.numbers import to_decimal

#: family-wise false-alarm probability of one measurement's agreement decision
ALPHA = 1e-3


def z_value(comparisons: int = 1, alpha: float = ALPHA, dof: int | None = None) -> float:
    """Two-sided quantile at family-wise level ``alpha`` over ``comparisons`` tests.

    Normal, or Student t with ``dof`` degrees of freedom when the standard error comes from
    few draws (``dof = draws - 1``; the t quantile is what makes a 3-draw stderr honest).
    """
    p = alpha / (2 * max(1, comparisons))
    if dof is not None and dof < 1000:
        return float(student_t.isf(p, max(1, dof)))
    return float(norm.isf(p))


def compare(theory: float, measured: float, stderr: float, bias_bound: float,
            z: float) -> tuple[bool, float]:
    """``(agree, tolerance)`` with ``tolerance = z * stderr + bias_bound``."""
    for name, v in (("theory", theory), ("measured", measured), ("stderr", stderr),
                    ("bias bound", bias_bound)):
        if not math.isfinite(v):
            raise TheoryCheckError(f"simulation produced a non-finite {name} ({v}); the network "
                                   "over- or underflowed: use fewer layers or float64",
                                   status=Status.NOT_FINITE)
    tol = z * stderr + abs(bias_bound)
    return abs(measured - theory) <= tol, tol


def compare_layers(theory: Any, measured: Any, stderr: Any, bias_bound: Any,
                   z: float) -> tuple[list[bool], list[float], dict[str, Any]]:
    """:func:`compare` layer by layer: ``(agree per layer, tolerance per layer, the "layers"
    evidence table with theory, measured, stderr, bias bound, tolerance, agree)``."""
    verdicts, tols = [], []
    for th, m, se, b in zip(theory, measured, stderr, bias_bound, strict=True):
        ok, tol = compare(float(th), float(m), float(se), float(b), z)
        verdicts.append(ok)
        tols.append(tol)
    table = {"theory": theory, "measured": measured, "stderr": stderr, "bias_bound": bias_bound,
             "tolerance": np.array(tols), "agree": verdicts}
    return verdicts, tols, table


@register_json_type
@dataclass
class Measurement:
    """One finite-network measurement against an infinite-width prediction.

    ``theory``/``measured``/``stderr``/``tolerance`` are floats; ``agree`` is the verdict of
    :func:`compare`; ``tolerance_derivation`` says in words where the tolerance comes from;
    ``extra`` holds kind-specific results (per-layer arrays, histograms, fits, notes).
    """

    kind: str
    quantity: str
    theory: float
    measured: float
    stderr: float
    agree: bool
    tolerance: float
    tolerance_derivation: str
    device: str
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, dps: int = 10) -> dict[str, Any]:
        """A JSON-ready dict: every real number as a decimal string (``numbers.to_decimal``)."""
        return {
            "kind": self.kind,
            "quantity": self.quantity,
            "theory": to_decimal(self.theory, dps),
            "measured": to_decimal(self.measured, dps),
            "stderr": to_decimal(self.stderr, 4),
            "tolerance": to_decimal(self.tolerance, 4),
            "agree": bool(self.agree),
            "tolerance_derivation": self.tolerance_derivation,
            "device": self.device,
            "seed": self.seed,
            "params": jsonable(self.params, dps),
            **{k: jsonable(v, dps) for k, v in self.extra.items()},
        }


def jsonable(obj: Any, dps: int = 10) -> Any:
    """Recursively convert floats and arrays to decimal strings; None, bools, ints, str kept."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return to_decimal(float(obj), dps)
    if isinstance(obj, np.ndarray):
        return [jsonable(x, dps) for x in obj.tolist()]
    if isinstance(obj, dict):
        return {str(k): jsonable(v, dps) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(x, dps) for x in obj]
    return str(obj)


def mean_stderr(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and its standard error ``std(ddof=1)/sqrt(S)`` along ``axis``."""
    v = np.asarray(values, dtype=float)
    s = v.shape[axis]
    if s < 2:
        raise TheoryCheckError("at least 2 independent draws are needed for a standard error",
                               status=Status.INVALID_ARGUMENT)
    return v.mean(axis=axis), v.std(axis=axis, ddof=1) / math.sqrt(s)
