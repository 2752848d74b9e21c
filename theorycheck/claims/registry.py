"""The claim registry: ``@claim(...)`` registers a claim; the engine, ``theorycheck list`` and the
reports are all driven from this one registry.

Claims come from the distributions installed in the environment: every entry point of the group
``theorycheck.claims`` names a module whose ``@claim`` declarations run when it is imported.
theorycheck's own claims (the ``theorycheck.proofs`` package) are found the same way, through
the entry point ``theorycheck`` of this distribution, so a researcher's package is a peer of
ours::

    [project.entry-points."theorycheck.claims"]
    my_paper = "my_paper.claims"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata

from theorycheck.claims.card import ClaimCard, parse_claim_card
from theorycheck.claims.declare import (
    Check,
    CheckBody,
    ClaimRun,
    ClaimSpec,
    Condition,
    DeriveFindings,
)
from theorycheck.claims.model import Finding, Method
from theorycheck.errors import Status, TheoryCheckError

#: the entry-point group under which packages expose modules of claims
ENTRY_POINT_GROUP = "theorycheck.claims"
ALL_METHODS: tuple[Method, ...] = ("symbolic", "numeric", "property", "simulation")


@dataclass(frozen=True)
class Claim:
    """A claim as its source states it (CLAIMS.md), and its declared checks.

    ``spec`` holds the checks, static findings and condition; ``origin`` the entry point
    (distribution) the claim came from.
    """

    id: str
    source: str
    statement: str
    spec: ClaimSpec
    hypotheses: tuple[str, ...] = ()
    methods: tuple[Method, ...] = ALL_METHODS
    per_activation: bool = False
    # the printed formulas, LaTeX, with equation numbers
    printed: tuple[str, ...] = field(default=())
    core: bool = False
    origin: str = ""

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "source": self.source, "statement": self.statement,
                "hypotheses": list(self.hypotheses), "methods": list(self.methods),
                "per_activation": self.per_activation, "printed": list(self.printed),
                "core": self.core}


_REGISTRY: dict[str, Claim] = {}
_OWNERS: dict[str, object] = {}   # the declaration that registered each id
#: entry points that failed to load: (name, reason); shown by ``theorycheck list``
LOAD_ERRORS: list[tuple[str, str]] = []
_loaded = False
_current_origin = ""  # the entry point being loaded, recorded in each claim it declares


class ClaimDeclaration:
    """What :func:`claim` returns: the claim, registered at once, to which checks can be added
    with decorators next to their code::

        QMAP = claim("qmap", __doc__)   # the card: Source, Statement, ... (claims.card)

        @QMAP.check("symbolic", "corrected recursion")
        def _symbolic(run: ClaimRun) -> CheckResult: ...

        @QMAP.derive
        def _findings(run: ClaimRun) -> list[Finding]: ...

    Checks run in the order they are declared (``checks=[...]`` first, then the decorated ones).
    Calling the declaration on a function is the same as :meth:`derive`.
    """

    def __init__(self, claim: Claim, methods: tuple[Method, ...] | None) -> None:
        self._methods = methods
        self.claim = claim
        self._update(claim.spec)

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def printed(self) -> tuple[str, ...]:
        """The claim's printed formulas (LaTeX), as its card states them."""
        return self.claim.printed

    def _update(self, spec: ClaimSpec) -> None:
        used = {c.method for c in spec.checks}
        methods = self._methods or (tuple(m for m in ALL_METHODS if m in used) if used
                                    else ALL_METHODS)
        self.claim = replace(self.claim, spec=spec, methods=methods)
        _register(self.claim, self)

    def check(self, method: Method, name: str, *, when: Callable[[ClaimRun], bool] | None = None
              ) -> Callable[[CheckBody], CheckBody]:
        """Declare the decorated function ``(run: ClaimRun) -> CheckResult`` as a check."""

        def add(body: CheckBody) -> CheckBody:
            checks = (*self.claim.spec.checks, Check(method, name, body, when))
            self._update(replace(self.claim.spec, checks=checks))
            return body

        return add

    def derive(self, fn: DeriveFindings) -> DeriveFindings:
        """Declare ``fn(run) -> list[Finding]``: findings derived from the checks' evidence."""
        self._update(replace(self.claim.spec, derive=fn))
        return fn

    __call__ = derive


def _register(new: Claim, owner: object) -> None:
    """Register ``new``, declared by ``owner``; a second declaration of the same id is an error."""
    if _OWNERS.setdefault(new.id, owner) is not owner:
        old = _REGISTRY[new.id]
        raise TheoryCheckError(f"claim id {new.id!r} declared twice ({old.origin or 'here'} "
                               f"and {new.origin or 'here'})", status=Status.INVALID_ARGUMENT)
    _REGISTRY[new.id] = new


def claim(id: str, doc: str | None = None, *, source: str | None = None,
          statement: str | None = None, hypotheses: Iterable[str] | None = None,
          methods: Iterable[Method] | None = None, per_activation: bool = False,
          printed: Iterable[str] | None = None, core: bool = False, checks: Iterable[Check] = (),
          findings: Iterable[Finding] = (), condition: Condition | None = None,
          activations: Iterable[str] | None = None, splits: bool = False) -> ClaimDeclaration:
    """Declare the claim ``id``: what its source states, and the ``checks`` that test it.

    What the source states is read from ``doc``, the claim module's docstring, written once as a
    card (:mod:`theorycheck.claims.card`: ``Source``, ``Statement``, ``Hypotheses``,
    ``Printed``); ``source=``, ``statement=``, ``hypotheses=`` and ``printed=`` given here
    override the card's (or replace it when there is no ``doc``).

    ``methods`` are the methods the report lists for the claim (default: those of its checks;
    a listed method no check uses is reported as not run, with the reason);
    ``findings`` are static findings (recorded after the checks' own); ``condition`` an
    unstated condition the engine tests with one rule (:class:`Condition`); ``activations``
    the default activation names when the user names none (None: every built-in); ``splits``
    that its checks hand independent pieces to ``ClaimRun.map`` (run on the workers). Checks and
    the findings step can also be added by decorators on the returned
    :class:`ClaimDeclaration`.
    """
    card = (parse_claim_card(doc, where=f"claim {id!r}") if doc is not None
            else ClaimCard(source=source or "", statement=statement or ""))
    if not (source or card.source) or not (statement or card.statement):
        raise TheoryCheckError(f"claim {id!r}: a source and a statement are required (give "
                               "source= and statement=, or a docstring card)",
                               status=Status.INVALID_ARGUMENT)
    spec = ClaimSpec(checks=tuple(checks), findings=tuple(findings), condition=condition,
                     activations=None if activations is None else tuple(activations),
                     splits=splits)
    return ClaimDeclaration(Claim(id=id, source=source or card.source,
                                  statement=statement or card.statement, spec=spec,
                                  hypotheses=tuple(card.hypotheses if hypotheses is None
                                                   else hypotheses),
                                  per_activation=per_activation,
                                  printed=tuple(card.printed if printed is None else printed),
                                  core=core, origin=_current_origin),
                            None if methods is None else tuple(methods))


def _load_entry_points() -> None:
    """Import every module named under :data:`ENTRY_POINT_GROUP` (once per process); a module
    that fails to import is recorded in :data:`LOAD_ERRORS`, and the others still load."""
    global _loaded, _current_origin
    if _loaded:
        return
    _loaded = True
    for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        _current_origin = f"{entry.name} = {entry.value}"
        try:
            entry.load()
        except Exception as err:  # a broken plugin must not hide the other claims
            LOAD_ERRORS.append((entry.name, f"{type(err).__name__}: {err}"))
        finally:
            _current_origin = ""


def discover() -> dict[str, Claim]:
    """Every registered claim (entry points loaded on first use), ordered core claims first,
    then by id."""
    _load_entry_points()
    ordered = sorted(_REGISTRY.values(), key=lambda c: (not c.core, c.id))
    return {c.id: c for c in ordered}


def get_claim(claim_id: str) -> Claim:
    claims = discover()
    if claim_id not in claims:
        known = ", ".join(claims)
        raise TheoryCheckError(f"unknown claim id {claim_id!r}; known ids: {known}",
                               status=Status.INVALID_ARGUMENT)
    return claims[claim_id]


__all__ = ["ENTRY_POINT_GROUP", "LOAD_ERRORS", "Claim", "ClaimDeclaration", "claim", "discover",
           "get_claim"]
