"""The claim card: a claim's source, statement, hypotheses and printed formulas, written once
in its module docstring and read by ``claim`` (theorycheck.claims.card)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import theorycheck.proofs as proofs
from theorycheck.claims.card import ClaimCard, parse_claim_card, render_claim_card
from theorycheck.claims.registry import claim, discover
from theorycheck.errors import TheoryCheckError

DOC = r"""qmap -- a summary line.

Free text: the routes.

Source:
    seed 000,
    Eq. (9)
Statement:
    q^l = sw2 Int psi^2 Dz
    + sb2
Hypotheses:
    - weights zero-mean
      Gaussian
    - biases N(0, sb2)
Printed:
    - q^{(l)} = \sigma_w^2 \int\mathsf{D}z\,\psi(\sqrt{q^{(l-1)}}
      z)^2 + \sigma_b^2 \quad (9)
    - \text{two }words

More free text after the card.
"""


def test_card_sections_are_read_with_their_joining_rules() -> None:
    card = parse_claim_card(DOC)
    assert card.source == "seed 000, Eq. (9)"
    assert card.statement == "q^l = sw2 Int psi^2 Dz + sb2"
    assert card.hypotheses == ("weights zero-mean Gaussian", "biases N(0, sb2)")
    # a printed formula's lines are joined as written: no space is added at the wrap
    assert card.printed == (r"q^{(l)} = \sigma_w^2 \int\mathsf{D}z\,\psi(\sqrt{q^{(l-1)}}z)^2 "
                            r"+ \sigma_b^2 \quad (9)", r"\text{two }words")


def test_render_then_parse_gives_the_card_back() -> None:
    long_formula = r"\frac{a}{b}" * 30 + r"\text{a b  c}" + "x" * 200
    card = ClaimCard("seed 001, Prop. 1", "word " * 60 + "end", ("h " * 50 + "i",),
                     (long_formula, "short"))
    text = render_claim_card(card)
    assert all(len(line) <= 90 for line in text.splitlines() if " " in line.strip())
    assert parse_claim_card(text) == card


@pytest.mark.parametrize("doc, missing", [
    ("no card at all", "Source, Statement"),
    ("Source:\n    seed 000\n", "Statement"),
    ("Statement:\n    s\n\nSource:\n\n    seed 000\n", "Source"),
])
def test_a_card_without_source_or_statement_is_refused(doc: str, missing: str) -> None:
    with pytest.raises(TheoryCheckError, match=f"missing section\\(s\\) {missing}"):
        parse_claim_card(doc, where="claim 'x'")


def test_a_malformed_list_item_is_refused_with_the_line() -> None:
    doc = "Source:\n    s\nStatement:\n    t\nHypotheses:\n    not an item\n"
    with pytest.raises(TheoryCheckError, match=r"expected '- item'.*not an item"):
        parse_claim_card(doc)


def test_claim_without_card_needs_source_and_statement() -> None:
    with pytest.raises(TheoryCheckError, match="a source and a statement are required"):
        claim("card-test-no-statement", source="seed 000")
    with pytest.raises(TheoryCheckError, match="no docstring"):
        claim("card-test-empty-doc", "")


def test_every_shipped_claim_reads_its_statement_from_its_module_docstring() -> None:
    """The card is the one place the statement is written: each claim of
    ``theorycheck.proofs`` equals the card parsed from its module's docstring."""
    claims = discover()
    modules = sorted(p.stem for p in Path(proofs.__file__).parent.glob("*.py")
                     if not p.stem.startswith("_"))
    assert len(modules) >= 21
    for name in modules:
        module = importlib.import_module(f"theorycheck.proofs.{name}")
        declared = claims[name.replace("_", "-")]
        card = parse_claim_card(module.__doc__)
        assert (declared.source, declared.statement, declared.hypotheses, declared.printed) == (
            card.source, card.statement, card.hypotheses, card.printed), declared.id
