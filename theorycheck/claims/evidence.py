"""Writing a check's evidence: numbers as decimal strings with their errors, derivation steps,
check results passed or failed by a test, skipped checks with their reason, and findings of
each kind.

Every number a report shows leaves through :func:`dec` (which refuses NaN and inf, like
:func:`theorycheck.numbers.to_decimal`), so an evidence dict holds only strings, ints and
lists of them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from theorycheck.claims.model import (
    CheckResult,
    CheckStatus,
    DerivationStep,
    Finding,
    Method,
)
from theorycheck.numbers import Estimate, to_decimal


def dec(x: Any, digits: int = 6) -> str:
    """``x`` (a number or an :class:`Estimate`) as a decimal string of ``digits`` significant
    digits; a float stays the float it is (no extra digits are invented)."""
    return to_decimal(x.value if isinstance(x, Estimate) else x, digits)


def put(evidence: dict[str, Any], name: str, value: Any, err: Any, dps: int) -> None:
    """``evidence[name]`` at ``dps`` digits and ``evidence[name + '_err']`` at 3 digits."""
    evidence[name] = dec(value, dps)
    e = err.error if isinstance(err, Estimate) else err
    evidence[name + "_err"] = to_decimal(abs(mp.mpf(e)), 3)


def put_est(evidence: dict[str, Any], name: str, est: Estimate, dps: int) -> None:
    """:func:`put` of an :class:`Estimate`'s value and error."""
    put(evidence, name, est.value, est.error, dps)


def step(expr: Any, reason: str, holds: bool | None = None) -> DerivationStep:
    """A derivation step from a SymPy object (rendered to LaTeX) or a LaTeX string."""
    latex = expr if isinstance(expr, str) else sp.latex(expr)
    return DerivationStep(latex=latex, reason=reason, holds=holds)


def skipped(method: Method, name: str, why: str, **evidence: Any) -> CheckResult:
    """A check that did not run, with the reason (never a pass)."""
    return CheckResult(method=method, status=CheckStatus.SKIPPED, name=name, summary=why,
                       evidence=dict(evidence), inconclusive=True)


def passed_if(ok: bool, method: Method, summary: str, evidence: dict[str, Any] | None = None,
              **fields: Any) -> CheckResult:
    """A check that passed when ``ok`` holds and failed otherwise; ``fields``: the other
    :class:`CheckResult` fields (``name``, ``counterexample``, ``steps``, ``figures``)."""
    return CheckResult(method=method, status=CheckStatus.of(ok), summary=summary,
                       evidence={} if evidence is None else evidence, **fields)


def passed_unless(failures: list[Any], method: Method, summary: str,
                  evidence: dict[str, Any] | None = None, failure: str = "mismatch at",
                  **fields: Any) -> CheckResult:
    """A check that passed when ``failures`` (the places where a comparison failed) is empty;
    otherwise it failed with the summary "``failure`` ``failures``" and the failures as its
    counterexample."""
    if failures:
        return passed_if(False, method, f"{failure} {failures}", evidence,
                         counterexample={"where": failures}, **fields)
    return passed_if(True, method, summary, evidence, **fields)


def binned_sample(edges: Any, counts: Any, log10: bool = False) -> np.ndarray:
    """A histogram (``edges``, ``counts``) as the sample that a figure draws: each bin's centre
    repeated ``counts`` times; with ``log10`` the edges are log10 values and the centres
    10**(midpoint).  Exact up to the binning; cost O(sum counts)."""
    e = np.asarray(edges, dtype=float)
    mid = 0.5 * (e[1:] + e[:-1])
    centres = 10 ** mid if log10 else mid
    return np.repeat(centres, np.asarray(counts, dtype=int))


# A finding of one kind: ``misprint(where, printed, corrected, evidence="",
# affects_conclusion=False)``; at ``where`` the source prints ``printed``, ``corrected`` is what
# holds and ``evidence`` says why.
misprint = partial(Finding, "misprint")
note = partial(Finding, "note")
unstated_condition = partial(Finding, "unstated-condition")
hypothesis_not_met = partial(Finding, "hypothesis-not-met")


__all__ = ["binned_sample", "dec", "hypothesis_not_met", "misprint", "note", "passed_if", "put",
           "put_est", "skipped", "step", "unstated_condition"]
