"""Turn a results dictionary into what the pages show: evidence tables with each number's error
or precision, per-method status summaries, verdict counts, figure groups.

Format-neutral: the Markdown and HTML templates render the same view objects.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from theorycheck.claims.model import METHODS

VERDICTS = ("holds", "holds-corrected", "conditional", "fails", "inconclusive")
STATUSES = ("passed", "failed", "skipped")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
ERR_SUFFIXES = ("_err", "_error", "_stderr")


def slug(claim_id: str) -> str:
    """A file name for a claim id (ids are already slugs; anything else is made one)."""
    cleaned = _SAFE_ID.sub("-", claim_id).strip(".-")
    return cleaned or "claim"


def is_scalar(value: object) -> bool:
    """Whether ``value`` is shown in one table cell (a string, number, bool or None)."""
    return value is None or isinstance(value, str | int | float | bool)


def is_estimate(value: object) -> bool:
    """Whether ``value`` is an ``Estimate.to_json`` dictionary: ``{"value": .., "error": ..}``."""
    return (isinstance(value, Mapping) and set(value) <= {"value", "error", "method"}
            and "value" in value and "error" in value)


def significant_digits(text: str) -> int:
    """Significant digits written in a decimal string (``"0.00120"`` -> 3)."""
    mantissa = re.split(r"[eE]", text.strip().lstrip("+-"))[0].replace(".", "")
    stripped = mantissa.lstrip("0")
    return max(len(stripped), 1)


def precision_note(value: object) -> str:
    """What is known about a number's precision when it carries no error estimate."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value.strip())):
        return "exact"
    if isinstance(value, float):
        return "float64, no error estimate"
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        digits = significant_digits(value)
        return f"{digits} digit{'s' if digits != 1 else ''} as computed, no error estimate"
    return ""


def show(value: object) -> str:
    """A scalar (or small nested value) as table text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_estimate(value):
        return f"{value['value']} ± {value['error']}"  # type: ignore[index]
    if is_scalar(value):
        return str(value)
    if isinstance(value, list) and scalar_list(value):
        return ", ".join(show(v) for v in value)
    return json.dumps(value, default=str, separators=(", ", ": "))


def scalar_list(value: object) -> bool:
    """Whether ``value`` is a non-empty list of scalars (a series of numbers or labels)."""
    return isinstance(value, list) and bool(value) and all(is_scalar(v) for v in value)


def error_key(key: str, mapping: Mapping[str, Any]) -> str | None:
    """The companion error key of ``key`` in ``mapping`` (``x_err``, ``x_error``, ``x_stderr``;
    ``stderr`` for ``measured``)."""
    for suffix in ERR_SUFFIXES:
        if key + suffix in mapping:
            return key + suffix
    if key == "measured" and "stderr" in mapping:
        return "stderr"
    return None


def companions(mapping: Mapping[str, Any]) -> set[str]:
    """Keys of ``mapping`` that are the error companion of another key."""
    keys = {k for k in mapping for s in ERR_SUFFIXES if k.endswith(s) and k[: -len(s)] in mapping}
    if "measured" in mapping and "stderr" in mapping and "measured_stderr" not in mapping:
        keys.add("stderr")
    return keys


@dataclass
class Row:
    """One quantity: its name, value text, and error estimate or precision note."""

    key: str
    value: str
    precision: str = ""


@dataclass
class Block:
    """A rendered piece of evidence: ``kv`` (rows), ``table`` (columns/cells), ``pre`` (text)."""

    kind: str
    title: str = ""
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    text: str = ""


def kv_rows(mapping: Mapping[str, Any]) -> list[Row]:
    """Scalars of ``mapping`` as rows, each value beside its ``*_err`` companion or precision."""
    skip = companions(mapping)
    rows = []
    for key, value in mapping.items():
        if key in skip or not (is_scalar(value) or is_estimate(value) or scalar_list(value)):
            continue
        if isinstance(value, str) and "\n" in value:
            continue
        err = error_key(key, mapping)
        if err is not None:
            precision = f"± {show(mapping[err])}"
        elif is_estimate(value):
            precision = f"± {value['error']}"  # type: ignore[index]
            value = value["value"]  # type: ignore[index]
        elif isinstance(value, list):
            notes = {precision_note(v) for v in value}
            precision = notes.pop() if len(notes) == 1 else "no error estimate"
        else:
            precision = precision_note(value)
        rows.append(Row(key, show(value), precision))
    return rows


def cell(mapping: Mapping[str, Any], key: str) -> str:
    """``mapping[key]`` for a table cell, with ``± err`` from its companion when present."""
    if key not in mapping:
        return ""
    err = error_key(key, mapping)
    text = show(mapping[key])
    return f"{text} ± {show(mapping[err])}" if err else text


def table(records: Sequence[Mapping[str, Any]], title: str = "",
          first: str | None = None) -> Block:
    """A list of flat dictionaries as one table; error companions fold into their value's cell."""
    columns: list[str] = []
    for record in records:
        skip = companions(record)
        for key in record:
            if key not in skip and key not in columns:
                columns.append(key)
    cells = [[cell(r, c) for c in columns] for r in records]
    if first is not None:
        columns = [first, *columns]
        cells = [[str(i), *row] for i, row in enumerate(cells)]
    return Block("table", title=title, columns=columns, cells=cells)


def _flat(value: object) -> bool:
    return isinstance(value, Mapping) and all(is_scalar(v) or is_estimate(v)
                                               for v in value.values())


def series_tables(evidence: Mapping[str, Any], title: str = "") -> tuple[list[Block], set[str]]:
    """Parallel series (two or more lists of scalars of one length, e.g. one value per layer) as
    tables with one row per index, errors folded in; returns the blocks and the keys they used."""
    skip = companions(evidence)
    groups: dict[int, list[str]] = {}
    for key, value in evidence.items():
        if key not in skip and scalar_list(value):
            groups.setdefault(len(value), []).append(key)
    blocks, used = [], set()
    for length, keys in groups.items():
        if len(keys) < 2 or length < 2:
            continue
        columns = list(keys)
        for key in keys:
            err = error_key(key, evidence)
            if err and scalar_list(evidence[err]) and len(evidence[err]) == length:
                columns.append(err)
        records = [{k: evidence[k][i] for k in columns} for i in range(length)]
        name = f"{title} · series" if title else "series (one row per index)"
        blocks.append(table(records, title=name, first="#"))
        used.update(columns)
    return blocks, used


def flatten(mapping: Mapping[str, Any], prefix: str = "", depth: int = 2) -> dict[str, Any]:
    """Nested dictionaries as dotted keys (``argmax.sw``), ``depth`` levels deep; what is
    deeper or not a dictionary stays as it is (shown as compact JSON)."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not is_estimate(value) and depth > 1:
            out.update(flatten(value, name + ".", depth - 1))
        else:
            out[name] = value
    return out


def record_table(records: Mapping[str, Mapping[str, Any]], title: str = "") -> Block:
    """``{name: {field: value}}`` as one table, a row per name, nested fields dotted."""
    rows = [{"": name, **flatten(fields)} for name, fields in records.items()]
    return table(rows, title=title)


def evidence_blocks(evidence: Mapping[str, Any] | None, title: str = "",
                    shown: Collection[str] = ()) -> list[Block]:
    """Evidence as blocks: its scalars (and short lists) as one key/value table, parallel series
    as tables by index, each nested value as a table (flat dict, or list of flat dicts) or as
    pretty JSON; multi-line strings as preformatted. Keys in ``shown`` (already on the page in
    another form) are left out."""
    if shown and evidence:
        evidence = {k: v for k, v in evidence.items() if k not in shown}
    if not evidence:
        return []
    series, used = series_tables(evidence, title)
    rest = {k: v for k, v in evidence.items() if k not in used}
    blocks: list[Block] = []
    rows = kv_rows(rest)
    if rows:
        blocks.append(Block("kv", title=title, rows=rows))
    blocks.extend(series)
    records = {k: v for k, v in rest.items() if isinstance(v, Mapping) and not is_estimate(v)
               and not _flat(v)}
    if len(records) >= 2:  # several configurations described alike: one row each
        blocks.append(record_table(records, title=title))
        rest = {k: v for k, v in rest.items() if k not in records}
    for key, value in rest.items():
        name = f"{title} · {key}" if title else key
        if isinstance(value, str) and "\n" in value:
            blocks.append(Block("pre", title=name, text=value))
        elif is_scalar(value) or is_estimate(value) or scalar_list(value):
            continue
        elif _flat(value):
            blocks.append(Block("kv", title=name, rows=kv_rows(value)))  # type: ignore[arg-type]
        elif isinstance(value, Mapping) and value and all(
                isinstance(v, Mapping) and not is_estimate(v) for v in value.values()):
            blocks.append(record_table(value, title=name))
        elif isinstance(value, Mapping) and _flat(flatten(value)):
            blocks.append(Block("kv", title=name, rows=kv_rows(flatten(value))))
        elif (isinstance(value, list) and value and all(_flat(v) for v in value)):
            blocks.append(table(value, title=name))
        else:
            blocks.append(Block("pre", title=name,
                                text=json.dumps(value, indent=2, default=str)))
    return blocks


COMPARISON_KEYS = ("theory", "theory_err", "measured", "measured_err", "measured_stderr",
                   "stderr", "agree", "tolerance", "device", "seed")
PROPERTY_KEYS = ("examples", "max_examples", "seed", "property")


def comparison(evidence: Mapping[str, Any]) -> Block | None:
    """The simulation comparison (theory / measured ± stderr / agree / device / seed) when the
    evidence states one; rows of ``evidence["comparisons"]`` are used when present."""
    rows = evidence.get("comparisons")
    records: list[Mapping[str, Any]]
    if isinstance(rows, list) and rows and all(isinstance(r, Mapping) for r in rows):
        records = rows
    elif "theory" in evidence and "measured" in evidence:
        records = [evidence]
    else:
        return None
    out = []
    for r in records:
        stderr = r.get("stderr", r.get("measured_err", r.get("measured_stderr")))
        theory = cell(r, "theory")
        out.append([theory, show(r.get("measured")) + (f" ± {show(stderr)}" if stderr is not None
                                                       else ""),
                    show(r.get("agree")), show(r.get("tolerance")),
                    show(r.get("device", evidence.get("device"))),
                    show(r.get("seed", evidence.get("seed")))])
    return Block("table", title="theory against simulation",
                 columns=["theory", "measured ± stderr", "agree", "tolerance", "device", "seed"],
                 cells=out)


def method_status(checks: Iterable[Mapping[str, Any]], method: str) -> str:
    """The statuses of a claim's checks of one method: ``passed``, or ``2 passed, 1 skipped``;
    ``—`` when the claim has no check of that method."""
    statuses = Counter(c.get("status", "skipped") for c in checks if c.get("method") == method)
    if not statuses:
        return "—"
    if len(statuses) == 1 and sum(statuses.values()) == 1:
        return next(iter(statuses))
    return ", ".join(f"{statuses[s]} {s}" for s in STATUSES if statuses[s])


def status_class(text: str) -> str:
    """CSS class for a method-status cell: the worst status it mentions."""
    for status in ("failed", "passed", "skipped"):
        if status in text:
            return status
    return "none"


def verdict_counts(claims: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many claims got each verdict (every verdict listed, zeros included)."""
    counts = Counter(c.get("verdict", "inconclusive") for c in claims)
    extra = [v for v in counts if v not in VERDICTS]
    return {v: counts[v] for v in (*VERDICTS, *extra)}


def claim_counts(claim: Mapping[str, Any]) -> dict[str, int]:
    """Checks passed/failed/skipped (recounted from the checks when ``counts`` is absent)."""
    if isinstance(claim.get("counts"), Mapping):
        return {s: int(claim["counts"].get(s, 0)) for s in STATUSES}
    checks = claim.get("checks", [])
    return {s: sum(1 for c in checks if c.get("status") == s) for s in STATUSES}


@dataclass
class FigureGroup:
    """One figure in its formats: the image shown (PNG preferred) and every file written."""

    stem: str
    shown: str
    files: list[str]


def figure_groups(paths: Iterable[str]) -> list[FigureGroup]:
    """Group figure paths by stem (``a.png`` + ``a.svg``), keeping first-seen order."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        stem, _ = posixpath.splitext(path)
        groups.setdefault(stem, [])
        if path not in groups[stem]:
            groups[stem].append(path)
    out = []
    for stem, files in groups.items():
        shown = next((f for f in files if f.lower().endswith(".png")), files[0])
        out.append(FigureGroup(posixpath.basename(stem), shown, files))
    return out


def all_figures(claim: Mapping[str, Any]) -> list[str]:
    """Every figure a claim record references: its own, then each check's."""
    paths = list(claim.get("figures", []))
    for check in claim.get("checks", []):
        paths.extend(p for p in check.get("figures", []) if p not in paths)
    return paths


def per_activation_table(per_activation: Mapping[str, Any]) -> Block | None:
    """``{act: {...}}`` as one table, one row per activation."""
    if not per_activation:
        return None
    records = [{"activation": name, **(v if isinstance(v, Mapping) else {"value": v})}
               for name, v in per_activation.items()]
    return table(records, title="per activation")


__all__ = [
    "COMPARISON_KEYS", "METHODS", "PROPERTY_KEYS", "STATUSES", "VERDICTS", "Block", "FigureGroup",
    "Row", "all_figures", "claim_counts", "comparison", "evidence_blocks", "figure_groups",
    "flatten", "method_status", "per_activation_table", "precision_note", "record_table",
    "scalar_list", "series_tables", "show", "slug", "status_class", "table", "verdict_counts",
]
