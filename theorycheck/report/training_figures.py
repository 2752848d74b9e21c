"""Figures of the training experiments: final train accuracy over the (sw2, depth) grid with
the depth scale of the correlation map overlaid (seed 002, Figs. 1-2).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from theorycheck.report.figure_style import new_figure, save, styled

ArrayLike = Sequence[float] | np.ndarray


def trainability_plane(figure_dir: str | Path | None, stem: str, sw2: ArrayLike,
                       depths: ArrayLike, accuracy: ArrayLike, *, line_sw2: ArrayLike,
                       xi_c: ArrayLike, c_fit: float, c_overlay: float = 4.5,
                       title: str = "tanh on digits") -> list[str]:
    """Final train accuracy ``accuracy[i, j]`` at ``(sw2[i], depths[j])`` (axis 0 is sw2) with
    the lines ``c_overlay * xi_c`` (the source's overlay) and ``c_fit * xi_c`` (the fitted
    boundary) along ``line_sw2``; ``xi_c`` is NaN where the depth scale does not exist
    (seed 002, Figs. 1-2). A ``None`` figure folder draws nothing."""
    if figure_dir is None:
        return []
    xs, xi = np.asarray(line_sw2, dtype=float), np.asarray(xi_c, dtype=float)
    with styled():
        fig, ax = new_figure()
        im = ax.pcolormesh(np.array(sw2), np.array(depths), np.asarray(accuracy).T,
                           shading="nearest", vmin=0, vmax=1)
        fig.colorbar(im, ax=ax, label="final train accuracy")
        ax.plot(xs, c_overlay * xi, "w--", label=rf"${c_overlay:g}\,\xi_c$")
        ax.plot(xs, c_fit * xi, "r-", label=rf"${c_fit:.2f}\,\xi_c$ (fit)")
        ax.set(xlabel=r"$\sigma_w^2$", ylabel="depth", ylim=(0, max(depths) * 1.05),
               title=title)
        ax.grid(False)
        ax.legend()
        return save(fig, figure_dir, stem)


__all__ = ["trainability_plane"]
