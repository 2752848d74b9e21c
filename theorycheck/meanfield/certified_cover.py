r"""Certified statements over regions: enclosures that hold on whole boxes of parameters, and
inequalities proved on a cover of boxes by bisection (the Arb engine).

A point enclosure (:mod:`theorycheck.meanfield.certified`) proves a number at one (sw2, sb2).
Here every enclosure holds for *all* parameters in a box, so an inequality proved on each box
of a cover is proved on their union, not at sample points. Public API:

* :func:`q_star_on_box(act, sw2, sb2)` -> :class:`BoxFixedPoint`: an interval [ql, qh] that
  holds, for every (sw2, sb2) in the box, exactly one fixed point of the variance map
  V(q) = sw2 E psi(sqrt(q) z)^2 + sb2 (seed 000, Eq. (9)), and that fixed point is stable;
* :func:`beta_on_box`, :func:`chi1_on_box`: beta = sw E psi'(sqrt(q*) z) (seed 000, Eq. (38)
  after Stein's lemma) and chi1 = sw2 E psi'(sqrt(q*) z)^2 (seed 000, Eq. (18)) on the box;
* :func:`jacobian_gap_on_q` -> lower bound of mu2 - mu1^2 = Var psi'(sqrt(q) z)^2 over a q
  interval (seed 000, Eqs. (64)-(67));
* :func:`prove_on_cover(decide, boxes, max_depth)` -> :class:`Cover`: bisection of the boxes a
  decision procedure cannot settle, up to ``max_depth`` halvings.

Why the fixed point is enclosed this way. Interval Newton on a wide box fails: the slope
enclosure F'(X) over X x box contains 0 because of the dependency problem. Instead we use
only expectations at narrow q, which have no cancellation: (i) existence by certified signs,
V(ql) - ql > 0 and V(qh) - qh < 0 for every parameter in the box (V is affine in sw2 and sb2,
so the box enters exactly); (ii) uniqueness and stability on [ql, qh] by a slope bound
-1 < dV/dq < 1 on all of it, with dV/dq = sw2 E[(psi^2)''(sqrt(q) z)] / 2 (the heat
equation d/dq E g(sqrt(q) z) = E g''(sqrt(q) z)/2), where (psi^2)''/2 = psi'^2 + psi psi'' and
a kink x_k of psi' adds its point mass psi(x_k) [psi'](x_k) phi_q(x_k). A fixed point outside
[ql, qh] is not excluded: that [ql, qh] holds the one a deep network reaches is the float64
evidence that chose it.

Cost: each box is ~6-10 Arb expectations at 64 bits (a few ms to 50 ms each).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import sympy as sp
from flint import arb

from theorycheck.activations import get_activation
from theorycheck.activations._compile_arb import NOT_CERTIFIED, exact_constants
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.arb_scaled import dq_expect_arb_scaled, expect_arb_scaled
from theorycheck.gaussian.enclosure import Enclosure
from theorycheck.gaussian.enclosure import working_bits as _bits
from theorycheck.meanfield.search import FastMeanField

#: the working precision of box enclosures (their width comes from the box, not from rounding)
BOX_BITS = 64
Box = tuple[tuple[float, float], ...]
Decision = Literal["proved", "refuted", "undecided", "outside"]


def interval(lo: float, hi: float) -> arb:
    """The ball containing [lo, hi] (floats are exact dyadics; the ball is rounded outward)."""
    return arb(lo).union(arb(hi))


@functools.lru_cache(maxsize=32)
def _integrals_of(act: Any) -> _BoxIntegrals:
    """The box integrals of ``act``, built once per activation (SymPy derivatives)."""
    return _BoxIntegrals(act)


@functools.lru_cache(maxsize=32)
def _fast_engine(act: Any) -> FastMeanField:
    """One float64 fixed-point engine per activation (its q table is built once)."""
    return FastMeanField(act, q_lo=1e-8, q_hi=1e3, n_q=400)


class _BoxIntegrals:
    """The expectations of one activation the box enclosures need (expressions built once)."""

    def __init__(self, act: Any) -> None:
        self.act = get_activation(act)
        if self.act.jumps:
            raise TheoryCheckError(f"{self.act.name} jumps: chi1 = inf, no box enclosure",
                                   status=NOT_CERTIFIED)
        x, psi = self.act.x, exact_constants(self.act.expr)
        dpsi = sp.diff(psi, x)
        self.x = x
        self.exprs = {"psi2": psi ** 2, "dpsi": dpsi, "dpsi2": dpsi ** 2, "dpsi4": dpsi ** 4,
                      "half_psi2_dd": dpsi ** 2 + psi * sp.diff(psi, x, 2)}
        kinks, steps, _how = self.act.kink_info
        # point masses of psi psi'' at the kinks: psi(x_k) [psi'](x_k) delta(x - x_k)
        self.masses = [(sp.nsimplify(k), psi.subs(x, k), steps[k][1]) for k in kinks
                       if steps[k][1] != 0 and psi.subs(x, k) != 0]

    def E(self, what: str | sp.Expr, q: arb) -> arb:
        """E h(sqrt(q) z) for every q in the ball: the better of the direct ball and the
        centred form E h(q_m) + [d/dq E h](q) (q - q_m), d/dq E h = E[h'(sqrt(q) z) z]/(2 sqrt q)
        (first-order tight: the ball's width is about the true range of E h over q)."""
        expr = self.exprs[what] if isinstance(what, str) else what
        direct = expect_arb_scaled(expr, self.x, q)
        if q.rad() == 0:
            return direct
        dh = sp.diff(expr, self.x)
        if dh.has(sp.DiracDelta):
            return direct
        qm = arb(q.mid())
        slope = dq_expect_arb_scaled(expr, self.x, q)
        centred = expect_arb_scaled(expr, self.x, qm) + slope * (q - qm)
        return centred if centred.rad() < direct.rad() else direct

    def slope_factor(self, q: arb) -> arb:
        """d/dq E psi(sqrt(q) z)^2 = E[psi'^2 + psi psi''] + point masses at the kinks."""
        total = self.E("half_psi2_dd", q)
        for x_k, value, jump in self.masses:
            xk = arb(str(sp.Float(x_k, 30)))
            density = (-(xk * xk) / (2 * q)).exp() / (2 * arb.pi() * q).sqrt()
            total += arb(str(sp.Float(value * jump, 30))) * density
        return total


class OutsideHypothesesError(TheoryCheckError):
    """The box lies outside the hypotheses (e.g. no finite q* at any corner): not bisected."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=NOT_CERTIFIED)


@dataclass(frozen=True)
class BoxFixedPoint:
    """q* on a box: every (sw2, sb2) in it has exactly one fixed point in ``q``, stable."""

    sw2: arb
    sb2: arb
    q: arb
    integrals: _BoxIntegrals = field(repr=False)

    def expect(self, what: str) -> arb:
        return self.integrals.E(what, self.q)


def _candidate(act: Any, sw2: tuple[float, float], sb2: tuple[float, float]
               ) -> tuple[float, float]:
    """float64 q* at the box's lowest and highest corners (V increases with sw2 and sb2)."""
    plane = _fast_engine(act).plane(np.array(sw2), np.array(sb2))
    qs = np.asarray(plane["q_star"], dtype=float)
    corners = [qs[0, 0], qs[1, 1], qs[0, 1], qs[1, 0]]
    finite = [bool(np.isfinite(c) and c > 0) for c in corners]
    if not any(finite):
        raise OutsideHypothesesError("no finite positive q* at any corner of the box")
    if not all(finite):
        raise TheoryCheckError("no finite positive q* at a corner of the box",
                               status=NOT_CERTIFIED)
    return min(corners), max(corners)


def q_star_on_box(act: Any, sw2: tuple[float, float], sb2: tuple[float, float],
                  pieces: int = 4) -> BoxFixedPoint:
    """The certified q* enclosure on the box ``sw2`` x ``sb2`` (see the module docstring).

    ``pieces``: the slope bound is proved on this many sub-intervals of [ql, qh].
    Raises ``not-certified`` when a sign or the slope bound cannot be proved.
    """
    integrals = _integrals_of(get_activation(act))
    lo, hi = _candidate(integrals.act, sw2, sb2)
    ql, qh = lo * (1 - 1e-3) - 1e-12, hi * (1 + 1e-3) + 1e-12
    with _bits(BOX_BITS):
        w, b = interval(*sw2), interval(*sb2)
        if not w * integrals.E("psi2", arb(ql)) + b - ql > 0:
            raise TheoryCheckError(f"V(q) - q > 0 not proved at q = {ql:.6g}",
                                   status=NOT_CERTIFIED)
        if not w * integrals.E("psi2", arb(qh)) + b - qh < 0:
            raise TheoryCheckError(f"V(q) - q < 0 not proved at q = {qh:.6g}",
                                   status=NOT_CERTIFIED)
        edges = np.geomspace(ql, qh, pieces + 1)
        for a, c in itertools.pairwise(edges):
            slope = w * integrals.slope_factor(interval(a, c))
            if not (slope > -1 and slope < 1):
                raise TheoryCheckError(f"slope -1 < dV/dq < 1 not proved on [{a:.6g}, "
                                       f"{c:.6g}] ({slope.str(3, radius=False)})",
                                       status=NOT_CERTIFIED)
        return BoxFixedPoint(w, b, interval(ql, qh), integrals)


def beta_on_box(fp: BoxFixedPoint) -> arb:
    """beta = sw E psi'(sqrt(q*) z) on the box (seed 000, Eq. (38) with Stein's lemma)."""
    with _bits(BOX_BITS):
        return fp.sw2.sqrt() * fp.expect("dpsi")


def chi1_on_box(fp: BoxFixedPoint) -> arb:
    """chi1 = sw2 E psi'(sqrt(q*) z)^2 on the box (seed 000, Eq. (18))."""
    with _bits(BOX_BITS):
        return fp.sw2 * fp.expect("dpsi2")


def jacobian_gap_on_q(act: Any, q: tuple[float, float]) -> arb:
    """A ball containing mu2 - mu1^2 = E psi'^4 - (E psi'^2)^2 for every q in ``q`` (per unit
    sw2^2; seed 000, Eqs. (64)-(67)), computed as E[(psi'^2 - m)^2] - (mu1 - m)^2 with m the
    midpoint of mu1 over the interval, which keeps the cancellation out of the ball."""
    integrals = _integrals_of(get_activation(act))
    with _bits(BOX_BITS):
        Q = interval(*q)
        mu1 = integrals.E("dpsi2", Q)
        m = sp.Rational(str(sp.Float(float(mu1.mid()), 17)))
        spread = integrals.E((integrals.exprs["dpsi2"] - m) ** 2, Q)
        return spread - (mu1 - arb(str(sp.Float(m, 40)))) ** 2


# -- covers ------------------------------------------------------------------------------------

@dataclass
class BoxOutcome:
    """One box of a cover: ``decision`` and the enclosure that decided it (or why not)."""

    box: Box
    decision: Decision
    enclosure: Enclosure | None = None
    reason: str = ""


@dataclass
class Cover:
    """The boxes of a cover after bisection, each proved, refuted or undecided."""

    boxes: list[BoxOutcome]

    def count(self, decision: Decision) -> int:
        return sum(b.decision == decision for b in self.boxes)

    @property
    def proved(self) -> bool:
        """Every box inside the hypotheses is proved (and at least one is)."""
        inside = [b for b in self.boxes if b.decision != "outside"]
        return bool(inside) and all(b.decision == "proved" for b in inside)

    def refuted(self) -> list[BoxOutcome]:
        return [b for b in self.boxes if b.decision == "refuted"]


def _halves(box: Box) -> tuple[Box, Box]:
    widths = [hi - lo for lo, hi in box]
    k = int(np.argmax(widths))
    lo, hi = box[k]
    mid = 0.5 * (lo + hi)
    return ((*box[:k], (lo, mid), *box[k + 1:]), (*box[:k], (mid, hi), *box[k + 1:]))


def prove_on_cover(decide: Callable[[Box], BoxOutcome], boxes: Sequence[Box],
                   max_depth: int = 2) -> Cover:
    """Decide every box; bisect an undecided one along its widest side, up to ``max_depth``
    times. A ``not-certified`` error in ``decide`` makes the box undecided with the reason;
    :class:`OutsideHypothesesError` marks it outside the hypotheses (kept apart, not bisected)."""
    out: list[BoxOutcome] = []
    todo = [(box, 0) for box in boxes]
    while todo:
        box, depth = todo.pop(0)
        try:
            outcome = decide(box)
        except OutsideHypothesesError as err:
            outcome = BoxOutcome(box, "outside", reason=err.message)
        except TheoryCheckError as err:
            outcome = BoxOutcome(box, "undecided", reason=err.message)
        if outcome.decision == "undecided" and depth < max_depth:
            todo.extend((half, depth + 1) for half in _halves(box))
        else:
            out.append(outcome)
    return Cover(out)


def grid_boxes(*axes: Sequence[float]) -> list[Box]:
    """The boxes of the grid whose edges along each axis are ``axes[i]``."""
    cells: list[Box] = [()]
    for edges in axes:
        cells = [(*c, (a, b)) for c in cells for a, b in itertools.pairwise(edges)]
    return cells


def bound_decision(value: arb, bound: float, box: Box, label: str) -> BoxOutcome:
    """``value < bound`` proved, its negation (value >= bound everywhere) proved, or neither."""
    enc = Enclosure.of(value, label)
    if value < bound:
        return BoxOutcome(box, "proved", enc)
    if value >= bound:
        return BoxOutcome(box, "refuted", enc)
    return BoxOutcome(box, "undecided", enc, f"{label} straddles {bound}")


__all__ = ["BOX_BITS", "BoxFixedPoint", "BoxOutcome", "Cover", "OutsideHypothesesError",
           "beta_on_box", "bound_decision", "chi1_on_box", "grid_boxes", "interval",
           "jacobian_gap_on_q", "prove_on_cover", "q_star_on_box"]
