"""MkDocs hook: ``$...$`` and ``$$...$$`` rendered as MathML at build time (no script, no CDN).

Math must reach the converter untouched by Markdown (``a_1 * b_2 * c`` would otherwise turn
into emphasis), so it is handled in two steps:

1. :func:`protect` replaces each formula outside code (fences, ``code spans``) by an inert
   token, ``tcmath`` + ``i`` (inline) or ``d`` (display) + the formula's UTF-8 bytes in hex +
   ``x``. The pages are protected here (``on_page_markdown``); the docstrings by the griffe
   extension ``docs/hooks/docstrings.py``, which calls the same function.
2. ``on_page_content`` replaces the tokens in the page's HTML by the MathML of
   :func:`theorycheck.report.mathml.math_html` -- the converter and allow-list sanitiser of the
   offline HTML report, so the site and the report render one formula the same way. A formula
   that does not convert is a build warning (and ``mkdocs build --strict`` fails on it).

An inline formula opens with a ``$`` followed by a non-space and closes with a ``$`` preceded
by a non-space and not followed by a digit, within one paragraph; ``\\$`` is a literal dollar.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from theorycheck.report.mathml import latex_to_mathml, math_html

log = logging.getLogger("mkdocs.hooks.docmath")

_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)", re.DOTALL)
_DISPLAY = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])((?:[^$\n]|\n(?!\s*\n))+?)(?<=[^\s\\])\$(?![\d$])")
_TOKEN = re.compile(r"(<p>)?tcmath([id])([0-9a-f]+)x(</p>)?")


def token(latex: str, display: bool) -> str:
    """The inert stand-in of one formula (letters and hex digits only)."""
    return "tcmath" + ("d" if display else "i") + latex.strip().encode().hex() + "x"


def _protect_text(text: str) -> str:
    text = _DISPLAY.sub(lambda m: "\n\n" + token(m.group(1), True) + "\n\n", text)
    return _INLINE.sub(lambda m: token(m.group(1), False), text)


def _protect_prose(text: str) -> str:
    """Protect the math of prose, leaving code spans alone."""
    out, pos = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_protect_text(text[pos:span.start()]))
        out.append(span.group(0))
        pos = span.end()
    out.append(_protect_text(text[pos:]))
    return "".join(out)


def protect(markdown: str) -> str:
    """``markdown`` with every formula outside code replaced by its :func:`token`."""
    if "$" not in markdown:
        return markdown
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        mark = _FENCE.match(line)
        if fence is None and mark:
            out.append(_protect_prose("".join(prose)))
            prose = []
            fence = mark.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if mark and mark.group(1) == fence and line.strip() == fence:
                fence = None
        else:
            prose.append(line)
    out.append(_protect_prose("".join(prose)))
    return "".join(out)


def render(html: str, where: str = "a page") -> str:
    """``html`` with every token replaced by MathML (a display formula replaces its ``<p>``)."""

    def one(match: re.Match[str]) -> str:
        display = match.group(2) == "d"
        latex = bytes.fromhex(match.group(3)).decode()
        if latex_to_mathml(latex, display) is None:
            log.warning("%s: formula not convertible to MathML: %s", where, latex)
        rendered = str(math_html(latex, display=display))
        if display:
            return rendered
        return (match.group(1) or "") + rendered + (match.group(4) or "")

    return _TOKEN.sub(one, html)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return protect(markdown)


def on_page_content(html: str, page: Any, **_: Any) -> str:
    return render(html, page.file.src_uri)
