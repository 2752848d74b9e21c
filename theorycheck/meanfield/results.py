"""Result records of the mean-field layer (plain dataclasses of Estimates, None where absent)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import mpmath as mp
import numpy as np

from theorycheck.cache import register_json_type
from theorycheck.numbers import Estimate, to_decimal


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
