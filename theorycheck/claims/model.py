"""The small declarative types a claim is made of: checks, findings, outcomes, run context.

A claim (one module in ``proofs/``) states what a source says and runs checks; each check
returns a :class:`CheckResult`; the claim returns a :class:`ClaimOutcome`; the verdict is
computed from those by :func:`theorycheck.claims.verdict.decide`, never written by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

from theorycheck.activations import Activation
from theorycheck.numbers import Precision
from theorycheck.placement import CPU, Placement

Method = Literal["symbolic", "numeric", "property", "simulation"]
FindingKind = Literal["misprint", "unstated-condition", "hypothesis-not-met", "numeric", "note"]
METHODS: tuple[Method, ...] = ("symbolic", "numeric", "property", "simulation")


class CheckStatus(StrEnum):
    """What a check concluded: the claim survived it, it refutes the claim, or it could not run."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"

    @classmethod
    def of(cls, ok: bool) -> CheckStatus:
        """``PASSED`` when ``ok``, else ``FAILED``."""
        return cls.PASSED if ok else cls.FAILED


class Verdict(StrEnum):
    """A claim's verdict, computed by :func:`theorycheck.claims.verdict.decide` (CLAIMS.md)."""

    HOLDS = "holds"
    FAILS = "fails"
    HOLDS_CORRECTED = "holds-corrected"
    CONDITIONAL = "conditional"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class FigureSpec:
    """A figure as data: ``kind`` names a drawing function of the report layer
    (:mod:`theorycheck.report.figures`), which receives ``(figure_dir, stem, *args, **kwargs)``.
    Checks hand these to :meth:`ClaimRun.figure`; the report layer draws them."""

    kind: str
    stem: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class DerivationStep:
    """One kept step of a SymPy derivation: a LaTeX rendering and a sentence saying why."""

    latex: str
    reason: str = ""
    holds: bool | None = None


@dataclass
class Certificate:
    """What a certified check proved, in ball arithmetic: ``statement`` on ``region`` by
    ``method``. ``proved`` is False when part of the region was left undecided (``unproved``
    says where and what would decide); ``enclosures`` maps a quantity to its proved
    ``[lo, hi]`` (decimal strings, rounded outward). A report shows these as
    "certified [lo, hi]", apart from the estimates "value +- err" of the other checks."""

    statement: str
    region: str
    method: str
    proved: bool
    enclosures: dict[str, list[str]] = field(default_factory=dict)
    unproved: str = ""


@dataclass
class CheckResult:
    """What one check method found.

    ``status``: ``passed`` (the claim survived this check), ``failed`` (the check refutes the claim
    as stated; ``counterexample`` says where), ``skipped`` (could not run: ``summary`` says why).
    ``evidence`` holds numbers as decimal strings at the run's precision, with ``*_err``
    beside them.
    ``inconclusive`` marks a check that ran but could not decide (time budget, precision).
    ``certificate``: for a certified check, what it proved (:class:`Certificate`).
    """

    method: Method
    status: CheckStatus | str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    steps: list[DerivationStep] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    name: str = ""
    inconclusive: bool = False
    seconds: float = 0.0
    certificate: Certificate | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if not d["steps"]:
            d.pop("steps")
        if d["certificate"] is None:
            d.pop("certificate")
        return d


@dataclass
class Finding:
    """A printed formula or number against what is true, an unstated condition, or a hypothesis
    an activation does not meet; ``affects_conclusion`` says whether the claim's substance is hit.
    """

    kind: FindingKind
    where: str
    printed: str
    corrected: str
    evidence: str = ""
    affects_conclusion: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ClaimOutcome:
    """All checks and findings a claim produced in one run (the verdict is derived from these)."""

    checks: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    per_activation: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    condition: str = ""


@dataclass
class RunContext:
    """Settings of one verification run, handed to every claim.

    ``profile`` is ``quick`` (CI-sized: small grids, few hypothesis examples, small simulations)
    or ``full`` (as thorough as the claim deserves). Inputs arrive resolved, once, at the edge:
    ``precision`` (``--dps``, validated), ``placement`` (``--device``: where every simulation of
    the run executes) and ``activations`` (the :class:`Activation` objects the user named;
    empty: the claim's own default set). ``figure_dir`` is where claims may write figures,
    drawn by ``draw_figure(spec, figure_dir)``, which the report layer provides.
    ``cache_dir`` is the run's on-disk cache (None: disabled); ``command`` the command line
    that started the run (recorded in the report so that it can be repeated).
    """

    profile: Literal["quick", "full"] = "quick"
    precision: Precision = field(default_factory=Precision)
    seed: int = 0
    placement: Placement = CPU
    activations: tuple[Activation, ...] = ()
    figure_dir: str | None = None
    draw_figure: Callable[[FigureSpec, str], list[str]] | None = None
    max_seconds: float | None = None
    progress: Callable[[str], None] | None = None
    cache_dir: str | None = None
    command: str = ""
    started: float = field(default_factory=time.monotonic)

    @property
    def quick(self) -> bool:
        return self.profile == "quick"

    @property
    def dps(self) -> int:
        """The digits the run reports (``precision.dps``)."""
        return self.precision.dps

    @property
    def device(self) -> str:
        """``"cpu"`` or ``"cuda"``: the kind of the run's placement (``run.device``)."""
        return self.placement.kind

    @property
    def device_name(self) -> str:
        """The placement's display name, with the GPU model (``run.device_name``)."""
        return self.placement.name

    def note(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def pick(self, quick: Any, full: Any) -> Any:
        """``quick`` under the quick profile, ``full`` otherwise."""
        return quick if self.quick else full
