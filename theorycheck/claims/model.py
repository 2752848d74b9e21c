"""The small declarative types a claim is made of: checks, findings, outcomes, run context.

A claim (one module in ``proofs/``) states what a source says and runs checks; each check
returns a :class:`CheckResult`; the claim returns a :class:`ClaimOutcome`; the verdict is
computed from those by :func:`decide`, never written by hand.  Each of these records has a
notebook display (``_repr_html_``, ``_repr_markdown_``; :mod:`theorycheck.display`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from theorycheck import display
from theorycheck.activations import Activation
from theorycheck.numbers import Precision
from theorycheck.placement import CPU, Placement

if TYPE_CHECKING:
    from theorycheck.claims.executors import Executor

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
    """A claim's verdict, computed by :func:`decide` (CLAIMS.md)."""

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

    def _rows(self) -> list[list[str]]:
        proved = "yes" if self.proved else f"no: {self.unproved or 'part of the region'}"
        rows = [["statement", self.statement], ["region", self.region],
                ["method", self.method], ["proved", proved]]
        return rows + [[name, display.interval_text(*bounds)]
                       for name, bounds in self.enclosures.items()]

    def _repr_html_(self) -> str:
        return display.html_block("certificate",
                                  display.html_table(("", "certified"), self._rows()))

    def _repr_markdown_(self) -> str:
        return "**certificate**\n\n" + display.markdown_table(("", "certified"), self._rows())


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

    def _title(self) -> str:
        flag = " (inconclusive)" if self.inconclusive else ""
        return f"{self.method} check {self.name!r}: {self.status}{flag}"

    def _repr_html_(self) -> str:
        parts = [display.html_table(("evidence", "value"), display.paired_rows(self.evidence))]
        if self.counterexample:
            parts.append(display.html_table(("counterexample", "value"),
                                            display.paired_rows(self.counterexample)))
        if self.certificate is not None:
            parts.append(self.certificate._repr_html_())
        return display.html_block(self._title(), *parts, subtitle=self.summary)

    def _repr_markdown_(self) -> str:
        parts = [f"**{self._title()}**", self.summary,
                 display.markdown_table(("evidence", "value"), display.paired_rows(self.evidence))]
        if self.counterexample:
            parts.append(display.markdown_table(("counterexample", "value"),
                                                display.paired_rows(self.counterexample)))
        if self.certificate is not None:
            parts.append(self.certificate._repr_markdown_())
        return "\n\n".join(parts)


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

    CHECK_COLUMNS = ("method", "check", "status", "summary", "s")
    FINDING_COLUMNS = ("kind", "where", "printed", "corrected", "affects conclusion")

    def _title(self) -> str:
        cond = f" (condition: {self.condition})" if self.condition else ""
        return f"verdict: {decide(self)}{cond}"

    def _check_rows(self) -> list[list[str]]:
        return [[c.method, c.name, f"{c.status}{' (inconclusive)' if c.inconclusive else ''}",
                 c.summary, f"{c.seconds:.2f}"] for c in self.checks]

    def _finding_rows(self) -> list[list[str]]:
        return [[f.kind, f.where, f.printed, f.corrected, "yes" if f.affects_conclusion else "no"]
                for f in self.findings]

    def _details(self) -> list[CheckResult]:
        """The checks worth a closer look: failed ones and those with a certificate."""
        return [c for c in self.checks
                if c.status == CheckStatus.FAILED or c.certificate is not None]

    def _repr_html_(self) -> str:
        parts = [display.html_table(self.CHECK_COLUMNS, self._check_rows(), caption="checks")]
        if self.findings:
            parts.append(display.html_table(self.FINDING_COLUMNS, self._finding_rows(),
                                            caption="findings"))
        parts += [c._repr_html_() for c in self._details()]
        return display.html_block(self._title(), *parts)

    def _repr_markdown_(self) -> str:
        parts = [f"**{self._title()}**",
                 display.markdown_table(self.CHECK_COLUMNS, self._check_rows())]
        if self.findings:
            parts.append(display.markdown_table(self.FINDING_COLUMNS, self._finding_rows()))
        parts += [c._repr_markdown_() for c in self._details()]
        return "\n\n".join(parts)


def decide(outcome: ClaimOutcome) -> Verdict:
    """The verdict of a claim from what its checks found.

    - any check ``failed`` -> ``fails`` (a counterexample to the claim as stated), unless the claim
      set ``outcome.condition`` (the failures lie outside a condition the source does not state,
      and every check inside it passed) -> ``conditional``;
    - no failure, but a finding that a printed formula or number is wrong -> ``holds-corrected``;
    - no failure and at least one decisive pass -> ``holds``;
    - nothing decided (all skipped or inconclusive) -> ``inconclusive``.
    """
    checks: list[CheckResult] = outcome.checks
    decisive = [c for c in checks if c.status != CheckStatus.SKIPPED and not c.inconclusive]
    if not decisive:
        return Verdict.INCONCLUSIVE
    if any(c.status == CheckStatus.FAILED for c in decisive):
        return Verdict.CONDITIONAL if outcome.condition else Verdict.FAILS
    if any(f.kind == "misprint" for f in outcome.findings):
        return Verdict.HOLDS_CORRECTED
    if any(f.kind == "unstated-condition" and f.affects_conclusion for f in outcome.findings):
        return Verdict.CONDITIONAL
    return Verdict.HOLDS


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
    ``executor`` runs the pieces of a claim declared with ``splits=True`` (None: here, one
    after the other); ``on_task(claim_id, done, total)`` hears of each finished piece.
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
    executor: Executor | None = None
    on_task: Callable[[str, int, int], None] | None = None

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
