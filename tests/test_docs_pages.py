"""The documentation's code blocks run as tests (sybil), so a tutorial cannot drift from the code.

Every fenced block of ``docs/*.md`` and ``docs/tutorials/*.md`` is one of:

- ``python``: executed in order, one namespace per page (sybil's Python evaluator);
- ``bash``: each line is a ``theorycheck`` command, run in-process through the typer app (no
  subprocess: the import is paid once) in a scratch folder; it must exit with status 0, and a
  ``--json`` command must print one JSON object;
- a block whose first line is ``# not run by the docs tests: <why>`` (the marker is visible on
  the page) or whose only content is a ``--8<--`` include of a file that is tested itself;
- ``text``, ``toml`` or ``json``: output or configuration, nothing to run.

Any other block, or a ``bash`` line that is not a ``theorycheck`` command, fails the test: a
block is run or visibly marked, never skipped in silence. Each page is one test (its python
blocks share a namespace), in a fresh folder, with the claim registry restored afterwards
(a tutorial declares claims of its own).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from sybil import Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser

from theorycheck.claims import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# ARCHITECTURE.md is the design note (its code is a sketch with ``...``), not a tutorial
PAGES = sorted(p for p in [*DOCS.glob("*.md"), *DOCS.glob("tutorials/*.md")]
               if p.name != "ARCHITECTURE.md")
NOT_RUN = "# not run by the docs tests:"
INCLUDE = "--8<--"
EXECUTED = ("python", "bash")
INERT = ("text", "toml", "json")
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def _marked(source: str) -> bool:
    first = source.strip().splitlines()[0] if source.strip() else ""
    return first.startswith(NOT_RUN) or (first.startswith(INCLUDE) and len(source.split("\n")) <= 2)


def _commands(source: str) -> list[list[str]]:
    """The block's commands (``\\`` continuations joined, comments dropped), split like a shell."""
    joined = re.sub(r"\\\n", " ", source)
    return [argv for line in joined.splitlines() if (argv := shlex.split(line, comments=True))]


def _invoke(argv: list[str]) -> Any:
    from typer.testing import CliRunner

    from theorycheck.cli import _load_commands, app

    _load_commands()
    return CliRunner().invoke(app, argv)


def _run_bash(example: Any) -> None:
    if _marked(example.parsed):
        return
    for argv in _commands(example.parsed):
        if argv[0] != "theorycheck":
            raise AssertionError(f"line {example.line}: only theorycheck commands run here; "
                                 f"mark the block with {NOT_RUN!r} ({shlex.join(argv)})")
        result = _invoke(argv[1:])
        assert result.exit_code == 0, (f"line {example.line}: {shlex.join(argv)} exited with "
                                       f"{result.exit_code}:\n{result.output}")
        if "--json" in argv:
            json.loads(result.stdout)


_python = PythonEvaluator()


def _run_python(example: Any) -> Any:
    if _marked(example.parsed):
        return None
    return _python(example)


SYBIL = Sybil(parsers=[CodeBlockParser("python", _run_python), CodeBlockParser("bash", _run_bash)])


def test_the_pages_are_found() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"getting-started.md", "tutorials/verify-a-claim.md", "tutorials/certify.md",
            "tutorials/test-your-activation.md", "tutorials/your-own-claims.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_block_is_run_or_visibly_marked(page: Path) -> None:
    for block in _FENCE.finditer(page.read_text()):
        language = block.group("info").split()[0] if block.group("info").strip() else ""
        where = f"{page.name}:{page.read_text()[:block.start()].count(chr(10)) + 1}"
        assert language in EXECUTED + INERT, (
            f"{where}: a ```{language} block is neither run nor marked (use python or bash, "
            f"or text/toml/json for output)")
        assert block.group("info").strip() == language, (
            f"{where}: ```{block.group('info')}: attributes on the fence hide it from sybil")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh folder to run in, and the claim registry as it was before the page."""
    monkeypatch.chdir(tmp_path)
    registry.discover()
    saved = dict(registry._REGISTRY), dict(registry._OWNERS)
    yield tmp_path
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved[0])
    registry._OWNERS.clear()
    registry._OWNERS.update(saved[1])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_code_blocks_run(page: Path, scratch: Path) -> None:
    document = SYBIL.parse(page)
    for example in document:
        example.evaluate()


def test_readme_commands_appear_verbatim_in_getting_started() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick_start, re.DOTALL)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    page = (DOCS / "getting-started.md").read_text()
    for command in commands:
        assert command in page.splitlines(), f"README command missing from the docs: {command}"
