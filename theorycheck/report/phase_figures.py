"""Phase-plane figures: a plane (q*, chi1, beta, xi_c) over (sw2, sb2) with the EOC and DI point.

The look of seed 000 Fig. 6b (the beta plane, the edge of chaos as a line, a star at the
dynamical-isometry point).  Matplotlib with the Agg backend; no display needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

LABELS = {"q_star": "q*", "chi1": r"$\chi_1$", "beta": r"$\beta$", "xi_c": r"$\xi_c$"}


def plot_plane(plane: Any, quantity: str, path: Path, *,
               eoc: tuple[np.ndarray, np.ndarray] | None = None,
               di: tuple[float, float] | None = None, title: str = "") -> Path:
    """Write a PNG of ``plane.<quantity>`` (axis 0 = sw2, axis 1 = sb2) to ``path``.

    ``eoc``: (sw2, sb2) arrays of the critical line chi1 = 1, drawn as a white line; ``di``: the
    dynamical-isometry point, drawn as a star.  Undefined points (no finite fixed point) are grey.
    """
    import matplotlib  # lazy: matplotlib (only a command that draws pays for it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: matplotlib (after choosing the Agg backend)

    z = np.asarray(getattr(plane, quantity), dtype=float)
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=120)
    data = np.ma.masked_invalid(z.T)
    finite = z[np.isfinite(z)]
    vmax = float(np.percentile(finite, 99)) if quantity == "xi_c" and finite.size else None
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="0.85")
    im = ax.pcolormesh(plane.sw2, plane.sb2, data, shading="auto", cmap=cmap, vmax=vmax)
    fig.colorbar(im, ax=ax, label=LABELS.get(quantity, quantity))
    if eoc is not None and len(eoc[0]):
        ax.plot(eoc[0], eoc[1], color="white", lw=1.6, label="EOC (chi1 = 1)")
    if di is not None:
        ax.plot([di[0]], [di[1]], marker="*", ms=14, color="red", mec="k", clip_on=False,
                label="DI point", ls="none")
    ax.set_xlim(plane.sw2[0], plane.sw2[-1])
    ax.set_ylim(plane.sb2[0], plane.sb2[-1])
    ax.set_xlabel(r"$\sigma_w^2$")
    ax.set_ylabel(r"$\sigma_b^2$")
    ax.set_title(title or f"{plane.activation}: {LABELS.get(quantity, quantity)}")
    if eoc is not None or di is not None:
        ax.legend(loc="upper left", fontsize=7, framealpha=0.6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def eoc_from_plane(plane: Any) -> tuple[np.ndarray, np.ndarray]:
    """The chi1 = 1 contour, read off the plane: for each sb2, sw2 where chi1 crosses 1."""
    return eoc_contour(plane.sw2, plane.sb2, plane.chi1)


def eoc_contour(sw2: Any, sb2: Any, chi1: Any) -> tuple[np.ndarray, np.ndarray]:
    """The chi1 = 1 contour of a chi1 plane (axis 0 is sw2): for each sb2, the first sw2 where
    chi1 crosses 1, linearly interpolated between the two grid points around the crossing."""
    xs, ys = [], []
    chi = np.asarray(chi1)
    for j, b in enumerate(sb2):
        col = chi[:, j] - 1
        ok = np.isfinite(col)
        idx = np.flatnonzero(ok[:-1] & ok[1:] & (np.sign(col[:-1]) * np.sign(col[1:]) < 0))
        if idx.size:
            i = idx[0]
            t = col[i] / (col[i] - col[i + 1])
            xs.append(sw2[i] + t * (sw2[i + 1] - sw2[i]))
            ys.append(b)
    return np.asarray(xs), np.asarray(ys)
