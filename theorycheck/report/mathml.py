"""LaTeX to MathML for the offline HTML report, and the ``$...$`` mixed text both formats share.

MathML is produced by ``latex2mathml`` (no network, no JavaScript), then parsed and re-serialised
through an element and attribute allow-list, so that nothing but MathML markup can reach the page
(``latex2mathml`` copies ``\\text{...}`` verbatim and turns ``\\href`` into an attribute). Anything
that does not convert cleanly is shown as its LaTeX source in ``<code>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Literal

from latex2mathml.converter import convert
from markupsafe import Markup, escape

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
ET.register_namespace("", MATHML_NS)

_ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics",
    "annotation"))
_ATTRIBUTES = frozenset((
    "display", "displaystyle", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "width", "height", "depth", "linethickness", "columnalign", "rowalign", "columnlines",
    "rowlines", "columnspacing", "rowspacing", "frame", "notation", "accent", "accentunder",
    "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "scriptlevel", "linebreak",
    "mathcolor", "mathbackground", "mathsize", "form"))
_TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")
# $$...$$ or $...$ (a dollar preceded by a backslash is literal)
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)
_COMMAND = re.compile(r"\\[A-Za-z]+")
_TEXT_GROUP = re.compile(r"\\(?:text|textrm|mathrm|operatorname|mbox)\{[^{}]*\}")
# commands latex2mathml leaves as literal text, rewritten to ones it knows
_REWRITE = {"\\arg": "\\operatorname{arg}", "\\tfrac": "\\frac", "\\dfrac": "\\frac",
            "\\argmax": "\\operatorname{arg\\,max}", "\\argmin": "\\operatorname{arg\\,min}"}
_REWRITE_RE = re.compile("|".join(re.escape(k) + r"(?![A-Za-z])" for k in _REWRITE))
_PROSE = re.compile(r"[A-Za-z]{2,}[,;:.]? +[A-Za-z]{2,}")

Segment = tuple[Literal["text", "math", "display"], str]


def _clean(element: ET.Element) -> None:
    """Raise ValueError unless ``element`` and its children are allow-listed MathML."""
    tag = element.tag
    if not (isinstance(tag, str) and tag.startswith("{" + MATHML_NS + "}")
            and tag.split("}", 1)[1] in _ELEMENTS):
        raise ValueError(f"element {tag!r} is not allowed")
    for name in list(element.attrib):
        if name not in _ATTRIBUTES:
            del element.attrib[name]
    for child in element:
        _clean(child)


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> str | None:
    """``latex`` as sanitised MathML markup, or None when it cannot be converted safely."""
    try:
        latex = _REWRITE_RE.sub(lambda m: _REWRITE[m.group(0)], latex)
        raw = convert(latex, display="block" if display else "inline")
        root = ET.fromstring(raw)
        _clean(root)
    except Exception:  # latex2mathml raises many types; each means "show the LaTeX source"
        return None
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def split_tag(latex: str) -> tuple[str, str]:
    """Split ``\\tag{38}`` off a formula: ``(formula without it, "38")``; tag ``""`` if absent."""
    match = _TAG.search(latex)
    if match is None:
        return latex.strip(), ""
    return (latex[:match.start()] + latex[match.end():]).strip(), match.group(1).strip()


def math_html(latex: str, *, display: bool = False) -> Markup:
    """One formula as HTML: MathML, or the LaTeX in ``<code>`` when conversion fails.

    With ``display``, a ``\\tag{..}`` becomes an equation-number label beside the formula.
    """
    body, tag = split_tag(latex) if display else (latex, "")
    mathml = latex_to_mathml(body, display)
    inner = Markup(mathml) if mathml is not None else (
        Markup('<code class="latex" title="LaTeX (not convertible to MathML)">{}</code>')
        .format(body))
    if not display:
        return inner
    label = Markup('<span class="eqno">({})</span>').format(tag) if tag else Markup("")
    return Markup('<div class="eq">{}{}</div>').format(inner, label)


def segments(text: str) -> list[Segment]:
    """Split mixed text into plain text and ``$...$`` / ``$$...$$`` math.

    Text without any ``$`` is one formula when it uses LaTeX commands (``\\beta``) and holds no
    prose (two words in a row, once the commands are removed); otherwise it is plain text.
    """
    if "$" not in text:
        bare = _COMMAND.sub(" ", _TEXT_GROUP.sub(" ", text))
        formula = bool(_COMMAND.search(text)) and not _PROSE.search(bare)
        return [("math", text)] if formula else [("text", text)]
    out: list[Segment] = []
    pos = 0
    for match in _MATH.finditer(text):
        if match.start() > pos:
            out.append(("text", text[pos:match.start()]))
        if match.group(1) is not None:
            out.append(("display", match.group(1).strip()))
        else:
            out.append(("math", match.group(2).strip()))
        pos = match.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


def rich_html(text: object) -> Markup:
    """Mixed text (see :func:`segments`) as HTML: escaped text, MathML formulas."""
    if text is None or text == "":
        return Markup("")
    parts = []
    for kind, value in segments(str(text)):
        if kind == "text":
            parts.append(escape(value))
        else:
            parts.append(math_html(value, display=kind == "display"))
    return Markup("").join(parts)


__all__ = ["latex_to_mathml", "math_html", "rich_html", "segments", "split_tag"]
