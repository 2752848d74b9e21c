"""Declaring a claim: its checks, its static findings and its condition, as data.

A claim module states what a source says and lists the checks that test it; the engine
(:mod:`theorycheck.claims.engine`) runs, guards and times the checks, applies the condition
re-run with one rule, and computes the verdict. A claim never runs its own checks by hand::

    from theorycheck.claims import Check, ClaimRun, claim

    def _numeric(run: ClaimRun) -> CheckResult: ...

    @claim(id="my-claim", source="seed 000, Eq. (38)", statement="...",
           checks=[Check("numeric", "beta at the EOC", _numeric)])
    def my_claim(run: ClaimRun) -> list[Finding]:
        \"\"\"Findings computed from the evidence the checks left in ``run.record``.\"\"\"
        return []

The decorated function (optional: ``claim(...)`` registers the claim by itself) derives
findings after every check has run. Other packages declare claims the same way and expose the
module under the entry-point group ``theorycheck.claims`` (see :mod:`.registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from theorycheck.activations import BUILTIN_NAMES, Activation, get_activation
from theorycheck.claims.model import (
    CheckResult,
    ClaimOutcome,
    FigureSpec,
    Finding,
    Method,
    RunContext,
)
from theorycheck.claims.pieces import run_pieces, worker_context
from theorycheck.errors import TheoryCheckError

CheckBody = Callable[["ClaimRun"], CheckResult]
DeriveFindings = Callable[["ClaimRun"], Iterable[Finding] | None]


@dataclass(frozen=True)
class Check:
    """One check of a claim: its method, its name in the report, and the function that runs it.

    ``run(claim_run)`` returns a :class:`CheckResult`; a :class:`TheoryCheckError` it raises
    makes the check ``skipped`` with the error's status and reason (never a pass). ``when``,
    if given, decides from the run whether the check applies at all (e.g. a profile).
    """

    method: Method
    name: str
    run: CheckBody
    when: Callable[[ClaimRun], bool] | None = None


@dataclass(frozen=True)
class Condition:
    """A condition the source does not state, under which the claim may still hold.

    The rule (the same for every claim): when the check named ``search`` failed and its
    counterexample lies ``outside`` the condition, the engine runs ``inside`` (the same search
    restricted to the condition); when that passes and no other check failed, the claim is
    ``conditional`` on ``text`` and ``finding(counterexample)`` is recorded.
    """

    text: str
    search: str
    inside: Check
    finding: Callable[[dict[str, Any]], Finding]
    outside: Callable[[dict[str, Any]], bool] = lambda counterexample: True


@dataclass
class ClaimRun:
    """What a check sees while its claim runs: the run's settings, the outcome being built, and
    ``record``, a scratch space where checks leave evidence for later checks and findings."""

    ctx: RunContext
    default_activations: tuple[str, ...] | None = None
    claim_id: str = ""
    outcome: ClaimOutcome = field(default_factory=ClaimOutcome)
    record: dict[str, Any] = field(default_factory=dict)
    _activations: list[Activation] | None = None

    # -- the run's settings --------------------------------------------------------------
    @property
    def dps(self) -> int:
        return self.ctx.dps

    @property
    def seed(self) -> int:
        return self.ctx.seed

    @property
    def quick(self) -> bool:
        return self.ctx.quick

    def pick(self, quick: Any, full: Any) -> Any:
        """``quick`` under the quick profile, ``full`` otherwise."""
        return self.ctx.pick(quick, full)

    def activations(self) -> list[Activation]:
        """The activations the run names, else the claim's defaults, else every built-in;
        aliases (``atan``/``arctan``, ``identity``/``linear``) counted once. Built on the first
        call, inside the check that needs them, so a bad activation skips that check only."""
        if self._activations is None:
            given = list(self.ctx.activations) or [
                get_activation(name) for name in (self.default_activations or BUILTIN_NAMES)]
            unique: dict[str, Activation] = {}
            for act in given:
                unique.setdefault(act.name, act)
            self._activations = list(unique.values())
        return self._activations

    def map(self, fn: Callable[..., Any], pieces: Mapping[str, tuple[Any, ...]], *,
            gpu: bool = False) -> dict[str, Any]:
        """``{key: fn(*args)}`` for the independent ``pieces`` of a check (widths, grid points,
        activations), in the order given: on the run's workers when the claim is declared with
        ``splits=True`` and the run has several, else here. ``fn`` is a top-level function of
        picklable inputs that carry their own seeds; ``gpu``: each piece simulates on the run's
        placement and, on CUDA, asks the cluster for one GPU."""
        resources = (("GPU", 1.0),) if gpu and self.ctx.placement.is_cuda else ()
        return run_pieces(self.ctx, self.claim_id, fn, pieces, resources)

    def worker_ctx(self) -> RunContext:
        """The run's settings as a piece receives them (picklable: no driver callbacks)."""
        return worker_context(self.ctx)

    # -- what a check adds beside its result ----------------------------------------------
    def finding(self, finding: Finding) -> None:
        """Record a finding (a misprint, an unstated condition ...) backed by this run."""
        self.outcome.findings.append(finding)

    def figure(self, kind: str, stem: str, /, *args: Any, **kwargs: Any) -> list[str]:
        """Ask the report layer to draw figure ``kind`` (a function of
        :mod:`theorycheck.report.figures`) from this data; returns the paths written, relative
        to the report folder ([] when the run writes no figures). A figure never decides a
        check: a drawing error becomes a progress note."""
        spec = FigureSpec(kind=kind, stem=stem, args=args, kwargs=kwargs)
        if not self.ctx.figure_dir or self.ctx.draw_figure is None:
            return []
        try:
            return list(self.ctx.draw_figure(spec, self.ctx.figure_dir))
        except TheoryCheckError as err:
            self.ctx.note(f"figure {stem} not drawn: {err.message}")
            return []


@dataclass(frozen=True)
class ClaimSpec:
    """The declarative part of a claim: checks, static findings, condition, default activations,
    and the function deriving findings from the run's evidence. ``splits``: its checks hand
    independent pieces to :meth:`ClaimRun.map`, so the claim runs in the driver and its
    pieces on the workers."""

    checks: tuple[Check, ...] = ()
    findings: tuple[Finding, ...] = ()
    condition: Condition | None = None
    activations: tuple[str, ...] | None = None
    derive: DeriveFindings | None = None
    splits: bool = False


__all__ = ["Check", "CheckBody", "ClaimRun", "ClaimSpec", "Condition", "DeriveFindings"]
