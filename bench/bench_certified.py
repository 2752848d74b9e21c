"""Certified (Arb) against the mpmath path, same run: compute seconds and their ratio.

Run: PYTHONPATH=. python bench/bench_certified.py   (mpmath 100-digit EOC takes ~15 s)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from theorycheck.activations import get_activation
from theorycheck.meanfield import MeanField
from theorycheck.meanfield.certified import certify_eoc_sw2, certify_point


def _t(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    _ = get_activation("tanh").properties   # warm the symbolic properties, timed by neither
    rows = []
    for dps in (50, 100):
        ta, enc = _t(lambda d=dps: certify_eoc_sw2("tanh", "0.05", d))
        tm, _ = _t(lambda d=dps: MeanField("tanh", dps=d).eoc_sw2.__wrapped__.__wrapped__(
            MeanField("tanh", dps=d), "0.05"))
        rows.append((f"tanh EOC sw2 at sb2=0.05, {dps} digits", ta, tm, enc["sw2"].width))
    ta, enc = _t(lambda: certify_point("tanh", 3, "0.05", 30))
    tm, _ = _t(lambda: MeanField("tanh", dps=30).point(3, "0.05"))
    rows.append(("tanh point (3, 0.05) incl. c*, 30 digits", ta, tm, enc["c_star"].width))
    for name, ta, tm, w in rows:
        print(f"{name:45s} arb {ta:7.3f} s  mpmath {tm:7.3f} s  ratio {ta / tm:6.3f}  "
              f"width {w:.1e}")


if __name__ == "__main__":
    main()
