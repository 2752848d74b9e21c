"""Notebook display: numbers with their errors, and escaped HTML / Markdown tables.

The ``_repr_html_`` and ``_repr_markdown_`` methods of the result records (``MeanFieldPoint``,
``EOCPoint``, ``PhasePlane``, ``ClaimOutcome``, ``CheckResult``, ``Certificate``) are built from
these helpers, so that every layer shows a number the same way: an estimate as
``value ± err`` (the value with the run's digits, the error with 3, as in ``results.json``), a
proved enclosure as ``certified [lo, hi]``.  Every cell is escaped (:func:`html.escape`;
``|`` and line breaks in Markdown), so a formula such as ``x<0`` cannot break the page.

>>> from theorycheck.numbers import Estimate
>>> estimate_text(Estimate(0.5, 1e-20), 5)
'0.50000 ± 1.00e-20'
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import mpmath as mp

from theorycheck.numbers import Estimate, to_decimal

#: what a table shows for a number that is absent (None), with the reason in a note column
ABSENT = "—"
#: longest text of one table cell before it is cut (evidence can hold whole dictionaries)
MAX_CELL = 300


def number_text(x: Any, dps: int) -> str:
    """A real number as a decimal string with ``dps`` digits; ``inf``/``-inf``/``nan`` spelled."""
    if x is None:
        return ABSENT
    v = x if isinstance(x, mp.mpf) else mp.mpf(x)
    if mp.isnan(v):
        return "nan"
    if mp.isinf(v):
        return "inf" if v > 0 else "-inf"
    return to_decimal(v, dps)


def estimate_text(est: Estimate | None, dps: int) -> str:
    """``value ± err`` for an :class:`Estimate` (value to ``dps`` digits, error to 3);
    only the value when the error is not finite or the value is infinite; ``—`` for None."""
    if est is None:
        return ABSENT
    value = number_text(est.value, dps)
    err = mp.mpf(est.error)
    if not mp.isfinite(mp.mpf(est.value)) or not mp.isfinite(err):
        return value
    return f"{value} ± {to_decimal(err, 3)}"


def interval_text(lo: str, hi: str) -> str:
    """``certified [lo, hi]``: a proved enclosure (decimal strings, already rounded outward)."""
    return f"certified [{lo}, {hi}]"


def cell_text(value: Any) -> str:
    """Any evidence value as one line of text, cut at :data:`MAX_CELL` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def paired_rows(values: Mapping[str, Any]) -> list[list[str]]:
    """``[name, "value ± err"]`` rows from a mapping whose errors sit beside the values under
    ``name_err`` (the ``results.json`` convention for evidence); other entries as text."""
    rows = []
    for key, value in values.items():
        if key.endswith("_err") and key[:-4] in values:
            continue
        err = values.get(f"{key}_err")
        text = cell_text(value)
        if err is not None and value is not None:
            text = f"{text} ± {cell_text(err)}"
        rows.append([key, text])
    return rows


def html_table(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    """An HTML ``<table>`` with every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(c))}</td>" for c in row)
                   + "</tr>" for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _md_cell(value: Any) -> str:
    return cell_text(value).replace("\\", "\\\\").replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown pipe table; ``|`` in a cell is escaped, line breaks become spaces."""
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def html_block(title: str, *parts: str, subtitle: str = "") -> str:
    """A ``<div>`` with a bold escaped title, an escaped subtitle and already-built ``parts``."""
    sub = f"<p>{html.escape(subtitle)}</p>" if subtitle else ""
    return (f'<div class="theorycheck"><p><strong>{html.escape(title)}</strong></p>{sub}'
            + "".join(parts) + "</div>")


def html_list(items: Iterable[str]) -> str:
    """An escaped ``<ul>`` (empty string when there are no items)."""
    lis = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return f"<ul>{lis}</ul>" if lis else ""


def notes_rows(notes: Mapping[str, str]) -> list[list[str]]:
    """``[name, note]`` rows of a ``notes`` mapping."""
    return [[k, v] for k, v in notes.items()]


def inline_png(draw: Callable[[Any], None], size: tuple[float, float] = (4.5, 3.4)) -> str:
    """An ``<img>`` holding the PNG that ``draw(axes)`` draws (matplotlib, Agg, 90 dpi),
    base64-encoded inline so the notebook needs no file and no network. Cost: matplotlib's
    import (~1 s, once) and ~0.1 s per figure."""
    from matplotlib.figure import Figure  # lazy: matplotlib is heavy and only notebooks draw

    fig = Figure(figsize=size, dpi=90)
    draw(fig.add_subplot())
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}"/>'
