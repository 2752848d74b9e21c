"""The claim registry: ``@claim(...)`` in a ``proofs/`` module registers it; everything else
(the engine, ``theorycheck list``, reports) is driven from this one registry."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from theorycheck.claims.model import ClaimOutcome, Method, RunContext
from theorycheck.errors import Status, TheoryCheckError

ClaimFunction = Callable[[RunContext], ClaimOutcome]


@dataclass(frozen=True)
class Claim:
    """A claim as its source states it (CLAIMS.md), and the function that checks it."""

    id: str
    source: str
    statement: str
    run: ClaimFunction
    hypotheses: tuple[str, ...] = ()
    methods: tuple[Method, ...] = ("symbolic", "numeric", "property", "simulation")
    per_activation: bool = False
    # the printed formulas, LaTeX, with equation numbers
    printed: tuple[str, ...] = field(default=())
    core: bool = False

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "source": self.source, "statement": self.statement,
                "hypotheses": list(self.hypotheses), "methods": list(self.methods),
                "per_activation": self.per_activation, "printed": list(self.printed),
                "core": self.core}


_REGISTRY: dict[str, Claim] = {}


def claim(*, id: str, source: str, statement: str, hypotheses: tuple[str, ...] = (),
          methods: tuple[Method, ...] = ("symbolic", "numeric", "property", "simulation"),
          per_activation: bool = False, printed: tuple[str, ...] = (),
          core: bool = False) -> Callable[[ClaimFunction], ClaimFunction]:
    """Register the decorated function as the checks of claim ``id``."""

    def register(fn: ClaimFunction) -> ClaimFunction:
        if id in _REGISTRY and _REGISTRY[id].run is not fn:
            raise RuntimeError(f"claim id {id!r} registered twice")
        _REGISTRY[id] = Claim(id=id, source=source, statement=statement, run=fn,
                              hypotheses=tuple(hypotheses), methods=tuple(methods),
                              per_activation=per_activation, printed=tuple(printed), core=core)
        return fn

    return register


def discover(package: str = "proofs") -> dict[str, Claim]:
    """Import every module of ``package`` (so their ``@claim`` decorators run) and return the
    registry, ordered core claims first, then by id."""
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
    ordered = sorted(_REGISTRY.values(), key=lambda c: (not c.core, c.id))
    return {c.id: c for c in ordered}


def get_claim(claim_id: str) -> Claim:
    claims = discover()
    if claim_id not in claims:
        known = ", ".join(claims)
        raise TheoryCheckError(f"unknown claim id {claim_id!r}; known ids: {known}",
                               status=Status.INVALID_ARGUMENT)
    return claims[claim_id]
