"""Griffe extension: theorycheck's free-form (reStructuredText-flavoured) docstrings as Markdown.

The docstrings are written for people reading the source: ``:func:`name``` roles, ``::``
literal blocks, ``>>>`` doctests, ``.. math::`` formulas, plain-text mathematics such as
``q*, c*`` and lists right under a paragraph. Read as Markdown, the stars would pair into
emphasis, ``>>>`` would nest block quotes and the lists would run into their paragraph, so
before mkdocstrings renders a docstring this extension rewrites it:

- a role becomes a code span (``:class:`~a.b.C``` -> ```C```), linked to the object's entry
  when the reference pages document it (an *optional* autoref: unresolved ones stay plain);
- a ``::`` paragraph's indented block and a run of ``>>>`` lines become fenced code;
- ``.. math:: F`` becomes display math, and all math (``$...$``, ``$$...$$``) is protected
  by :func:`docmath.protect` (rendered as MathML by the ``docmath`` hook);
- outside code, ``*`` is escaped and ``<`` before a letter becomes ``&lt;``;
- a list item right under a paragraph gets the blank line Markdown needs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
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


_REF = re.compile(r"tcref([0-9a-f]+)x")
Resolver = Callable[[str], "str | None"]


def _roles(text: str, resolve: Resolver | None) -> str:
    """Roles as code spans; a resolvable one as an inert ``tcref`` token, see :func:`_refs`."""

    def short(match: re.Match[str]) -> str:
        target = match.group(1).lstrip(".")
        shown = target.rsplit(".", 1)[-1] if match.group(0).count("~") else target
        identifier = resolve(target) if resolve is not None else None
        if identifier is None:
            return f"`{shown}`"
        return "tcref" + f"{identifier}\0{shown}".encode().hex() + "x"

    return _ROLE.sub(short, text)


def _refs(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        identifier, shown = bytes.fromhex(match.group(1)).decode().split("\0")
        return f'<autoref identifier="{identifier}" optional>`{shown}`</autoref>'

    return _REF.sub(link, text)


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


def to_markdown(docstring: str, resolve: Resolver | None = None) -> str:
    """One docstring rewritten as Markdown (see the module docstring); ``resolve`` turns a
    role's target into the full path of the object it names (None: not found)."""
    text = "\n".join(_blocks(_roles(docstring, resolve).split("\n")))
    text = docmath.protect(text)
    return _refs(_escape_prose(re.sub(r"\n{3,}", "\n\n", text).strip("\n")))


def _resolver(obj: griffe.Object) -> Resolver:
    def resolve(target: str) -> str | None:
        if target.startswith("theorycheck."):
            return target
        head, _, rest = target.partition(".")
        try:
            found = obj.resolve(head)
        except Exception:  # griffe's NameResolutionError and alias errors: leave it plain
            return None
        return found + ("." + rest if rest else "")

    return resolve


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring of a loaded package with :func:`to_markdown` (once the whole
    package is loaded, so that a role can name any of its objects)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = to_markdown(obj.docstring.value, _resolver(obj))
