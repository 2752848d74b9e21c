"""The documentation build's hooks (docs/hooks/): math to MathML, docstrings to Markdown, the
generated CLI reference and claims catalogue, the offline check, and the docs dependencies."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / "docs" / "hooks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", HOOKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


docmath = _load("docmath")
generated = _load("generated")


def _roundtrip(markdown: str) -> str:
    """What the page's HTML holds once Markdown has passed the protected text through."""
    return docmath.render(docmath.protect(markdown))


def test_inline_and_display_math_become_mathml() -> None:
    html = _roundtrip(r"where $\chi_1 = 1$ and" + "\n\n" + r"$$q^* = \sigma_w^2 a_1 * b_2$$")
    assert html.count("<math") == 2
    assert 'display="block"' in html and "<msub>" in html
    assert "tcmath" not in html and "$" not in html


def test_code_and_prices_are_left_alone() -> None:
    text = "run `echo $HOME $PATH` here\n\n```bash\necho $A and $B\n```\ncosts $5 and $6\n"
    assert docmath.protect(text) == text


def test_an_unconvertible_formula_is_a_build_warning(caplog: pytest.LogCaptureFixture) -> None:
    html = docmath.render(docmath.token(r"\frac{1}{", False), "page.md")
    assert "<code" in html                       # the LaTeX source is shown instead
    assert any("not convertible" in r.getMessage() for r in caplog.records)


def test_docstrings_become_markdown() -> None:
    docstrings = _load("docstrings")
    doc = ("The map q -> sw2 E psi(sqrt(q) z)^2 at q*, c*: see :func:`~theorycheck.x.point`.\n"
           "Items:\n- first\n\nExample::\n\n    a = 1\n    b = a * 2\n\n"
           ">>> 1 + 1\n2\n\n.. math:: \\int f(x)\\, dx\n")
    out = docstrings.to_markdown(doc)
    assert r"q\*, c\*" in out and "`point`" in out and ":func:" not in out
    assert "Items:\n\n- first" in out
    assert "```python\na = 1\nb = a * 2\n```" in out              # code is not escaped
    assert "```pycon\n>>> 1 + 1\n2\n```" in out
    (token,) = re.findall(r"tcmathd[0-9a-f]+x", out)
    assert "<math" in docmath.render(token)
    linked = docstrings.to_markdown("see :meth:`~MeanField.eoc_sw2` and :func:`nowhere`",
                                    lambda t: None if t == "nowhere" else f"theorycheck.x.{t}")
    assert linked == ('see <autoref identifier="theorycheck.x.MeanField.eoc_sw2" optional>'
                      '`eoc_sw2`</autoref> and `nowhere`')


def _app_commands() -> dict[str, list[str]]:
    group = generated._app()
    ctx = group.context_class(group, info_name="theorycheck")
    return {name: [opt for p in group.get_command(ctx, name).params for opt in p.opts
                   if opt.startswith("--") and opt != "--help"]
            for name in group.list_commands(ctx)}


def test_cli_reference_documents_every_command_and_option() -> None:
    page = generated.cli_reference()
    commands = _app_commands()
    assert {"verify", "list", "meanfield", "eoc", "compare"} <= set(commands)
    sections = re.split(r"^## ", page, flags=re.MULTILINE)[1:]
    assert [s.split("`")[1].split()[1] for s in sections] == list(commands)
    for section in sections:
        name = section.split("`")[1].split()[1]
        for option in commands[name]:
            assert f"`{option}`" in section, f"{name}: {option} missing"


def test_catalogue_lists_every_claim_with_its_verdict_and_report_page() -> None:
    results = json.loads((generated.REPORT_DIR / "results.json").read_text())
    page = generated.claims_catalogue()
    carried = {p.relative_to(generated.REPORT_DIR).as_posix() for p in generated.report_files()}
    for claim in results["claims"]:
        assert f"| [{claim['id']}](#{claim['id']}) | {claim['verdict']} |" in page
        assert f"{generated.SITE_REPORT}/claims/{claim['id']}.html" in page
        assert f"claims/{claim['id']}.html" in carried
    assert f"{len(results['claims'])} claims" in page


def test_remote_assets_are_found_and_links_allowed(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<a href="https://example.org">x</a>'
                                     '<script src="https://cdn.example.org/k.js"></script>')
    (tmp_path / "b.css").write_text("@import url('//fonts.example.org/css');")
    (tmp_path / "c.html").write_text('<img src="figures/x.svg"><link href="assets/s.css">')
    hits = generated.remote_assets(tmp_path)
    assert len(hits) == 2 and hits[0].startswith("a.html") and hits[1].startswith("b.css")


def test_docs_dependencies_are_in_the_dev_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    names = {re.split(r"[\[<>=]", r)[0] for r in extras["docs"]}
    assert {"mkdocs", "mkdocs-material", "mkdocstrings", "sybil"} <= names
    assert set(extras["docs"]) <= set(extras["dev"])        # CI installs .[dev] only
