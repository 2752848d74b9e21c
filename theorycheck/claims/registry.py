"""The claim registry: ``@claim(...)`` registers a claim; the engine, ``theorycheck list`` and the
reports are all driven from this one registry.

Claims come from the distributions installed in the environment: every entry point of the group
``theorycheck.claims`` names a module whose ``@claim`` declarations run when it is imported.
theorycheck's own claims (the ``proofs`` package) are found the same way, through the entry
point ``theorycheck`` of this distribution, so a researcher's package is a peer of ours::

    [project.entry-points."theorycheck.claims"]
    my_paper = "my_paper.claims"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata

from theorycheck.claims.declare import Check, ClaimSpec, Condition, DeriveFindings
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
#: entry points that failed to load: (name, reason); shown by ``theorycheck list``
LOAD_ERRORS: list[tuple[str, str]] = []
_loaded = False
_current_origin = ""  # the entry point being loaded, recorded in each claim it declares


class _Declaration:
    """What ``claim(...)`` returns: the claim is registered at once; used as a decorator, the
    decorated function becomes the claim's ``derive`` step (findings from the evidence)."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        _register(claim)

    def __call__(self, derive: DeriveFindings) -> DeriveFindings:
        spec = self.claim.spec
        # TRANSITION: a claim module not yet declarative runs its checks by hand
        spec = replace(spec, derive=derive) if spec.checks else replace(spec, legacy=derive)
        self.claim = replace(self.claim, spec=spec)
        _REGISTRY[self.claim.id] = self.claim
        return derive


def _register(new: Claim) -> None:
    old = _REGISTRY.get(new.id)
    if old is not None and (old.source, old.statement) != (new.source, new.statement):
        raise TheoryCheckError(f"claim id {new.id!r} declared twice ({old.origin or 'here'} "
                               f"and {new.origin or 'here'})", status=Status.INVALID_ARGUMENT)
    _REGISTRY[new.id] = new


def claim(*, id: str, source: str, statement: str, hypotheses: Iterable[str] = (),
          methods: Iterable[Method] | None = None, per_activation: bool = False,
          printed: Iterable[str] = (), core: bool = False, checks: Iterable[Check] = (),
          findings: Iterable[Finding] = (), condition: Condition | None = None,
          activations: Iterable[str] | None = None) -> Callable[[DeriveFindings],
                                                                DeriveFindings]:
    """Declare the claim ``id``: what ``source`` states, and the ``checks`` that test it.

    ``methods`` are the methods the report lists for the claim (default: those of its checks;
    a listed method no check uses is reported as not run, with the reason);
    ``findings`` are static findings (recorded after the checks' own); ``condition`` an
    unstated condition the engine tests with one rule (:class:`Condition`); ``activations``
    the default activation names when the user names none (None: every built-in). Use it as a
    decorator on a function ``(run: ClaimRun) -> list[Finding]`` to derive findings from the
    evidence the checks left in ``run.record``.
    """
    spec = ClaimSpec(checks=tuple(checks), findings=tuple(findings), condition=condition,
                     activations=None if activations is None else tuple(activations))
    if methods is None:
        used = {c.method for c in spec.checks}
        methods = [m for m in ALL_METHODS if m in used] if used else ALL_METHODS
    return _Declaration(Claim(id=id, source=source, statement=statement, spec=spec,
                              hypotheses=tuple(hypotheses), methods=tuple(methods),
                              per_activation=per_activation, printed=tuple(printed),
                              core=core, origin=_current_origin))


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


__all__ = ["ENTRY_POINT_GROUP", "LOAD_ERRORS", "Claim", "claim", "discover", "get_claim"]
