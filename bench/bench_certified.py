"""Certified (Arb) and MeanField.point against their baselines, same run: seconds and ratios.

Run: PYTHONPATH=. python bench/bench_certified.py   (mpmath 100-digit EOC takes ~15 s)
     PYTHONPATH=. python bench/bench_certified.py --point   (only the two point rows)

Rows (issue 12, section 5): the certified tanh EOC at 50 and 100 digits and the certified
point with c* at (3, 0.05), 30 digits, each against the mpmath path (``MeanField``) at the
same digits; and ``MeanField.point`` at (3, 0.05), 30 digits (its Arb route, the default)
against its mpmath path (``method="mpmath"``, the default before), with the check that every
number agrees within the two stated errors (:func:`~theorycheck.meanfield.point_arb.
compare_routes`). Compute seconds in-process, each point on a fresh ``MeanField``; the disk
cache is off (no run activated one) and the EOC methods are called below their
``disk_cached`` wrapper.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from theorycheck.activations import get_activation
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.certified import certify_eoc_sw2, certify_point
from theorycheck.meanfield.point_arb import compare_routes

CPU: dict[str, float] = {}


def _t(fn: Callable[[], Any], label: str = "") -> tuple[float, Any]:
    """(wall seconds, result) of one call; its CPU seconds go to ``CPU[label]`` (on a shared
    CPU the process time is what the call would take alone, give or take the caches)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    CPU[label] = time.process_time() - c
    return time.perf_counter() - t, out


def main() -> None:
    _ = get_activation("tanh").properties   # warm the symbolic properties, timed by neither
    rows = []
    for dps in () if "--point" in sys.argv else (50, 100):
        ta, enc = _t(lambda d=dps: certify_eoc_sw2("tanh", "0.05", d))
        tm, _ = _t(lambda d=dps: MeanField("tanh", dps=d).eoc_sw2.__wrapped__.__wrapped__(
            MeanField("tanh", dps=d), "0.05"))
        rows.append((f"tanh EOC sw2 at sb2=0.05, {dps} digits", "arb", ta, "mpmath", tm,
                     f"width {enc['sw2'].width:.1e}"))
    ta, enc = _t(lambda: certify_point("tanh", 3, "0.05", 30))
    tm, slow = _t(lambda: MeanField("tanh", dps=30).point(3, "0.05", method="mpmath"), "mp")
    rows.append(("tanh point (3, 0.05) incl. c*, 30 digits", "arb", ta, "mpmath", tm,
                 f"width {enc['c_star'].width:.1e} (c*)"))
    tp, fast = _t(lambda: MeanField("tanh", dps=30).point(3, "0.05"), "arb")
    same = compare_routes(fast, slow)["agree"] and fast.certified is not None
    rows.append(("MeanField.point (3, 0.05), 30 digits", "arb", tp, "mpmath", tm,
                 ("agree within errors" if same else "ROUTES DISAGREE")
                 + f"; cpu {CPU['arb']:.3f} s vs {CPU['mp']:.3f} s"))
    for name, a, ta, b, tb, note in rows:
        print(f"{name:42s} {a} {ta:7.3f} s  {b} {tb:7.3f} s  ratio {ta / tb:6.3f}  {note}")


if __name__ == "__main__":
    main()
