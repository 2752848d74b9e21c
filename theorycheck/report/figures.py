"""Figures for the reports, drawn with matplotlib (Agg, no pyplot state) in one style and saved
as PNG and SVG side by side.

Every helper takes plain numpy arrays / floats, a figure folder and a file stem, and returns the
paths it wrote relative to the report folder (``["figures/<stem>.png", "figures/<stem>.svg"]``
when ``figure_dir`` is ``<report>/figures``). With ``figure_dir=None`` (a run writing no report)
they draw nothing and return ``[]``, so claims can call them unconditionally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.report.cmap_figures import correlation_figure
from theorycheck.report.figure_style import STYLE, new_figure, save, styled
from theorycheck.report.phase_figures import eoc_contour
from theorycheck.report.spectrum_figures import spectrum_density
from theorycheck.report.training_figures import trainability_plane

if TYPE_CHECKING:
    from matplotlib.axes import Axes

P = ParamSpec("P")
ArrayLike = Sequence[float] | np.ndarray
Point = tuple[float, float]

EOC_COLOR = "#8250df"      # the sources draw the edge of chaos in purple
DI_COLOR = "#f2c200"       # and mark the dynamical-isometry point with a star
REF_COLOR = "#6e7781"      # reference lines (chi1 = 1, the [-1, 1] band)
DATA_COLOR = "#0969da"
FIT_COLOR = "#cf222e"


def _styled(fn: Callable[P, list[str]]) -> Callable[P, list[str]]:
    """Draw under the report style; a ``None`` figure folder draws nothing."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> list[str]:
        figure_dir = args[0] if args else kwargs.get("figure_dir")
        if figure_dir is None:
            return []
        with styled():
            return fn(*args, **kwargs)

    return wrapper


def _array(name: str, values: ArrayLike, ndim: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != ndim or array.size == 0:
        raise TheoryCheckError(f"figure data {name} must be a non-empty {ndim}-d array, "
                               f"got shape {array.shape}", status=Status.INVALID_ARGUMENT)
    return array


def _mark_eoc_di(ax: Axes, eoc: tuple[ArrayLike, ArrayLike] | None, di: Point | None) -> None:
    if eoc is not None:
        sw2_line, sb2_line = _array("eoc sw2", eoc[0], 1), _array("eoc sb2", eoc[1], 1)
        ax.plot(sw2_line, sb2_line, color=EOC_COLOR, lw=2.2, marker="o", ms=3.5,
                label="edge of chaos")
    if di is not None:
        ax.plot([di[0]], [di[1]], marker="*", ms=17, color=DI_COLOR, mec="black", mew=0.8,
                ls="none", label="dynamical isometry", clip_on=False, zorder=5)
    if eoc is not None or di is not None:
        ax.legend(loc="best", framealpha=0.9)


@_styled
def plane(figure_dir: str | Path | None, stem: str, sw2: ArrayLike, sb2: ArrayLike,
          values: ArrayLike, *, label: str, eoc: tuple[ArrayLike, ArrayLike] | None = None,
          di: Point | None = None, title: str = "",
          levels: Sequence[float] | None = None) -> list[str]:
    """A quantity over the ``(sw2, sb2)`` plane, with the EOC line and the DI point when given.

    ``values[i, j]`` is the value at ``(sw2[i], sb2[j])`` -- axis 0 is sw2, as in
    :class:`~theorycheck.meanfield.PhasePlane` -- and NaN where the quantity does not exist.
    """
    x, y, z = _array("sw2", sw2, 1), _array("sb2", sb2, 1), _array(label, values, 2)
    if z.shape != (x.size, y.size):
        raise TheoryCheckError(f"plane of {label} has shape {z.shape}; expected "
                               f"(len(sw2), len(sb2)) = {(x.size, y.size)} (axis 0 is sw2)",
                               status=Status.INVALID_ARGUMENT)
    z = z.T  # pcolormesh wants rows along y (sb2)
    fig, ax = new_figure()
    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(z), shading="auto")
    fig.colorbar(mesh, ax=ax, label=label)
    if levels and np.isfinite(z).sum() > 3:
        lines = ax.contour(x, y, np.ma.masked_invalid(z), levels=sorted(levels), colors="white",
                           linewidths=0.8)
        ax.clabel(lines, fontsize=8, fmt="%g")
    _mark_eoc_di(ax, eoc, di)
    ax.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", title=title)
    if x.max() > x.min():
        ax.set_xlim(x.min(), x.max())
    if y.max() > y.min():
        ax.set_ylim(y.min(), y.max())
    ax.grid(False)
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


def beta_plane(figure_dir: str | Path | None, stem: str, sw2: ArrayLike, sb2: ArrayLike,
               beta: ArrayLike, *, eoc: tuple[ArrayLike, ArrayLike] | None = None,
               di: Point | None = None, activation: str = "tanh") -> list[str]:
    """The plane of ``beta(sw2, sb2)`` (axis 0 is sw2) with the EOC and the DI point
    (seed 000, Fig. 6b)."""
    return plane(figure_dir, stem, sw2, sb2, beta, label=r"$\beta$", eoc=eoc, di=di,
                 title=rf"$\beta(\sigma_w^2, \sigma_b^2)$, {activation}",
                 levels=(0.25, 0.5, 0.75, 0.9, 0.99))


def beta_plane_eoc(figure_dir: str | Path | None, stem: str, sw2: ArrayLike, sb2: ArrayLike,
                   beta: ArrayLike, chi1: ArrayLike, *, di: Point | None = None,
                   activation: str = "tanh") -> list[str]:
    """:func:`beta_plane` with the EOC read off the ``chi1`` plane on the same grid (its
    chi1 = 1 contour, :func:`~theorycheck.report.phase_figures.eoc_contour`; no line where
    chi1 never crosses 1) (seed 000, Fig. 6b)."""
    eoc = eoc_contour(sw2, sb2, chi1)
    return beta_plane(figure_dir, stem, sw2, sb2, beta, eoc=eoc if eoc[0].size else None, di=di,
                      activation=activation)


def mi_plane(figure_dir: str | Path | None, stem: str, sw2: ArrayLike, sb2: ArrayLike,
             mi: ArrayLike, *, eoc: tuple[ArrayLike, ArrayLike] | None = None,
             di: Point | None = None, setting: str = "") -> list[str]:
    """The sampled lower bound ``I_N(Z; Z^(l))`` over the plane (axis 0 is sw2) with EOC and DI
    (seed 000, Fig. 7); ``setting`` names width, depth, input and initialisation."""
    return plane(figure_dir, stem, sw2, sb2, mi, label=r"$I_\mathcal{N}$ (nats)", eoc=eoc, di=di,
                 title="MI lower bound" + (f", {setting}" if setting else ""))


@_styled
def mi_along_eoc(figure_dir: str | Path | None, stem: str, sb2: ArrayLike,
                 curves: Mapping[str, ArrayLike], *,
                 errors: Mapping[str, ArrayLike] | None = None) -> list[str]:
    """The MI lower bound along the EOC against ``sb2``, one curve per setting, each with its
    standard error band where given (seed 000, Fig. 8; the DI point is ``sb2 = 0``)."""
    x = _array("sb2", sb2, 1)
    fig, ax = new_figure()
    for name, values in curves.items():
        y = _array(name, values, 1)
        ax.plot(x, y, marker="o", ms=3.5, label=name)
        if errors and name in errors:
            e = _array(f"{name} errors", errors[name], 1)
            ax.fill_between(x, y - e, y + e, alpha=0.2)
    ax.axvline(0.0, color=DI_COLOR, lw=1.5, ls="--", label="DI ($\\sigma_b^2=0$)")
    ax.set(xlabel=r"$\sigma_b^2$ on the edge of chaos", ylabel=r"$I_\mathcal{N}$ (nats)",
           title="MI lower bound along the edge of chaos")
    ax.legend()
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


@_styled
def chi1_curve(figure_dir: str | Path | None, stem: str, sw2: ArrayLike, chi1: ArrayLike, *,
               critical_sw2: float | None = None, sb2: float = 0.0,
               activation: str = "sigmoid") -> list[str]:
    """``chi1`` against ``sw2`` at fixed ``sb2`` (log ``sw2`` axis) with ``chi1 = 1`` and the
    critical ``sw2`` marked (seed 002, Fig. 5: sigmoid, ``sb2 = 0``)."""
    x, y = _array("sw2", sw2, 1), _array("chi1", chi1, 1)
    fig, ax = new_figure()
    ax.plot(x, y, color=DATA_COLOR, lw=1.8, label=r"$\chi_1$")
    ax.axhline(1.0, color=REF_COLOR, lw=1.2, label=r"$\chi_1 = 1$ (order | chaos)")
    if critical_sw2 is not None:
        ax.axvline(critical_sw2, color=EOC_COLOR, lw=1.2, ls="--",
                   label=rf"critical $\sigma_w^2 \approx {critical_sw2:.6g}$")
        ax.plot([critical_sw2], [1.0], marker="o", color=EOC_COLOR, ms=6)
    if np.all(x > 0) and x.max() / x.min() > 50:
        ax.set_xscale("log")
    ax.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\chi_1$",
           title=rf"$\chi_1$ of {activation} at $\sigma_b^2 = {sb2:g}$")
    ax.legend()
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


@_styled
def jacobian_spectrum(figure_dir: str | Path | None, stem: str, eigenvalues: ArrayLike, *,
                      m1: float, m2: float, setting: str = "") -> list[str]:
    """Histogram of the eigenvalues of ``J^T J`` with the predicted first moment ``m1`` and the
    empirical moments beside the predicted ``m1``, ``m2`` (seed 000, Eqs. (64)-(65))."""
    ev = _array("eigenvalues", eigenvalues, 1)
    fig, ax = new_figure()
    ax.hist(ev, bins=min(80, max(10, ev.size // 20)), density=True, color=DATA_COLOR, alpha=0.75,
            label=f"empirical ({ev.size} eigenvalues)")
    ax.axvline(m1, color=FIT_COLOR, lw=1.8, label=rf"predicted $m_1 = {m1:.4g}$")
    ax.axvline(float(ev.mean()), color="black", lw=1.2, ls="--",
               label=rf"empirical $m_1 = {ev.mean():.4g}$")
    ax.plot([], [], " ", label=rf"$m_2$: predicted {m2:.4g}, empirical {np.mean(ev**2):.4g}")
    ax.set(xlabel=r"eigenvalue of $J^\top J$", ylabel="density",
           title="Jacobian spectrum" + (f", {setting}" if setting else ""))
    ax.legend()
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


@_styled
def correlation_histogram(figure_dir: str | Path | None, stem: str, samples: ArrayLike, *,
                          setting: str = "") -> list[str]:
    """Histogram of sampled ``C_ij^(0,l)`` against the band ``[-1, 1]`` a correlation must lie in,
    with the fraction of samples outside it (seed 000, Sec. III, Fig. 4)."""
    c = _array("samples", samples, 1)
    outside = float(np.mean(np.abs(c) > 1.0))
    se = float(np.sqrt(outside * (1.0 - outside) / c.size))  # binomial standard error
    fig, ax = new_figure()
    ax.axvspan(-1.0, 1.0, color=REF_COLOR, alpha=0.12, label="[-1, 1]")
    ax.hist(c, bins=min(100, max(10, c.size // 30)), density=True, color=DATA_COLOR, alpha=0.8,
            label=f"{c.size} samples, {outside:.2%} ± {se:.2%} outside [-1, 1]")
    for edge in (-1.0, 1.0):
        ax.axvline(edge, color=REF_COLOR, lw=1.2)
    ax.set(xlabel=r"$C_{ij}^{(0,l)}$", ylabel="density",
           title="input-to-layer correlation" + (f", {setting}" if setting else ""))
    ax.legend()
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


@_styled
def kurtosis_vs_ratio(figure_dir: str | Path | None, stem: str, ratio: ArrayLike,
                      kurtosis: ArrayLike, *, errors: ArrayLike | None = None,
                      fit: tuple[float, float] | None = None, setting: str = "") -> list[str]:
    """Excess kurtosis of preactivations against ``r = L/n`` with a fitted line
    ``intercept + slope * r`` (``fit``; when omitted, least squares weighted by ``errors``, the
    slope's standard error in the legend) (seed 003, Sec. 0.2)."""
    r, k = _array("ratio", ratio, 1), _array("kurtosis", kurtosis, 1)
    e = _array("errors", errors, 1) if errors is not None else None
    slope_err: float | None = None
    if fit is None:
        weights = 1.0 / e if e is not None and np.all(e > 0) else None
        if r.size >= (3 if weights is not None else 4):
            (slope, intercept), cov = np.polyfit(r, k, 1, w=weights,
                                                 cov="unscaled" if weights is not None else True)
            slope_err = float(np.sqrt(cov[0, 0]))
        else:
            slope, intercept = np.polyfit(r, k, 1, w=weights)
    else:
        intercept, slope = fit
    fig, ax = new_figure()
    ax.errorbar(r, k, yerr=e, fmt="o", color=DATA_COLOR, ms=4, capsize=2, label="measured")
    grid = np.linspace(0.0, r.max() * 1.05, 50)
    ax.plot(grid, intercept + slope * grid, color=FIT_COLOR, lw=1.5,
            label=f"fit: {intercept:.3g} + {slope:.3g}"
                  + (f" (± {slope_err:.2g})" if slope_err is not None else "") + " L/n")
    ax.axhline(0.0, color=REF_COLOR, lw=1.0)
    ax.set(xlabel=r"depth-to-width ratio $L/n$", ylabel="excess kurtosis",
           title="finite-width non-Gaussianity" + (f", {setting}" if setting else ""))
    ax.legend()
    return save(fig, figure_dir, stem)  # type: ignore[arg-type]


__all__ = [
    "STYLE", "beta_plane", "beta_plane_eoc", "chi1_curve", "correlation_figure",
    "correlation_histogram",
    "jacobian_spectrum", "kurtosis_vs_ratio", "mi_along_eoc", "mi_plane", "new_figure", "plane",
    "save", "styled",
]


#: the figure kinds a check may ask for (:class:`theorycheck.claims.FigureSpec`.kind)
FIGURE_KINDS: dict[str, Callable[..., list[str]]] = {
    "plane": plane, "beta_plane": beta_plane, "beta_plane_eoc": beta_plane_eoc,
    "mi_plane": mi_plane,
    "mi_along_eoc": mi_along_eoc, "chi1_curve": chi1_curve,
    "jacobian_spectrum": jacobian_spectrum, "correlation_histogram": correlation_histogram,
    "kurtosis_vs_ratio": kurtosis_vs_ratio,
    "trainability_plane": trainability_plane,
    "spectrum_density": spectrum_density,
    "correlation_map": correlation_figure,
}


def draw(spec: Any, figure_dir: str | Path) -> list[str]:
    """Draw a figure specification (``kind``, ``stem``, ``args``, ``kwargs``) into
    ``figure_dir``; the paths written, relative to the report folder. An unknown kind is an
    ``invalid-argument`` :class:`TheoryCheckError` (a claim asking for a figure that does not
    exist), which the claim turns into a note: a figure never decides a check."""
    fn = FIGURE_KINDS.get(spec.kind)
    if fn is None:
        raise TheoryCheckError(f"no figure kind {spec.kind!r}; known: {', '.join(FIGURE_KINDS)}",
                               status=Status.INVALID_ARGUMENT)
    return list(fn(figure_dir, spec.stem, *spec.args, **spec.kwargs))
