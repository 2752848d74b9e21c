"""The correlation-map figure: c -> c' with its L-fold iterate, the identity and the fixed points.

Drawn from plain arrays (figures are data: ``run.figure("correlation_map", stem, c, c_next,
...)`` or the ``theorycheck cmap --out`` command); seed 000 Fig. 2 / Poole et al. 2016 Fig. 2
draw the same picture.  Saved as PNG and SVG by :func:`~theorycheck.report.figure_style.save`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.report.figure_style import new_figure, save, styled

MAP_COLOR = "#0969da"
ITERATE_COLOR = "#cf222e"
REF_COLOR = "#6e7781"


def correlation_figure(figure_dir: str | Path | None, stem: str, c: Sequence[float] | np.ndarray,
                    c_next: Sequence[float] | np.ndarray, *,
                    c_L: Sequence[float] | np.ndarray | None = None, depth: int | None = None,
                    fixed_points: Sequence[tuple[float, float, bool]] = (),
                    title: str = "") -> list[str]:
    """c' against c on [-1, 1], the depth-L iterate when given, the diagonal, and each fixed
    point (c, slope, stable) as a filled (stable) or open (unstable) circle."""
    if figure_dir is None:
        return []
    x, y = np.asarray(c, dtype=float), np.asarray(c_next, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise TheoryCheckError("correlation-map figure: c and c_next must be 1-d, same length",
                               status=Status.INVALID_ARGUMENT)
    with styled():
        fig, ax = new_figure(5.2, 5.0)
        ax.plot([-1, 1], [-1, 1], color=REF_COLOR, lw=1.0, ls="--", label="c' = c")
        ax.plot(x, y, color=MAP_COLOR, lw=1.8, label="c' (one layer)")
        if c_L is not None:
            ax.plot(x, np.asarray(c_L, dtype=float), color=ITERATE_COLOR, lw=1.6,
                    label=f"c after {depth} layers" if depth else "iterate")
        for fc, slope, stable in fixed_points:
            ax.plot([fc], [fc], marker="o", ms=7, color="black", clip_on=False,
                    mfc="black" if stable else "white", ls="none", zorder=5)
            ax.annotate(f"c* = {fc:.4g}\nslope {slope:.4g}", (fc, fc), textcoords="offset points",
                        xytext=(6, -22), fontsize=8)
        ax.set(xlim=(-1.02, 1.02), ylim=(-1.02, 1.02), xlabel="input correlation c",
               ylabel="output correlation", title=title or "correlation map")
        ax.legend(loc="upper left")
        return save(fig, figure_dir, stem)
