"""MkDocs hook: the pages that are generated, so they cannot drift from what they describe.

- ``<!-- generated: cli-reference -->`` becomes the reference of every command, read from the
  typer app's click command tree (:func:`cli_reference`);
- ``<!-- generated: claims-catalogue -->`` becomes the catalogue of the committed sample run
  ``reports/quick/results.json`` (:func:`claims_catalogue`): verdicts, checks, findings, and
  links to that run's report pages;
- the sample report's HTML pages and figures are copied into the site under
  ``sample-report/`` (:data:`REPORT_DIR`), where the catalogue links to them; they are
  self-contained (MathML, no scripts), so the links work offline.

Math in the catalogue (the printed and corrected formulas of findings) is written as ``$...$``
and rendered by the ``docmath`` hook, which runs after this one (``mkdocs.yml`` lists it
second).
"""

from __future__ import annotations

import enum
import json
import re
import typing
from pathlib import Path
from typing import Any

import typer

ROOT = Path(__file__).resolve().parents[2]
REPORT_DIR = ROOT / "reports" / "quick"
SITE_REPORT = "sample-report"
_MARKER = re.compile(r"<!-- generated: (?P<name>[a-z-]+) -->")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_REPORT_FILES = ("index.html", "results.json", "claims/*.html", "figures/*.svg", "figures/*.png")


def text(value: Any) -> str:
    """Plain text as inert Markdown (a table cell included): specials escaped."""
    plain = " ".join(str(value).split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", plain.replace(">", "&gt;"))


# -- the CLI reference ---------------------------------------------------------------------------
def _app() -> Any:
    """The app's root command group (typer's own, vendored click classes: duck-typed here)."""
    from theorycheck.cli import _load_commands, app

    _load_commands()
    return typer.main.get_command(app)


def _annotation_text(annotation: Any) -> str:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{member.value}`" for member in annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (list, tuple, set) and args:
        return _annotation_text(args[0]) + " (repeatable)"
    if args:                                          # Optional[X], X | None
        return _annotation_text(args[0])
    return {"str": "text", "Path": "path", "bool": "flag"}.get(
        getattr(annotation, "__name__", ""), text(getattr(annotation, "__name__", annotation)))


def _type_text(param: Any) -> str:
    """The parameter's type: a flag, the choices of an enum, or the annotation's name."""
    if getattr(param, "is_flag", False):
        return "flag"
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return _annotation_text(descriptor.annotation)
    return text(getattr(getattr(param, "type", None), "name", ""))


def _param_row(param: Any) -> list[str]:
    if param.param_type_name == "argument":
        name = f"`{(param.metavar or param.name or '').upper()}`"
        name += " ..." if param.nargs == -1 else ""
    else:
        flags = [*param.opts, *param.secondary_opts]
        name = ", ".join(f"`{f}`" for f in flags)
    type_text = _type_text(param)
    default = param.default
    shown = ("" if default in (None, False, ()) or callable(default) or param.required
             else f"`{default.value if hasattr(default, 'value') else default}`")
    help_text = text(getattr(param, "help", None) or "")
    if param.required:
        help_text = ("required. " + help_text).strip()
    return [name, type_text, shown, help_text]


def _command_section(name: str, command: Any, parent: Any) -> str:
    ctx = command.context_class(command, info_name=name, parent=parent)
    pieces = [re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(), piece)
              for piece in command.collect_usage_pieces(ctx)]
    usage = " ".join(["theorycheck", name, *pieces])
    lines = [f"## `theorycheck {name}`", "", f"```text\n{usage}\n```", ""]
    for paragraph in (command.help or "").split("\n\n"):
        lines += [text(paragraph.replace("\b", "")), ""]
    rows = [_param_row(p) for p in command.params if p.name != "help"]
    if rows:
        lines += ["| parameter | type | default | meaning |", "| --- | --- | --- | --- |"]
        lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def cli_reference() -> str:
    """Markdown for every command of the ``theorycheck`` app, in its registration order."""
    group = _app()
    root = group.context_class(group, info_name="theorycheck")
    parts = [text(group.help or ""), "",
             "Every command prints `theorycheck: error [<status>]: <reason>` and exits with "
             "status 2 on bad input; `theorycheck COMMAND --help` shows the same text as below.",
             ""]
    for name in group.list_commands(root):
        command = group.get_command(root, name)
        if command is not None and not command.hidden:
            parts.append(_command_section(name, command, root))
    return "\n".join(parts)


# -- the claims catalogue ------------------------------------------------------------------------
def _math(latex: str) -> str:
    return f"${latex.strip()}$" if latex.strip() else ""


def _claim_section(claim: dict[str, Any]) -> str:
    cid = claim["id"]
    lines = [f"### {cid} {{ #{cid} }}", "",
             f"**Verdict: {claim['verdict']}** · source: {text(claim['source'])} · "
             f"[report page]({SITE_REPORT}/claims/{cid}.html)", "",
             text(claim["statement"]), ""]
    if claim.get("printed"):
        lines += ["As printed:", ""]
        for formula in claim["printed"]:
            lines += [f"$${formula.strip()}$$", ""]
    if claim.get("hypotheses"):
        lines += ["Hypotheses:", ""] + [f"- {text(h)}" for h in claim["hypotheses"]] + [""]
    if claim.get("condition"):
        lines += [f"*Condition:* {text(claim['condition'])}", ""]
    lines += ["| method | check status | summary |", "| --- | --- | --- |"]
    lines += [f"| {c['method']} | {c['status']} | {text(c.get('summary', ''))} |"
              for c in claim["checks"]]
    lines.append("")
    for finding in claim.get("findings", []):
        lines.append(f"- **{text(finding['kind'])}** ({text(finding.get('where', ''))}): "
                     f"printed {_math(finding.get('printed', ''))}, "
                     f"corrected {_math(finding.get('corrected', ''))}. "
                     f"{text(finding.get('evidence', ''))}")
    return "\n".join(lines) + "\n"


def claims_catalogue(results: Path = REPORT_DIR / "results.json") -> str:
    """Markdown for every claim of a ``results.json``: a summary table, then one section each."""
    doc = json.loads(results.read_text())
    run = doc["run"]
    claims = doc["claims"]
    verdicts: dict[str, int] = {}
    for claim in claims:
        verdicts[claim["verdict"]] = verdicts.get(claim["verdict"], 0) + 1
    lines = [f"{len(claims)} claims, from the committed sample run of the `{run['profile']}` "
             f"profile (seed {run['seed']}, {run['dps']} digits, theorycheck {run['version']}, "
             f"device {text(run.get('device_name') or run['device'])}): "
             + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())) + ". "
             f"The whole report: [index]({SITE_REPORT}/index.html), "
             f"[results.json]({SITE_REPORT}/results.json).", "",
             "| claim | verdict | checks passed / failed / skipped | findings |",
             "| --- | --- | --- | --- |"]
    for claim in claims:
        statuses = [c["status"] for c in claim["checks"]]
        counts = " / ".join(str(statuses.count(s)) for s in ("passed", "failed", "skipped"))
        lines.append(f"| [{claim['id']}](#{claim['id']}) | {claim['verdict']} | {counts} | "
                     f"{len(claim.get('findings', []))} |")
    lines += ["", "## The claims", ""]
    lines += [_claim_section(claim) for claim in claims]
    return "\n".join(lines)


# -- mkdocs events -------------------------------------------------------------------------------
GENERATORS = {"cli-reference": cli_reference, "claims-catalogue": claims_catalogue}


def report_files() -> list[Path]:
    """The sample report's files the site carries (HTML, figures, results.json)."""
    return sorted(p for pattern in _REPORT_FILES for p in REPORT_DIR.glob(pattern))


def on_files(files: Any, config: Any, **_: Any) -> Any:
    from mkdocs.structure.files import File

    for path in report_files():
        uri = f"{SITE_REPORT}/{path.relative_to(REPORT_DIR).as_posix()}"
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, **_: Any) -> str:
    return _MARKER.sub(lambda m: GENERATORS[m.group("name")](), markdown)



# -- the site fetches nothing from the network -----------------------------------------------
_REMOTE = re.compile(r"""<(?:script|link|img|iframe|source|audio|video)\b[^>]*?"""
                     r"""\b(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)
_REMOTE_CSS = re.compile(r"""(?:@import\s+|url\()\s*["']?(?:https?:)?//""", re.IGNORECASE)


def remote_assets(site_dir: Path) -> list[str]:
    """The site's files that would load something over the network (a script, a style sheet,
    a font, an image): ``path: the matched text``. Plain links (``<a href>``) are allowed."""
    found = []
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or not path.is_file():
            continue
        body = path.read_text(errors="replace")
        pattern = _REMOTE if path.suffix == ".html" else _REMOTE_CSS
        found += [f"{path.relative_to(site_dir)}: {m.group(0)}" for m in pattern.finditer(body)]
    return found


def on_post_build(config: Any, **_: Any) -> None:
    import logging

    for hit in remote_assets(Path(config["site_dir"])):
        logging.getLogger("mkdocs.hooks.generated").warning("not offline: %s", hit)
