"""The report's figure style and the two primitives every figure kind uses: a new figure and
saving it as PNG and SVG side by side (matplotlib Agg, no pyplot state).

The figure kinds (:mod:`theorycheck.report.figures`, :mod:`theorycheck.report.training_figures`)
build on these, so a kinds module never imports another kinds module.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theorycheck.errors import Status, TheoryCheckError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

STYLE: dict[str, Any] = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
    "axes.grid": True, "grid.alpha": 0.25, "axes.spines.top": False, "axes.spines.right": False,
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight", "svg.hashsalt": "theorycheck",
    "svg.fonttype": "path", "image.cmap": "viridis",
}
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def styled() -> AbstractContextManager[None]:
    """The report style for a custom figure: ``with styled(): fig, ax = new_figure(); ...;
    paths = save(fig, figure_dir, stem)``."""
    from matplotlib import rc_context  # lazy: matplotlib (only a run that draws pays for it)

    return rc_context(STYLE)  # type: ignore[arg-type]


def new_figure(width: float = 6.4, height: float = 4.4) -> tuple[Figure, Axes]:
    """A figure with one axes (in the report style when called inside :func:`styled`)."""
    from matplotlib.figure import Figure  # lazy: matplotlib (only a run that draws pays for it)

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def save(fig: Figure, figure_dir: str | Path, stem: str) -> list[str]:
    """Save ``fig`` as ``<stem>.png`` and ``<stem>.svg`` in ``figure_dir``; return their paths
    relative to the report folder (``figure_dir``'s parent)."""
    if not _STEM.match(stem):
        raise TheoryCheckError(f"figure name {stem!r} must be letters, digits, '.', '_' or '-'",
                               status=Status.INVALID_ARGUMENT)
    folder = Path(figure_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        fig.savefig(folder / f"{stem}.{ext}", format=ext, metadata=metadata)
        written.append(f"{folder.name}/{stem}.{ext}")
    return written


__all__ = ["STYLE", "new_figure", "save", "styled"]
