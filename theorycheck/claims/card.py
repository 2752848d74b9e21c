r"""A claim's card: what its source states, written once, in the module docstring of the claim.

A claim module says what it checks where a reader looks first, its docstring, and
:func:`~theorycheck.claims.registry.claim` reads the declaration from there, so the statement
is not written twice (once for people, once for the registry). The card is four sections, each
a header line at column 0 followed by lines indented by four spaces::

    Source:
        seed 000, Eq. (9)
    Statement:
        q^l = sw2 Int psi(sqrt(q^{l-1}) z)^2 Dz + sb2 ...
    Hypotheses:
        - weights zero-mean Gaussian
        - biases N(0, sb2)
    Printed:
        - q^{(l)} = \sigma_w^2 \int \mathsf{D}z
          \,\psi(\sqrt{q^{(l-1)}}z)^2 + \sigma_b^2 \quad (9)

``Source`` and ``Statement`` are prose: their lines are joined with one space. ``Hypotheses``
and ``Printed`` are lists, one item per ``- ``; an item's continuation lines are indented two
more spaces. A hypothesis's lines are joined with one space; a printed formula is LaTeX as the
source prints it, and its lines are joined *as written*, with nothing in between, so a formula
can be wrapped anywhere without changing one character of it. Any other paragraph of the
docstring (the summary, the routes) is free text. Write the docstring raw (``r\"\"\"``) when a
formula has backslashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from theorycheck.errors import Status, TheoryCheckError

SECTIONS = ("Source", "Statement", "Hypotheses", "Printed")
_HEADER = re.compile(r"^(?P<name>[A-Z][a-z]+):\s*$")
_INDENT = "    "
_ITEM = "- "
_CONTINUATION = _INDENT + "  "


@dataclass(frozen=True)
class ClaimCard:
    """The sections of a claim's card (module docstring)."""

    source: str
    statement: str
    hypotheses: tuple[str, ...] = ()
    printed: tuple[str, ...] = ()


def _bad(where: str, why: str) -> TheoryCheckError:
    return TheoryCheckError(f"claim card of {where}: {why}", status=Status.INVALID_ARGUMENT)


def _section_bodies(doc: str) -> dict[str, list[str]]:
    """The indented lines under each known header, in order (blank lines kept)."""
    bodies: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        header = _HEADER.match(line)
        if header and header["name"] in SECTIONS:
            current = bodies.setdefault(header["name"], [])
        elif current is not None and (line.startswith(_INDENT) or not line.strip()):
            current.append(line)
        else:
            current = None
    return {name: _trim(lines) for name, lines in bodies.items()}


def _trim(lines: list[str]) -> list[str]:
    """Drop trailing blank lines; a blank line inside a section ends it."""
    kept: list[str] = []
    for line in lines:
        if not line.strip():
            break
        kept.append(line)
    return kept


def _prose(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines)


def _items(lines: list[str], glue: str, where: str, section: str) -> tuple[str, ...]:
    items: list[list[str]] = []
    for line in lines:
        if line.startswith(_INDENT + _ITEM):
            items.append([line[len(_INDENT + _ITEM):]])
        elif line.startswith(_CONTINUATION) and items:
            items[-1].append(line[len(_CONTINUATION):])
        else:
            raise _bad(where, f"{section}: expected '- item' or a continuation indented "
                              f"{len(_CONTINUATION)} spaces, got {line!r}")
    if glue == " ":
        return tuple(" ".join(part.strip() for part in item) for item in items)
    return tuple(glue.join(item) for item in items)


def parse_claim_card(doc: str | None, where: str = "a claim") -> ClaimCard:
    """Read the ``Source``, ``Statement``, ``Hypotheses`` and ``Printed`` sections of ``doc``.

    ``Source`` and ``Statement`` are required; an error names ``where`` and what is missing.
    """
    if not doc:
        raise _bad(where, "no docstring; declare source= and statement=, or write the card")
    bodies = _section_bodies(doc)
    missing = [name for name in ("Source", "Statement") if not bodies.get(name)]
    if missing:
        raise _bad(where, f"missing section(s) {', '.join(missing)}")
    return ClaimCard(
        source=_prose(bodies["Source"]),
        statement=_prose(bodies["Statement"]),
        hypotheses=_items(bodies.get("Hypotheses", []), " ", where, "Hypotheses"),
        printed=_items(bodies.get("Printed", []), "", where, "Printed"),
    )


def _wrap_prose(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _wrap_formula(text: str, width: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``width`` characters, only between two non-space
    characters, so that joining the pieces as written gives ``text`` back."""
    pieces = []
    while len(text) > width:
        cut = width
        while cut > 1 and (text[cut - 1] == " " or text[cut] == " "):
            cut -= 1
        if cut <= 1:
            cut = width  # a run of spaces: cannot wrap safely here, keep it whole
            break
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


def render_claim_card(card: ClaimCard, width: int = 90) -> str:
    """The card as docstring sections (the inverse of :func:`parse_claim_card`)."""
    body = width - len(_CONTINUATION)
    out = ["Source:", *(_INDENT + s for s in _wrap_prose(card.source, body)),
           "Statement:", *(_INDENT + s for s in _wrap_prose(card.statement, body))]
    for name, items, wrap in (("Hypotheses", card.hypotheses, _wrap_prose),
                              ("Printed", card.printed, _wrap_formula)):
        if not items:
            continue
        out.append(f"{name}:")
        for item in items:
            first, *rest = wrap(item, body)
            out.append(_INDENT + _ITEM + first)
            out.extend(_CONTINUATION + piece for piece in rest)
    return "\n".join(out)


__all__ = ["SECTIONS", "ClaimCard", "parse_claim_card", "render_claim_card"]
