"""The result record of :func:`theorycheck.spectra.spectrum`: JSON form and notebook display."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theorycheck.display import html_block, html_list, html_table, markdown_table

#: a finite network's eigenvalue this close (relative) to an atom counts as at it (rounding)
ATOM_RTOL = 1e-9


@dataclass
class SpectrumResult:
    """The spectral law of ``H = J J^T`` at the fixed point.

    ``x``, ``density`` (of x), ``density_log_x`` (of ln x) on a log-spaced grid, with
    ``density_error`` the largest absolute error of ``density_log_x`` (the law's node sets at
    two resolutions; at depth 1 with orthogonal weights, the roots' last Newton step);
    ``support`` = (lower, upper edge);
    ``atoms`` = [(location, mass)]; ``moments``: m1, m2 (seed 000, Eqs. (64)-(65)) and m3 (the
    S-transform series), each ``{"value", "error"}``; ``density_moments``: the same from
    integrating the density plus the atoms; ``normalisation``: the continuous mass, the atoms'
    mass, the bound on the mass below the grid and their total; ``simulation`` (optional):
    finite networks' eigenvalues against the CDF, ``ks_distance`` and ``ks_tolerance``.
    """

    activation: str
    sw2: float
    sb2: float
    depth: int
    weights: str
    q_star: float
    x: np.ndarray
    density: np.ndarray
    density_log_x: np.ndarray
    density_error: float
    support: tuple[float, float]
    atoms: list[tuple[float, float]]
    moments: dict[str, dict[str, float]]
    density_moments: dict[str, dict[str, float]]
    normalisation: dict[str, float]
    method: str
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    simulation: dict[str, Any] | None = None

    def cdf(self, x: np.ndarray, *, left: bool = False) -> np.ndarray:
        """The CDF of H at ``x`` (``left``: its limit from the left, ``P(H < x)``) from the
        atoms and the grid density (trapezoid in ln x, normalised to the continuous mass;
        used for the KS distance)."""
        x = np.asarray(x, dtype=float)
        out = np.zeros(x.shape)
        for loc, mass in self.atoms:   # an eigenvalue within 1e-9 relative is at the atom
            tol = ATOM_RTOL * abs(loc)
            out += mass * ((x > loc + tol) if left else (x >= loc - tol))
        cont = self.normalisation.get("continuous", 0.0)
        if cont > 0 and self.x.size > 1:
            s = np.log(self.x)
            cum = np.concatenate([[0.0], np.cumsum(0.5 * (self.density_log_x[1:]
                                                          + self.density_log_x[:-1])
                                                   * np.diff(s))])
            if cum[-1] > 0:
                cum *= cont / cum[-1]
            with np.errstate(divide="ignore"):
                out += np.interp(np.log(np.maximum(x, 1e-300)), s, cum, left=0.0, right=cont)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``theorycheck spectrum --json``)."""
        out: dict[str, Any] = {
            "activation": self.activation, "sw2": self.sw2, "sb2": self.sb2,
            "depth": self.depth, "weights": self.weights, "q_star": self.q_star,
            "x": [float(v) for v in self.x], "density": [float(v) for v in self.density],
            "density_log_x": [float(v) for v in self.density_log_x],
            "density_error": self.density_error,
            "support": [float(v) for v in self.support],
            "atoms": [[float(a), float(m)] for a, m in self.atoms],
            "moments": {k: {"value": v["value"], "error": v["error"]}
                        for k, v in self.moments.items()},
            "density_moments": self.density_moments,
            "normalisation": self.normalisation,
            "method": self.method, "notes": list(self.notes), "seconds": self.seconds,
        }
        if self.simulation is not None:
            out["ks_distance"] = self.simulation["ks_distance"]
            out["ks_tolerance"] = self.simulation["ks_tolerance"]
            out["simulation"] = {k: v for k, v in self.simulation.items()
                                 if k not in ("eigenvalues",)}
        return out

    # -- display ------------------------------------------------------------------------------
    def _title(self) -> str:
        return (f"Spectrum of J J^T: {self.activation}, sw2 = {self.sw2:.10g}, sb2 = "
                f"{self.sb2:.10g}, L = {self.depth}, {self.weights} weights")

    def _rows(self) -> list[list[str]]:
        rows = [["q*", f"{self.q_star:.12g}"],
                ["support", f"[{self.support[0]:.6g}, {self.support[1]:.6g}]"],
                ["atoms", "; ".join(f"{m:.6g} at {a:.6g}" for a, m in self.atoms) or "none"]]
        for k, v in self.moments.items():
            got = self.density_moments.get(k, {})
            rows.append([k, f"{v['value']:.12g} ± {v['error']:.2e} (density: "
                            f"{got.get('value', float('nan')):.12g} ± "
                            f"{got.get('error', float('nan')):.2e})"])
        n = self.normalisation
        rows.append(["total mass", f"{n.get('total', float('nan')):.12g} ± "
                                   f"{n.get('error', float('nan')):.2e}"])
        rows.append(["density error", f"{self.density_error:.2e}"])
        if self.simulation is not None:
            sim = self.simulation
            rows.append(["KS distance", f"{sim['ks_distance']:.4g} (tolerance "
                                        f"{sim['ks_tolerance']:.4g}; {sim['eigenvalue_count']} "
                                        f"eigenvalues, width {sim['width']})"])
        rows.append(["seconds", f"{self.seconds:.3g}"])
        return rows

    def _repr_html_(self) -> str:
        return html_block(self._title(), html_table(["quantity", "value"], self._rows()),
                          html_list(self.notes), subtitle=self.method)

    def _repr_markdown_(self) -> str:
        notes = "".join(f"\n- {n}" for n in self.notes)
        return (f"**{self._title()}**\n\n{self.method}\n\n"
                + markdown_table(["quantity", "value"], self._rows()) + ("\n" + notes
                                                                          if notes else ""))
