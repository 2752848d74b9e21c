"""Property checks as searches: a statement searched over a hypothesis strategy for a
counterexample, the search's evidence, and the passed or failed :class:`CheckResult`.

The shape the core claims' property checks share (seed 000, Eqs. (51)-(56), (67)): the search
itself is :func:`theorycheck.claims.checks.search_counterexample` (deterministic under the seed,
shrunk to a minimal counterexample); a claim states what it searched and how it reports a
counterexample, here it gets the evidence in one form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from theorycheck.claims.checks import search_counterexample
from theorycheck.claims.model import CheckResult, CheckStatus


@dataclass
class Search:
    """A finished search: what it tested, the shrunk counterexample (None: none found) and its
    evidence (examples tried, the budget, the seed, the property)."""

    statement: str
    example: Any | None
    evidence: dict[str, Any]

    def passed(self, name: str = "", summary: str = "") -> CheckResult:
        """The property check when no counterexample was found."""
        tried = self.evidence["examples"]
        return CheckResult(method="property", status=CheckStatus.PASSED, name=name,
                           summary=summary or f"{self.statement}: no counterexample in {tried} "
                                              "examples",
                           evidence=self.evidence)

    def failed(self, summary: str, counterexample: dict[str, Any] | None,
               name: str = "") -> CheckResult:
        """The property check refuted by ``counterexample``."""
        return CheckResult(method="property", status=CheckStatus.FAILED, name=name,
                           summary=summary, evidence=self.evidence,
                           counterexample=counterexample)


def search(statement: str, strategy: st.SearchStrategy[Any], holds: Callable[[Any], bool], *,
           max_examples: int, seed: int, record_seed: bool = True) -> Search:
    """Search ``strategy`` for an example where ``holds`` is False (``statement`` says what holds).

    Evidence: ``examples`` tried, ``max_examples``, ``seed`` (unless ``record_seed`` is False)
    and ``property``; a caller adds what its ``holds`` counted. Cost: up to ``max_examples``
    calls of ``holds`` plus the shrinking phase.
    """
    example, tried = search_counterexample(strategy, holds, max_examples=max_examples, seed=seed)
    evidence: dict[str, Any] = {"examples": tried, "max_examples": max_examples}
    if record_seed:
        evidence["seed"] = seed
    evidence["property"] = statement
    return Search(statement=statement, example=example, evidence=evidence)


__all__ = ["Search", "search"]
