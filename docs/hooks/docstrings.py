"""Griffe extension: theorycheck's free-form (reStructuredText-flavoured) docstrings as Markdown.

The docstrings are written for people reading the source: ``:func:`name``` roles, ``::``
literal blocks, ``>>>`` doctests, ``.. math::`` formulas, plain-text mathematics such as
``q*, c*`` and lists right under a paragraph. Read as Markdown, the stars would pair into
emphasis, ``>>>`` would nest block quotes and the lists would run into their paragraph, so
before mkdocstrings renders a docstring this extension rewrites it:

- a role becomes a code span (``:class:`~a.b.C``` -> ```C```);
- a ``::`` paragraph's indented block and a run of ``>>>`` lines become fenced code;
- ``.. math:: F`` becomes display math, and all math (``$...$``, ``$$...$$``) is protected
  by :func:`docmath.protect` (rendered as MathML by the ``docmath`` hook);
- outside code, ``*`` is escaped and ``<`` before a letter becomes ``&lt;``;
- a list item right under a paragraph gets the blank line Markdown needs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import griffe

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docmath  # a sibling module; griffe loads this file by path

_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|exc|obj|const|term|ref):`~?([^`]+)`")
_MATH_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+")
_FENCE = re.compile(r"^[ \t]*```")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _roles(text: str) -> str:
    def short(match: re.Match[str]) -> str:
        target = match.group(1)
        shown = target.rsplit(".", 1)[-1] if match.group(0).count("~") else target
        return f"`{shown}`"

    return _ROLE.sub(short, text)


def _blocks(lines: list[str]) -> list[str]:
    """Fence ``::`` blocks and doctests; ``.. math::`` as ``$$ $$``; blank lines before lists."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        math = _MATH_DIRECTIVE.match(line)
        if math:
            body = [math.group("first")] if math.group("first").strip() else []
            i += 1
            depth = len(math.group("indent"))
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > depth):
                body.append(lines[i].strip())
                i += 1
            out += ["", "$$" + " ".join(b for b in body if b) + "$$", ""]
            continue
        if line.lstrip().startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                prompt = lines[i].lstrip().startswith((">>>", "..."))
                block.append(lines[i].strip() if prompt else lines[i])
                i += 1
            out += ["", "```pycon", *block, "```", ""]
            continue
        if line.rstrip().endswith("::") and not line.strip().startswith(".."):
            base = _indent(line)
            head = line.rstrip()[:-2].rstrip()
            out.append(head + ":" if head.strip() else "")
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            cut = min((_indent(b) for b in block if b.strip()), default=0)
            out += ["", "```python", *(b[cut:] for b in block), "```", ""]
            continue
        if (_LIST_ITEM.match(line) and out and out[-1].strip() and not _LIST_ITEM.match(out[-1])
                and _indent(out[-1]) <= _indent(line)):
            out.append("")
        out.append(line)
        i += 1
    return out


def _escape_prose(text: str) -> str:
    """Escape ``*`` and ``<letter`` outside fenced code and code spans."""
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        bullet = _LIST_ITEM.match(line)
        head, line = (bullet.group(0), line[bullet.end():]) if bullet else ("", line)
        parts = re.split(r"(`+[^`]*?`+)", line)
        out.append(head + "".join(p if p.startswith("`") else
                           re.sub(r"<(?=[A-Za-z/!])", "&lt;", p.replace("*", r"\*"))
                           for p in parts))
    return "\n".join(out)


def to_markdown(docstring: str) -> str:
    """One docstring rewritten as Markdown (see the module docstring)."""
    text = "\n".join(_blocks(_roles(docstring).split("\n")))
    text = docmath.protect(text)
    return _escape_prose(re.sub(r"\n{3,}", "\n\n", text).strip("\n"))


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring griffe loads with :func:`to_markdown`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
