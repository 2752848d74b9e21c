"""Markdown text for a code forge: escaped prose, ``$...$`` / ``$$...$$`` math, table cells."""

from __future__ import annotations

import re

from theorycheck.report.mathml import segments

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_md(text: object) -> str:
    """Plain text with Markdown's active characters escaped."""
    return _SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def math_md(latex: str, *, display: bool = False) -> str:
    """One formula as forge math: ``$latex$`` inline, a ``$$`` block on its own lines."""
    latex = " ".join(latex.split()) if not display else latex.strip()
    return f"\n$$\n{latex}\n$$\n" if display else f"${latex}$"


def rich_md(text: object, *, inline: bool = False) -> str:
    """Mixed text (prose with ``$...$`` math, see :func:`~theorycheck.report.mathml.segments`)
    as Markdown; with ``inline`` every formula stays inline (table cells, list items)."""
    if text is None or text == "":
        return ""
    parts = []
    for kind, value in segments(str(text)):
        if kind == "text":
            parts.append(escape_md(value))
        else:
            parts.append(math_md(value, display=kind == "display" and not inline))
    return "".join(parts)


def cell_md(text: object, *, math: bool = False) -> str:
    """A table cell: one line, pipes escaped; ``math`` renders it as mixed text with math."""
    body = rich_md(text, inline=True) if math else escape_md(text)
    body = body.replace("\\|", "|").replace("|", "\\|")
    return body.replace("\r", "").replace("\n", "<br>") or " "


__all__ = ["cell_md", "escape_md", "math_md", "rich_md"]
