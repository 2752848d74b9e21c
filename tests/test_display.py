"""Notebook displays (``_repr_html_``, ``_repr_markdown_``) of the records a user meets: each
shows its numbers with their errors (``value ± err``, proved enclosures as ``certified [lo, hi]``),
escapes what it prints, and produces balanced HTML; the phase plane adds an inline PNG."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import mpmath as mp
import numpy as np
import pytest

from theorycheck import display
from theorycheck.claims.model import (
    Certificate,
    CheckResult,
    ClaimOutcome,
    Finding,
    decide,
)
from theorycheck.meanfield import EOCPoint, MeanFieldPoint, phase_plane
from theorycheck.numbers import Estimate

VOID = {"img", "br", "hr", "meta", "input"}


class _Balance(HTMLParser):
    """Records every start/end tag; fails on an end tag that closes the wrong element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def balanced(html_text: str) -> list[str]:
    """The tags of ``html_text``, after asserting that every element is closed in order."""
    parser = _Balance()
    parser.feed(html_text)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser.tags


def _est(value: str, error: str) -> Estimate:
    return Estimate(mp.mpf(value), mp.mpf(error), "test")


def test_estimates_render_as_value_plus_minus_error() -> None:
    assert display.estimate_text(_est("0.5", "1e-20"), 5) == "0.50000 ± 1.00e-20"
    assert display.estimate_text(None, 5) == display.ABSENT
    assert display.estimate_text(Estimate(mp.inf, mp.mpf(0)), 5) == "inf"
    assert display.interval_text("0.1", "0.2") == "certified [0.1, 0.2]"
    assert display.paired_rows({"beta": "0.9", "beta_err": "1e-9", "n": 3}) == [
        ["beta", "0.9 ± 1e-9"], ["n", "3"]]


def test_tables_escape_html_and_markdown() -> None:
    html_text = display.html_table(["a<b"], [["<script>x</script>"]], caption="c&d")
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert "a&lt;b" in html_text and "c&amp;d" in html_text
    balanced(html_text)
    md = display.markdown_table(["col"], [["a|b\nc"]])
    assert md.splitlines() == ["| col |", "| --- |", "| a\\|b c |"]


def _point() -> MeanFieldPoint:
    pt = MeanFieldPoint("x<0 & co", mp.mpf("1.5"), mp.mpf("0.05"), 12)
    pt.q_star = _est("0.418037200533", "1.0e-20")
    pt.chi1 = _est("0.938636268199", "6.6e-21")
    pt.xi_c = None
    pt.notes["xi_c"] = "undefined: <log> argument"
    pt.extra["beta_stein"] = _est("0.924243755502", "4.5e-21")
    return pt


def test_mean_field_point_shows_every_number_with_its_error() -> None:
    pt = _point()
    html_text = pt._repr_html_()
    tags = balanced(html_text)
    assert tags.count("tr") == 1 + len(MeanFieldPoint.NUMBERS) + 1   # header, numbers, extra
    for est in (pt.q_star, pt.chi1, pt.extra["beta_stein"]):
        assert est is not None
        text = (f"{mp.nstr(est.value, 12, strip_zeros=False)} ±"
                f" {mp.nstr(est.error, 3, strip_zeros=False)}")
        assert text in html_text
        assert text in pt._repr_markdown_()
    assert "x&lt;0 &amp; co at sw2 = 1.5, sb2 = 0.05 (12 digits)" in html_text
    assert "x&lt;0 &amp; co" in html_text and "&lt;log&gt;" in html_text
    assert re.search(r"<td>xi_c</td><td>—</td><td>undefined: &lt;log&gt; argument</td>",
                     html_text)
    assert "0.418037200533 ± 1.00e-20" in pt._repr_markdown_()


def test_eoc_point_display() -> None:
    pt = EOCPoint("tanh", 15, _est("1.76095463960674", "1e-20"), _est("0.05", "0"),
                  _est("0.570047881640764", "1e-20"), None, _est("0.567876", "1e-20"), None,
                  {"roots": "further EOC roots near q = 3"})
    html_text = pt._repr_html_()
    balanced(html_text)
    assert "1.76095463960674 ± 1.00e-20" in html_text
    assert "0.0500000000000000 ± 0.0" in html_text
    assert "further EOC roots near q = 3" in html_text
    md = pt._repr_markdown_()
    assert "| sw2 | 1.76095463960674 ± 1.00e-20 |  |" in md
    assert "| beta | — |  |" in md


def test_phase_plane_display_has_a_table_and_an_inline_png() -> None:
    plane = phase_plane("tanh", [0.5, 1.0, 1.5, 2.0], [0.0, 0.05, 0.1])
    html_text = plane._repr_html_()
    tags = balanced(html_text)
    assert tags.count("img") == 1
    data = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html_text)
    assert data is not None
    assert base64.b64decode(data.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    # the point listing holds chi1 at (1.5, 0.05) with its error, as the plane computed it
    chi, err = plane.chi1[2, 1], plane.chi1_err[2, 1]
    assert abs(chi - 0.938636268199) < 1e-9       # MeanField at 30 digits (meanfield tests)
    cell = display.estimate_text(Estimate(chi, err), 10)
    assert cell in html_text and cell in plane._repr_markdown_()
    # the summary: chi1's range over the defined points, and the undefined count (NaN at sw2=1)
    finite = plane.chi1[np.isfinite(plane.chi1)]
    assert display.number_text(float(finite.max()), 10) in html_text
    assert "<img" not in plane._repr_markdown_()


def _outcome() -> ClaimOutcome:
    cert = Certificate("beta < 1", "sw2 in [0.5, 1]", "Arb balls", proved=True,
                       enclosures={"beta": ["0.91", "0.97"]})
    passed = CheckResult("numeric", "passed", "beta <= 1 on the grid", name="plane",
                         evidence={"max_beta": "0.99", "max_beta_err": "1e-12"}, seconds=1.25,
                         certificate=cert)
    failed = CheckResult("property", "failed", "beta < 1 fails for psi = x", name="search",
                         counterexample={"psi": "x", "beta": "1.0", "beta_err": "0.0"})
    skipped = CheckResult("simulation", "skipped", "not run", name="sim", inconclusive=True)
    finding = Finding("misprint", "seed 000, Eq. (51)", "\\psi^2 < x^2", "\\psi \\propto x")
    return ClaimOutcome(checks=[passed, failed, skipped], findings=[finding])


def test_claim_outcome_display_shows_verdict_checks_findings_and_certificate() -> None:
    out = _outcome()
    html_text = out._repr_html_()
    balanced(html_text)
    assert decide(out) == "fails"
    assert "verdict: fails" in html_text
    for cell in ("<td>numeric</td><td>plane</td><td>passed</td>",
                 "<td>property</td><td>search</td><td>failed</td>",
                 "<td>simulation</td><td>sim</td><td>skipped (inconclusive)</td>",
                 "<td>1.25</td>"):
        assert cell in html_text
    assert "\\psi^2 &lt; x^2" in html_text                  # the finding, escaped
    assert "certified [0.91, 0.97]" in html_text             # the certificate's enclosure
    assert "<td>beta</td><td>1.0 ± 0.0</td>" in html_text    # the failed check's counterexample
    md = out._repr_markdown_()
    assert md.startswith("**verdict: fails**")
    assert "| property | search | failed | beta < 1 fails for psi = x | 0.00 |" in md
    assert "| max_beta | 0.99 ± 1e-12 |" in md
    out.condition = "psi is not linear"
    assert "verdict: conditional (condition: psi is not linear)" in out._repr_html_()


def test_unproved_certificate_says_what_is_left() -> None:
    cert = Certificate("q* > 0", "box", "Krawczyk", proved=False, unproved="2 boxes near q = 0")
    assert "no: 2 boxes near q = 0" in cert._repr_html_()
    assert "| proved | no: 2 boxes near q = 0 |" in cert._repr_markdown_()
    balanced(cert._repr_html_())


@pytest.mark.parametrize("record", [_point(), _outcome()])
def test_markdown_tables_have_a_separator_row(record: object) -> None:
    md = record._repr_markdown_()  # type: ignore[attr-defined]
    assert re.search(r"^\|( --- \|)+$", md, flags=re.MULTILINE)
