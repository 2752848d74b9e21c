"""The one attracting fixed point q* in float64, with the statuses of ``MeanField.q_star``.

For callers that need q* fast and to ~1e-12 (the spectrum's float64 route, the quick profile):
the float64 grid engine's scan (:class:`~theorycheck.meanfield.search.FastMeanField`, q in
[1e-6, 1e6], 400 points, brentq polish), plus q = 0 where it is a fixed point.  Raises
NON_UNIQUE_FIXED_POINT (a continuum, or several attracting points) and NO_FINITE_FIXED_POINT.
"""

from __future__ import annotations

from typing import Any

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield.search import FastMeanField


def unique_stable_q_star(act: Any, sw2: float, sb2: float) -> float:
    """The stable fixed point of the variance map at (sw2, sb2) (float64, ~1e-12)."""
    found = FastMeanField(act, kinks=tuple(float(k) for k in act.kinks), q_hi=1e6,
                          n_q=400).fixed_points(sw2, sb2)
    if any(f.kind == "neutral" for f in found):
        raise TheoryCheckError(f"{act.name} at sw2={sw2}, sb2={sb2}: a continuum of fixed "
                               "points", status=Status.NON_UNIQUE_FIXED_POINT)
    stable = [f.q for f in found if f.kind in ("stable", "zero")]
    if len(stable) != 1:
        raise TheoryCheckError(f"{act.name} at sw2={sw2}, sb2={sb2}: {len(stable)} stable fixed "
                               "points in [1e-6, 1e6] (float64 scan)",
                               status=Status.NON_UNIQUE_FIXED_POINT if stable
                               else Status.NO_FINITE_FIXED_POINT)
    return stable[0]
