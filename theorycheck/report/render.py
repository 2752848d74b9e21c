"""Render the report pages (index, one per claim, the activation report) as Markdown and HTML
from Jinja2 templates in ``theorycheck/report/templates`` (HTML autoescaped, CSS inlined)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from theorycheck.report import present
from theorycheck.report.markdown import cell_md, escape_md, math_md, rich_md
from theorycheck.report.mathml import math_html, rich_html, split_tag

Format = Literal["md", "html"]

NUMBERS_NOTE = (
    "Numbers are decimal strings at the run's precision. A value \"± e\" carries an absolute error "
    "estimate (two independent evaluations) or, for simulations, a standard error; integers are "
    "exact counts; a number without ± had no error estimate recorded and is shown to the digits "
    "computed.")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescape for ``*.html.j2``, report filters."""
    env = Environment(
        loader=PackageLoader("theorycheck.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                     disabled_extensions=("md.j2",), default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters.update(
        rich=rich_html, math=lambda s: math_html(str(s), display=True),
        imath=lambda s: math_html(str(s)), md=rich_md, md_math=math_md_display, md_cell=cell_md,
        md_escape=escape_md, status_class=present.status_class, show=present.show,
        num=lambda s: str(s).replace(" ± ", " ±\u00a0"))
    env.globals.update(METHODS=present.METHODS, NUMBERS_NOTE=NUMBERS_NOTE)
    return env


def math_md_display(latex: str) -> str:
    """A printed formula as a Markdown ``$$`` block (forge MathJax shows its ``\\tag``)."""
    return math_md(str(latex), display=True)


@lru_cache(maxsize=1)
def stylesheet() -> Markup:
    """The report's CSS, inlined into every HTML page."""
    css = resources.files("theorycheck.report").joinpath("static/style.css").read_text("utf-8")
    return Markup(css)


def _run_meta(run: Mapping[str, Any]) -> dict[str, Any]:
    return {key: run.get(key, "") for key in
            ("version", "started", "finished", "profile", "dps", "seed", "device", "activations",
             "python", "platform", "code_version", "command", "device_name", "max_seconds",
             "executor", "workers", "address")} \
        | {"packages": dict(run.get("packages", {})), "cache": dict(run.get("cache") or {})}


def figure_views(paths: list[str], root: str,
                 available: Collection[str] | None) -> list[dict[str, Any]]:
    """Figure groups for a page under ``root`` (``""`` or ``"../"``); a figure not in
    ``available`` is listed as missing instead of linked."""
    views = []
    for group in present.figure_groups(paths):
        files = [{"path": f, "href": root + f, "ext": f.rsplit(".", 1)[-1].upper(),
                  "exists": available is None or f in available} for f in group.files]
        shown = next((f for f in files if f["path"] == group.shown), files[0])
        views.append({"stem": group.stem, "shown": shown, "files": files,
                      "exists": shown["exists"]})
    return views


def check_view(check: Mapping[str, Any], root: str,
               available: Collection[str] | None) -> dict[str, Any]:
    """What a claim page shows of one check."""
    evidence = check.get("evidence") or {}
    counterexample = check.get("counterexample")
    examples = None
    if check.get("method") == "property" and "examples" in evidence:
        examples = {"tried": evidence.get("examples"), "max": evidence.get("max_examples"),
                    "seed": evidence.get("seed"), "property": evidence.get("property", "")}
    cmp_block = present.comparison(evidence) if check.get("method") == "simulation" else None
    shown: set[str] = set(present.PROPERTY_KEYS) if examples else set()
    if cmp_block is not None and "comparisons" not in evidence:
        shown |= set(present.COMPARISON_KEYS)
    return {
        "method": check.get("method", ""), "status": check.get("status", ""),
        "name": check.get("name", ""), "summary": check.get("summary", ""),
        "inconclusive": bool(check.get("inconclusive")), "seconds": check.get("seconds", ""),
        "steps": [{"latex": s.get("latex", ""), "reason": s.get("reason", ""),
                   "holds": s.get("holds")} for s in check.get("steps", []) or []],
        "examples": examples, "comparison": cmp_block,
        "evidence": present.evidence_blocks(evidence, shown=shown),
        "counterexample": (present.evidence_blocks(counterexample)
                           if isinstance(counterexample, Mapping) else
                           [present.Block("pre", text=str(counterexample))]
                           if counterexample is not None else []),
        "figures": figure_views(list(check.get("figures", [])), root, available),
        "certificate": certificate_view(check.get("certificate")),
    }


def certificate_view(cert: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a page shows of a certified check: the statement, region and method, and each
    enclosure as "certified [lo, hi]" (never with a +- error, which is for estimates)."""
    if not cert:
        return None
    return {"statement": cert.get("statement", ""), "region": cert.get("region", ""),
            "method": cert.get("method", ""), "proved": bool(cert.get("proved")),
            "unproved": cert.get("unproved", ""),
            "enclosures": [(name, f"certified [{lo}, {hi}]")
                           for name, (lo, hi) in (cert.get("enclosures") or {}).items()]}


def proof_summary(checks: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per claim: what its run proved (certified checks, with the region) and which numeric
    checks only estimated (two methods agreeing, with errors)."""
    proved, unproved, estimated = [], [], []
    for c in checks:
        cert = c.get("certificate")
        name = str(c.get("name", ""))
        if cert and cert.get("proved") and c.get("status") != "skipped":
            proved.append(f"{name}: {cert.get('statement', '')} ({cert.get('region', '')})")
        elif cert:
            unproved.append(f"{name}: {cert.get('unproved', '') or 'not proved'}")
        elif c.get("method") == "numeric" and c.get("status") != "skipped":
            estimated.append(name)
    return {"proved": proved, "unproved": unproved, "estimated": estimated}


def claim_view(claim: Mapping[str, Any], root: str,
               available: Collection[str] | None) -> dict[str, Any]:
    """What the index row and the claim page show of one claim record."""
    cid = str(claim.get("id", ""))
    checks = list(claim.get("checks", []))
    return {
        "id": cid, "slug": present.slug(cid), "source": claim.get("source", ""),
        "statement": claim.get("statement", ""), "hypotheses": list(claim.get("hypotheses", [])),
        "printed": [{"latex": p, "tag": split_tag(str(p))[1]} for p in claim.get("printed", [])],
        "verdict": claim.get("verdict", "inconclusive"), "condition": claim.get("condition", ""),
        "methods": {m: present.method_status(checks, m) for m in present.METHODS},
        "counts": present.claim_counts(claim), "seconds": claim.get("seconds", ""),
        "checks": [check_view(c, root, available) for c in checks],
        "proofs": proof_summary(checks),
        "findings": list(claim.get("findings", [])),
        "per_activation": present.per_activation_table(claim.get("per_activation") or {}),
        "figures": figure_views(list(claim.get("figures", [])), root, available),
    }


def render(template: str, fmt: Format, **context: Any) -> str:
    """Render ``<template>.<fmt>.j2`` with ``context`` (plus the stylesheet for HTML)."""
    if fmt == "html":
        context.setdefault("css", stylesheet())
    return environment().get_template(f"{template}.{fmt}.j2").render(**context)


def render_index(results: Mapping[str, Any], fmt: Format,
                 available: Collection[str] | None = None, data_file: str | None = None,
                 notes: Sequence[str] = (), extra_figures: Sequence[str] = ()) -> str:
    """The index page: run metadata, verdict counts, and the summary table of all claims."""
    claims = [claim_view(c, "", available) for c in results.get("claims", [])]
    findings = [{"claim": c["id"], "slug": c["slug"], **f} for c in claims
                for f in c["findings"] if f.get("kind") != "note"]
    return render("index", fmt, findings=findings, report_notes=list(notes),
                  extra_figures=figure_views(list(extra_figures), "", available),
                  run=_run_meta(results.get("run", {})), claims=claims,
                  verdicts=present.verdict_counts(results.get("claims", [])), root="",
                  home="index", data_file=data_file, title="theorycheck verification report")


def render_claim(results: Mapping[str, Any], claim: Mapping[str, Any], fmt: Format,
                 available: Collection[str] | None = None, back: str = "index") -> str:
    """The page of one claim (``claims/<id>``): statement, checks, findings, figures."""
    view = claim_view(claim, "../", available)
    return render("claim", fmt, run=_run_meta(results.get("run", {})), claim=view, root="../",
                  back=back, home=back, title=f"{view['id']} — theorycheck")


def render_activation(report: Mapping[str, Any], fmt: Format,
                      available: Collection[str] | None = None,
                      data_file: str | None = None, notes: Sequence[str] = (),
                      extra_figures: Sequence[str] = ()) -> str:
    """The activation report: properties, EOC and DI point, phase planes, per-claim verdicts."""
    claims = [claim_view(c, "", available) for c in report.get("claims", [])]
    act = report.get("activation", {})
    name = str(act.get("name", ""))
    for view, record in zip(claims, report.get("claims", []), strict=True):
        entry = (record.get("per_activation") or {}).get(name)
        view["entry"] = present.kv_rows(entry) if isinstance(entry, Mapping) else []
    eoc = report.get("eoc", {}) or {}
    spec = report.get("spectrum") or {}
    return render("activation", fmt, spectrum_table=present.table(spec["rows"])
                  if spec.get("rows") else None, spectrum_notes=spec.get("notes", []),
                  spectrum_figures=figure_views(spec.get("figures", []), "", available),
                  run=_run_meta(report.get("run", {})), act=act, claims=claims,
                  eoc_table=present.table(eoc.get("points", [])) if eoc.get("points") else None,
                  eoc_errors=eoc.get("errors", []), di=report.get("di_point"),
                  di_rows=present.kv_rows(report["di_point"])
                  if isinstance(report.get("di_point"), Mapping) else [],
                  di_note=report.get("di_note", ""), notes=report.get("notes", []),
                  properties=act.get("properties", {}),
                  figures=figure_views([*report.get("figures", []), *extra_figures], "",
                                       available),
                  verdicts=present.verdict_counts(report.get("claims", [])), root="",
                  home="activation", data_file=data_file, report_notes=list(notes),
                  title=f"activation {name} — theorycheck")


__all__ = ["environment", "render_activation", "render_claim", "render_index"]
