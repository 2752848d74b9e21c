"""Certified checks: numeric checks that prove their statement on the region they cover, in
ball arithmetic (:mod:`theorycheck.meanfield.certified_cover`, ``certified_line``,
``certified``), and say so in a :class:`~theorycheck.claims.model.Certificate`.

Each returns a :class:`CheckResult` whose status follows from what was proved: ``failed`` when
a box proves the negation (the box and its enclosure are the counterexample), ``passed`` when
every box inside the hypotheses is proved, and otherwise ``passed`` with an unproved
certificate, which the engine makes inconclusive (``engine.rests_on_proof``): a verdict never
rests on a statement the run did not prove.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from theorycheck.claims.declare import ClaimRun
from theorycheck.claims.evidence import dec
from theorycheck.claims.model import Certificate, CheckResult, CheckStatus
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian.enclosure import Enclosure
from theorycheck.meanfield.certified import certify_point
from theorycheck.meanfield.certified_cover import (
    Box,
    BoxOutcome,
    Cover,
    beta_on_box,
    bound_decision,
    grid_boxes,
    jacobian_gap_on_q,
    prove_on_cover,
    q_star_on_box,
)
from theorycheck.meanfield.certified_line import certify_critical_line_minimum

ARB_BOXES = "Arb ball arithmetic (python-flint) on boxes, bisected where undecided"
#: the activations a quick run certifies when the user names none (each costs seconds)
QUICK_ACTIVATIONS = ("tanh", "erf", "sigmoid")


def certified_activations(run: ClaimRun, quick: Sequence[str] = QUICK_ACTIVATIONS) -> list[Any]:
    """The run's activations; under the quick profile with none named, those in ``quick``."""
    acts = run.activations()
    if run.ctx.activations or run.ctx.profile != "quick":
        return acts
    return [a for a in acts if a.name in quick] or acts[:1]


def _box_text(box: Box, names: Sequence[str]) -> str:
    return " x ".join(f"{n} in [{dec(lo, 6)}, {dec(hi, 6)}]" for n, (lo, hi) in zip(
        names, box, strict=True))


def _hull(outcomes: Iterable[BoxOutcome]) -> list[str] | None:
    """[lo, hi] of the union of the outcomes' enclosures (None when there are none)."""
    balls = [o.enclosure.ball for o in outcomes if o.enclosure is not None]
    if not balls:
        return None
    return Enclosure.of(functools.reduce(lambda u, v: u.union(v), balls)).to_json(8)


def cover_evidence(cover: Cover, names: Sequence[str]) -> dict[str, Any]:
    """Counts of proved / refuted / undecided / outside boxes, and the first unsettled ones."""
    ev: dict[str, Any] = {k: cover.count(k) for k in ("proved", "refuted", "undecided",
                                                      "outside")}
    ev = {f"boxes_{k}": v for k, v in ev.items()}
    undecided = [o for o in cover.boxes if o.decision == "undecided"]
    if undecided:
        ev["undecided_examples"] = [f"{_box_text(o.box, names)}: {o.reason}"
                                    for o in undecided[:3]]
    return ev


def _verdict(covers: dict[str, Cover], names: Sequence[str], statement: str, region: str,
             enclosures: dict[str, list[str]], evidence: dict[str, Any],
             decide_more: str) -> CheckResult:
    refuted = {a: c.refuted() for a, c in covers.items() if c.refuted()}
    unsettled = [a for a, c in covers.items() if not c.proved and a not in refuted]
    proved = not refuted and not unsettled
    cert = Certificate(statement=statement, region=region, method=ARB_BOXES, proved=proved,
                       enclosures=enclosures,
                       unproved="" if proved else
                       f"{', '.join(unsettled)}: boxes left undecided; {decide_more}")
    if refuted:
        act, boxes = next(iter(refuted.items()))
        first = boxes[0]
        enc = first.enclosure.to_json(10) if first.enclosure else None
        return CheckResult(
            method="numeric", status=CheckStatus.FAILED, evidence=evidence, certificate=cert,
            summary=f"certified counterexample: {act} on {_box_text(first.box, names)}, "
                    f"{first.enclosure.method if first.enclosure else ''} in {enc}",
            counterexample={"activation": act, "box": _box_text(first.box, names),
                            "enclosure": enc})
    n_boxes = sum(c.count("proved") for c in covers.values())
    return CheckResult(method="numeric", status=CheckStatus.PASSED, evidence=evidence,
                       certificate=cert,
                       summary=f"certified on {n_boxes} boxes: {statement}")


def certified_beta_bound(run: ClaimRun, acts: Sequence[Any], bound: float = 1.0,
                         sw2: tuple[float, float] = (0.04, 4.0),
                         sb2: tuple[float, float] = (0.05, 1.0)) -> CheckResult:
    """beta < ``bound`` proved on every box of a cover of ``sw2`` x ``sb2`` (seed 000,
    Eqs. (38), (53)-(55)): q* by certified signs and slope on each box, beta by Stein's form."""
    n, depth = run.pick((4, 3), (8, 5))
    boxes = grid_boxes(np.linspace(*sw2, n + 1).tolist(), np.linspace(*sb2, n + 1).tolist())

    def decide(box: Box) -> BoxOutcome:
        return bound_decision(beta_on_box(q_star_on_box(act, box[0], box[1])), bound, box,
                              "beta on the box")

    covers, evidence, encl = {}, {}, {}
    for act in acts:
        covers[act.name] = cover = prove_on_cover(decide, boxes, depth)
        evidence[act.name] = cover_evidence(cover, ("sw2", "sb2"))
        hull = _hull(o for o in cover.boxes if o.decision == "proved")
        if hull:
            encl[f"beta_{act.name}_over_proved_boxes"] = hull
    region = (f"sw2 in [{sw2[0]}, {sw2[1]}] x sb2 in [{sb2[0]}, {sb2[1]}], {n}x{n} boxes, "
              f"bisected up to {depth} times; boxes with no finite q* are outside the claim")
    return _verdict(covers, ("sw2", "sb2"), f"beta < {bound} on every proved box", region,
                    encl, evidence, "finer boxes (the full profile) would decide them")


def certified_jacobian_gap(run: ClaimRun, acts: Sequence[Any],
                           q: tuple[float, float] = (0.05, 20.0)) -> CheckResult:
    """mu1^2 < mu2 (per unit sw2^2) proved for every q in a cover of ``q`` by intervals
    (seed 000, Eqs. (64)-(67)): the centred variance E[(psi'^2 - m)^2] - (mu1 - m)^2 > 0."""
    n, depth = run.pick((8, 3), (24, 5))
    edges = np.geomspace(*q, n + 1).tolist()
    boxes: list[Box] = [((a, b),) for a, b in itertools.pairwise(edges)]
    covers, evidence = {}, {}
    for act in acts:
        def decide(box: Box, act: Any = act) -> BoxOutcome:
            return bound_decision(-jacobian_gap_on_q(act, box[0]), 0.0, box,
                                  "-(mu2 - mu1^2)/sw2^2")

        covers[act.name] = cover = prove_on_cover(decide, boxes, depth)
        evidence[act.name] = cover_evidence(cover, ("q",))
    return _verdict(covers, ("q",), "mu2 - mu1^2 > 0 for every q in each proved interval",
                    f"q in [{q[0]}, {q[1]}], {n} geometric intervals, bisected up to {depth} "
                    "times", {}, evidence, "narrower q intervals would decide them")


def certified_line_minimum(run: ClaimRun, act: Any, bound: float,
                           q_range: tuple[float, float] = (0.01, 100.0)) -> CheckResult:
    """min sw2 on {chi1 = 1, sb2 >= 0, q* in q_range} enclosed and compared with ``bound``
    (seed 002, Theorem 1): monotonicity on q boxes, the root of sb2 by certified signs."""
    found = certify_critical_line_minimum(act, run.dps, q_range)
    lo, hi = found.sw2.to_json(run.dps)
    evidence = {"min_sw2_enclosure": [lo, hi], "q0_enclosure": found.q0.to_json(run.dps),
                "min_sw2_width": dec(found.sw2.width, 3),
                **cover_evidence(found.cover, ("q",))}
    above = bool(found.sw2.ball > bound)
    below = bool(found.sw2.ball < bound)
    statement = (f"min sw2 over the critical line with sb2 >= 0 lies in [{lo}, {hi}], so "
                 f"sw2 {'>=' if not below else '<'} {bound} there")
    cert = Certificate(statement=statement, region=f"q* in [{q_range[0]}, {q_range[1]}]",
                       method="Arb: certified signs of sb2(q) and of d/dq on q boxes",
                       proved=found.cover.proved and (above or below),
                       enclosures={"min_sw2": [lo, hi], "q0": found.q0.to_json(run.dps)},
                       unproved="" if found.cover.proved else
                       "part of the q range: the monotonicity was not proved on every box")
    return CheckResult(method="numeric", status=CheckStatus.of(not below), evidence=evidence,
                       certificate=cert, summary=f"certified: {statement}",
                       counterexample={"min_sw2": [lo, hi]} if below else None)


def certified_stability_points(run: ClaimRun, acts: Sequence[Any],
                               points: Sequence[tuple[float, float]]) -> CheckResult:
    """At each (sw2, sb2): chi1 < 1 proved with c* = 1, or chi1 > 1 proved with a stable
    c* < 1 (interval Newton on the Mehler c-map) -- seed 000, Eqs. (14)-(17)."""
    dps = min(run.dps, 20)
    rows: dict[str, Any] = {}
    encl: dict[str, list[str]] = {}
    bad, unsettled = [], []
    for act in acts:
        for sw2, sb2 in points:
            key = f"{act.name}@({sw2}, {sb2})"
            try:
                out = certify_point(act, sw2, sb2, dps)
            except TheoryCheckError as err:
                rows[key] = f"not certified: {err.message}"
                unsettled.append(key)
                continue
            chi1: Enclosure = out["chi1"]
            encl[f"chi1 {key}"] = chi1.to_json(12)
            if "c_star" not in out:
                rows[key] = f"chi1 in {chi1.to_json(12)}; {out['notes'].get('c_star', '')}"
                unsettled.append(key)
                continue
            encl[f"c* {key}"] = out["c_star"].to_json(12)
            ordered = bool(chi1.ball < 1)
            ok = out["c_star_stable"] and (ordered == bool(out["c_star"].ball == 1))
            rows[key] = (f"chi1 in {chi1.to_json(12)}, c* in {out['c_star'].to_json(12)}, "
                         f"stable: {out['c_star_stable']}")
            if not ok:
                bad.append(key)
    cert = Certificate(
        statement="chi1 < 1 with c* = 1 stable, or chi1 > 1 with a stable c* < 1, at each "
                  "point", region=f"the points {list(points)}",
        method="Arb: interval Newton for q* and c*, slope enclosures", proved=not unsettled,
        enclosures=encl, unproved=", ".join(unsettled))
    return CheckResult(method="numeric", status=CheckStatus.of(not bad), evidence=rows,
                       certificate=cert,
                       summary="certified: c* = 1 is stable iff chi1 < 1 at every point"
                       if not bad else f"certified counterexample at {bad}",
                       counterexample={"where": bad} if bad else None)


__all__ = ["QUICK_ACTIVATIONS", "certified_activations", "certified_beta_bound",
           "certified_jacobian_gap", "certified_line_minimum", "certified_stability_points",
           "cover_evidence"]
