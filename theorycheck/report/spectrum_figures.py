"""The spectral density of ``J J^T`` drawn over the finite networks' eigenvalue histogram."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from theorycheck.report.figure_style import new_figure, save, styled

DENSITY_COLOR = "#cf222e"
HIST_COLOR = "#0969da"


def spectrum_density(figure_dir: str | Path | None, stem: str, x: Sequence[float] | np.ndarray,
                     density_log_x: Sequence[float] | np.ndarray, *,
                     atoms: Sequence[Sequence[float]] = (),
                     eigenvalues: Sequence[float] | np.ndarray | None = None,
                     setting: str = "") -> list[str]:
    """The density of ``log10`` of an eigenvalue of ``J J^T`` (``ln 10 rho_s`` with ``rho_s`` the
    density of ln x, free-probability theory) on a log axis, the atoms as text, and, when given,
    the histogram of the finite networks' positive eigenvalues scaled to the same continuous
    mass (so that the two curves are comparable where an atom at 0 holds part of the mass)."""
    if figure_dir is None:
        return []
    xs = np.asarray(x, dtype=float)
    dens = np.asarray(density_log_x, dtype=float) * math.log(10)
    with styled():
        fig, ax = new_figure()
        cont = 1.0 - sum(float(m) for _, m in atoms)
        if eigenvalues is not None:
            ev = np.asarray(eigenvalues, dtype=float)
            pos = ev[ev > 0]
            if pos.size:
                lo = max(float(np.log10(pos.min())), float(np.log10(xs.min())) if xs.size
                         else -300.0)
                hist, edges = np.histogram(np.log10(pos), bins=60, range=(
                    lo, float(np.log10(pos.max()))))
                width = np.diff(edges)
                scale = pos.size / ev.size / max(hist.sum(), 1)
                ax.bar(edges[:-1], hist * scale / width, width=width, align="edge",
                       color=HIST_COLOR, alpha=0.45,
                       label=f"finite networks ({ev.size} eigenvalues)")
        if xs.size:
            ax.plot(np.log10(xs), dens, color=DENSITY_COLOR, lw=1.8,
                    label="free probability (S-transform)")
            shown = np.nonzero(dens > 1e-3 * dens.max())[0]
            if shown.size:
                ax.set_xlim(float(np.log10(xs[shown[0]])) - 0.5, float(np.log10(xs[-1])) + 0.3)
        for loc, mass in atoms:
            ax.plot([], [], " ", label=f"atom: mass {float(mass):.4g} at {float(loc):.4g}")
        if cont < 1 - 1e-12:
            ax.plot([], [], " ", label=f"continuous mass {cont:.4g}")
        ax.set(xlabel=r"$\log_{10}\lambda$, $\lambda$ an eigenvalue of $JJ^\top$",
               ylabel=r"density of $\log_{10}\lambda$",
               title="Jacobian spectrum" + (f", {setting}" if setting else ""))
        ax.legend()
        return save(fig, figure_dir, stem)
