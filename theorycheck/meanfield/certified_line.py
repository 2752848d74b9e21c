r"""The certified minimum of sw2 on the critical line {chi1 = 1, sb2 >= 0} (the Arb engine).

On the critical line, parametrised by q = q*, seed 002 Eqs. (23)-(24) give
sw2(q) = 1 / B(q) and sb2(q) = q - A(q) / B(q), with A = E psi(sqrt(q) z)^2 and
B = E psi'(sqrt(q) z)^2. :func:`certify_critical_line_minimum` proves on [q_min, q_max]:

1. sw2'(q) > 0 (B' < 0) and sb2'(q) > 0 on a cover of q boxes, so on that range the part of
   the line with sb2 >= 0 is q >= q0, the one root of sb2, and the minimum of sw2 there is
   sw2(q0) (seed 002, Theorem 1 and the monotonicity step of its appendix);
2. q0 in a narrow ball by certified signs sb2(q0 - d) < 0 < sb2(q0 + d);
3. sw2(q0) as the enclosure of 1/B over that ball.

Derivatives over a box use d/dq E h(sqrt(q) z) = E[h'(sqrt(q) z) z] / (2 sqrt q) in the
standard-normal form (:func:`~theorycheck.gaussian.arb_scaled.expect_arb_scaled`). The range
outside [q_min, q_max] is not covered: the report says so.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from flint import arb
from scipy.optimize import brentq

from theorycheck.activations import get_activation
from theorycheck.activations._compile_arb import NOT_CERTIFIED, exact_constants
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine
from theorycheck.gaussian.arb import expect_arb
from theorycheck.gaussian.arb_scaled import dq_expect_arb_scaled, expect_arb_scaled
from theorycheck.gaussian.enclosure import Enclosure
from theorycheck.gaussian.enclosure import working_bits as bits
from theorycheck.meanfield.certified_cover import (
    BOX_BITS,
    BoxOutcome,
    Cover,
    interval,
    prove_on_cover,
)


@dataclass
class LineMinimum:
    """The proved minimum: ``sw2`` and ``q0`` enclosures, and the monotonicity ``cover``."""

    sw2: Enclosure
    q0: Enclosure
    cover: Cover
    q_range: tuple[float, float]


class _Line:
    def __init__(self, act: Any) -> None:
        self.act = get_activation(act)
        x, psi = self.act.x, exact_constants(self.act.expr)
        self.x = x
        dpsi = sp.diff(psi, x)
        self.a, self.b = psi ** 2, dpsi ** 2

    def sb2_at(self, q: arb) -> arb:
        """sb2(q) = q - A/B at a point (or narrow ball) q, x-form integrals."""
        return q - expect_arb(self.a, self.x, q) / expect_arb(self.b, self.x, q)

    def _moments(self, q: arb) -> tuple[arb, arb, arb, arb]:
        """A, B, A', B' on the q ball (standard-normal form; d/dq as in the module)."""
        return (expect_arb_scaled(self.a, self.x, q), expect_arb_scaled(self.b, self.x, q),
                dq_expect_arb_scaled(self.a, self.x, q), dq_expect_arb_scaled(self.b, self.x, q))

    def below_root(self, box: tuple[tuple[float, float], ...]) -> BoxOutcome:
        """Decide sb2 < 0 on the q box: directly, or by sb2' > 0 on it and sb2 < 0 at its top."""
        with bits(BOX_BITS):
            q = interval(*box[0])
            a, b, da, db = self._moments(q)
            sb2 = q - a / b
            if sb2 < 0:
                return BoxOutcome(box, "proved", Enclosure.of(sb2, "sb2(q)"))
            dsb2 = 1 - (da * b - a * db) / (b * b)
            top = self.sb2_at(arb(box[0][1]))
            if dsb2 > 0 and top < 0:
                return BoxOutcome(box, "proved", Enclosure.of(top, "sb2 at the top, sb2' > 0"))
            return BoxOutcome(box, "undecided", None, "sb2 < 0 not proved on the box")

    def above_root(self, box: tuple[tuple[float, float], ...]) -> BoxOutcome:
        """Decide sw2'(q) > 0 (B' < 0) on the q box."""
        with bits(BOX_BITS):
            _a, _b, _da, db = self._moments(interval(*box[0]))
            if db < 0:
                return BoxOutcome(box, "proved", Enclosure.of(db, "B'(q)"))
            if db > 0:
                return BoxOutcome(box, "refuted", Enclosure.of(db, "B'(q)"),
                                  "sw2(q) decreases on the critical line here")
            return BoxOutcome(box, "undecided", None, "B'(q) straddles 0")


def _boxes(edges: np.ndarray) -> list[tuple[tuple[float, float], ...]]:
    return [((float(a), float(b)),) for a, b in itertools.pairwise(edges)]


def certify_critical_line_minimum(act: Any, dps: int = 30, q_range: tuple[float, float] = (
        0.01, 100.0), boxes: int = 24, max_depth: int = 4) -> LineMinimum:
    """min sw2 over {chi1 = 1, sb2 >= 0, q* in q_range} as an enclosure (module docstring).

    Raises ``not-certified`` when sb2 has no sign change in ``q_range`` or the signs at q0 are
    not proved; a cover with undecided or refuted boxes is returned as is (the caller states
    what was proved).
    """
    line = _Line(act)
    grid = GridEngine(line.act)
    psi, dpsi = line.act.numpy(0), line.act.numpy(1)

    def sb2_float(q: float) -> float:
        values, _err = grid.expect_many([lambda x: psi(x) ** 2, lambda x: dpsi(x) ** 2], q)
        return float(q - values[0] / values[1])

    lo, hi = q_range
    if not sb2_float(lo) < 0 < sb2_float(hi):
        raise TheoryCheckError(f"sb2(q) has no sign change on {q_range}", status=NOT_CERTIFIED)
    q0 = brentq(sb2_float, lo, hi, xtol=1e-15, rtol=1e-15)
    below = np.geomspace(lo, q0 * (1 - 1e-6), boxes // 2 + 1)
    above = np.geomspace(q0 * (1 - 1e-6), hi, boxes // 2 + 1)
    cover = Cover(
        prove_on_cover(line.below_root, _boxes(below), max_depth).boxes
        + prove_on_cover(line.above_root, _boxes(above), max_depth).boxes)
    prec = int(dps * 3.33) + 40
    with bits(prec):
        x0 = arb(q0)
        for _ in range(3):     # Newton on midpoints from the float64 root: 15 -> 30 -> 60 digits
            h = arb(2) ** (-prec // 2) * x0
            f0 = line.sb2_at(x0)
            slope = (line.sb2_at(x0 + h) - f0) / h
            x0 = (x0 - f0 / slope).mid()
        delta = arb(10) ** (-(dps - 4)) * x0
        left, right = line.sb2_at(x0 - delta), line.sb2_at(x0 + delta)
        if not (left < 0 and right > 0):
            raise TheoryCheckError("sb2(q0 -+ d) signs not proved", status=NOT_CERTIFIED)
        q0_ball = (x0 - delta).union(x0 + delta)
        sw2 = 1 / expect_arb(line.b, line.x, q0_ball)
        return LineMinimum(Enclosure.of(sw2, "1/E psi'^2 at the q0 ball (Eq. (24))"),
                           Enclosure.of(q0_ball, "sign change of sb2(q) (Eqs. (23)-(24))"),
                           cover, q_range)


__all__ = ["LineMinimum", "certify_critical_line_minimum"]
