"""Result records of the mean-field layer (plain dataclasses of Estimates, None where absent).

Each record displays itself in a notebook (``_repr_html_``, ``_repr_markdown_``): a table of
``value ± err`` (:mod:`theorycheck.display`), and for a phase plane a chi1 figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import mpmath as mp
import numpy as np

from theorycheck import display
from theorycheck.cache import register_json_type
from theorycheck.numbers import Estimate, to_decimal

_HEADER = ("quantity", "value ± error", "note")


@dataclass
class MeanFieldPoint:
    """Everything the mean-field theory says at one (sw2, sb2); None with a note where absent."""

    activation: str
    sw2: Any
    sb2: Any
    dps: int
    q_star: Estimate | None = None
    chi1: Estimate | None = None
    beta: Estimate | None = None
    mu1: Estimate | None = None
    mu2: Estimate | None = None
    c_star: Estimate | None = None
    xi_q: Estimate | None = None
    xi_c: Estimate | None = None
    extra: dict[str, Estimate | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    #: the Arb enclosures the numbers came from (``certify_point``'s dict), None on the mpmath
    #: path; ``theorycheck meanfield --certify`` prints them instead of proving them again
    certified: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    NUMBERS = ("q_star", "chi1", "beta", "mu1", "mu2", "c_star", "xi_q", "xi_c")

    def to_json(self) -> dict[str, Any]:
        """Decimal strings with ``dps`` digits, ``*_err`` beside, null + a note where absent."""
        out: dict[str, Any] = {"activation": self.activation,
                               "sw2": to_decimal(self.sw2, self.dps),
                               "sb2": to_decimal(self.sb2, self.dps), "dps": self.dps}
        for name in self.NUMBERS:
            _put(out, name, getattr(self, name), self.dps)
        for name, est in self.extra.items():
            _put(out, name, est, self.dps)
        out["notes"] = dict(self.notes)
        return out

    def _title(self) -> str:
        return (f"mean field of {self.activation} at sw2 = {mp.nstr(mp.mpf(self.sw2), 10)},"
                f" sb2 = {mp.nstr(mp.mpf(self.sb2), 10)} ({self.dps} digits)")

    def _rows(self) -> list[list[str]]:
        named = [(n, getattr(self, n)) for n in self.NUMBERS] + list(self.extra.items())
        rows = [[n, display.estimate_text(e, self.dps), self.notes.get(n, "")] for n, e in named]
        return rows + [[n, "", v] for n, v in self.notes.items() if n not in dict(named)]

    def _repr_html_(self) -> str:
        return display.html_block(self._title(), display.html_table(_HEADER, self._rows()))

    def _repr_markdown_(self) -> str:
        return f"**{self._title()}**\n\n" + display.markdown_table(_HEADER, self._rows())


def _put(out: dict[str, Any], name: str, est: Estimate | None, dps: int) -> None:
    if est is None:
        out[name], out[f"{name}_err"] = None, None
    elif not mp.isfinite(est.value):
        # chi1, mu1, mu2 of an activation with a jump: "inf" in JSON (a note says why)
        out[name], out[f"{name}_err"] = "inf" if est.value > 0 else "-inf", "0"
    else:
        out[name] = to_decimal(est.value, dps)
        out[f"{name}_err"] = to_decimal(est.error, 3)


@register_json_type
@dataclass
class EOCPoint:
    """A point of the edge of chaos chi1 = 1 (seed 000 Eqs. (16)-(17); seed 002 Eq. (8))."""

    activation: str
    dps: int
    sw2: Estimate
    sb2: Estimate
    q_star: Estimate
    beta: Estimate | None
    mu1: Estimate | None
    mu2: Estimate | None
    notes: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"activation": self.activation, "dps": self.dps}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Estimate) or (v is None and f.name not in ("notes",)):
                _put(out, f.name, v, self.dps)
        out["notes"] = dict(self.notes)
        return out

    def _title(self) -> str:
        return f"edge of chaos of {self.activation}: chi1 = 1 ({self.dps} digits)"

    def _rows(self) -> list[list[str]]:
        names = ("sw2", "sb2", "q_star", "beta", "mu1", "mu2")
        rows = [[n, display.estimate_text(getattr(self, n), self.dps), self.notes.get(n, "")]
                for n in names]
        return rows + [[n, "", v] for n, v in self.notes.items() if n not in names]

    def _repr_html_(self) -> str:
        return display.html_block(self._title(), display.html_table(_HEADER, self._rows()))

    def _repr_markdown_(self) -> str:
        return f"**{self._title()}**\n\n" + display.markdown_table(_HEADER, self._rows())


@dataclass
class DIPoint:
    """The dynamical-isometry point (sw2, sb2) = (1/psi'(0)^2, 0) (seed 000, Eqs. (56)-(59))."""

    sw2: float
    sb2: float
    reason: str = ""
    sw2_mp: Any = None  # the same sw2 at the MeanField's precision (an mpf)


@dataclass
class PhasePlane:
    """Mean-field planes over sw2 (axis 0) x sb2 (axis 1); NaN where the mask says undefined."""

    activation: str
    sw2: np.ndarray
    sb2: np.ndarray
    q_star: np.ndarray
    q_star_err: np.ndarray
    chi1: np.ndarray
    chi1_err: np.ndarray
    beta: np.ndarray
    beta_err: np.ndarray
    xi_c: np.ndarray
    xi_c_err: np.ndarray
    no_fixed_point: np.ndarray
    non_unique: np.ndarray
    notes: dict[str, str] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), np.ndarray)}

    QUANTITIES = ("q_star", "chi1", "beta", "xi_c")
    #: planes with at most this many points are also listed point by point
    MAX_LISTED = 25

    def _title(self) -> str:
        return (f"phase plane of {self.activation}: {self.sw2.size} sw2 in"
                f" [{self.sw2.min():.4g}, {self.sw2.max():.4g}] x {self.sb2.size} sb2 in"
                f" [{self.sb2.min():.4g}, {self.sb2.max():.4g}] (float64)")

    def _summary(self) -> tuple[tuple[str, ...], list[list[str]]]:
        """Per quantity: its range over the defined points, the largest error, how many points
        are undefined (no finite stable q*, or several)."""
        rows = []
        for name in self.QUANTITIES:
            v, e = getattr(self, name), getattr(self, f"{name}_err")
            ok = np.isfinite(v)
            rng = [display.number_text(float(f(v[ok])), 10) if ok.any() else display.ABSENT
                   for f in (np.min, np.max)]
            err = display.number_text(float(np.max(e[ok])), 3) if ok.any() else display.ABSENT
            rows.append([name, *rng, err, str(int(v.size - np.count_nonzero(ok)))])
        rows.append(["no fixed point / non-unique", "", "", "",
                     f"{int(self.no_fixed_point.sum())} / {int(self.non_unique.sum())}"])
        return ("quantity", "min", "max", "max error", "undefined points"), rows

    def _points(self) -> tuple[tuple[str, ...], list[list[str]]]:
        """Every point with each quantity as ``value ± err`` (small planes only)."""
        rows = []
        for i, sw2 in enumerate(self.sw2):
            for j, sb2 in enumerate(self.sb2):
                cells = [display.estimate_text(Estimate(getattr(self, n)[i, j],
                                                        getattr(self, f"{n}_err")[i, j]), 10)
                         if np.isfinite(getattr(self, n)[i, j]) else display.ABSENT
                         for n in self.QUANTITIES]
                rows.append([f"{sw2:.6g}", f"{sb2:.6g}", *cells])
        return ("sw2", "sb2", *self.QUANTITIES), rows

    def _draw_chi1(self, ax: Any) -> None:
        """chi1 over the plane with its contour chi1 = 1 (the edge of chaos)."""
        mesh = ax.pcolormesh(self.sw2, self.sb2, self.chi1.T, shading="nearest", cmap="viridis")
        ax.figure.colorbar(mesh, ax=ax, label="chi1")
        finite = self.chi1[np.isfinite(self.chi1)]
        if finite.size and finite.min() < 1 < finite.max():
            ax.contour(self.sw2, self.sb2, self.chi1.T, levels=[1.0], colors="white")
        ax.set_xlabel("sw2")
        ax.set_ylabel("sb2")
        ax.set_title(f"{self.activation}: chi1 (white: chi1 = 1)", fontsize=9)

    def _tables(self, render: Any) -> list[str]:
        tables = [render(*self._summary())]
        if self.sw2.size * self.sb2.size <= self.MAX_LISTED:
            tables.append(render(*self._points()))
        return tables

    def _repr_html_(self) -> str:
        parts = self._tables(display.html_table)
        if self.sw2.size >= 2 and self.sb2.size >= 2:
            parts.append(display.inline_png(self._draw_chi1))
        parts.append(display.html_list(f"{k}: {v}" for k, v in self.notes.items()))
        return display.html_block(self._title(), *parts)

    def _repr_markdown_(self) -> str:
        notes = [f"- {k}: {v}" for k, v in self.notes.items()]
        return "\n\n".join([f"**{self._title()}**", *self._tables(display.markdown_table),
                             *(["\n".join(notes)] if notes else [])])
