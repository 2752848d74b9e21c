"""Wall time of one selection of claims with 1 worker (the serial baseline, in the same run)
and with N workers, the speed-up, and whether the numbers agree.

Default: the issue's selection (`finite-width-ratio`, `orthogonal-faster`, `mf-mi-lower-bound`)
under `--profile full`, which is GPU-sized (about an hour on a 2-core CPU); on a small machine
pass a quick selection, e.g.

    python bench/bench_scale.py --profile quick --claims beta-le-one jacobian-moments \\
        sigmoid-sw-bound cmap-fixed-point beta-max-at-di [--workers 2] [--executor dask]

The disk cache is off (every run computes everything). A difference in any verdict, finding or
number between the runs is printed and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import make_executor, run
from theorycheck.placement import resolve_placement
from theorycheck.report.compare import diff_results

ISSUE_SELECTION = ["finite-width-ratio", "orthogonal-faster", "mf-mi-lower-bound"]


def timed(ids: list[str], ctx: RunContext, executor: str, workers: int) -> tuple[float, dict]:
    """Seconds of wall time, start of the workers included, and the results of one run."""
    start = time.perf_counter()
    with make_executor(executor if workers > 1 else "serial", workers) as pool:
        results = run(ids, ctx, executor=pool)
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", nargs="*", default=ISSUE_SELECTION)
    parser.add_argument("--profile", choices=("quick", "full"), default="full")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executor", choices=("processes", "dask"), default="processes")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    placement = resolve_placement(args.device)
    ctx = RunContext(profile=args.profile, placement=placement)
    print(f"device: {placement.name}, {os.cpu_count()} cores, profile {args.profile}, "
          f"claims: {' '.join(args.claims)}")
    print("load average before (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    serial_s, serial = timed(args.claims, ctx, "serial", 1)
    print(f"1 worker (serial):        {serial_s:8.1f} s", flush=True)
    pooled_s, pooled = timed(args.claims, ctx, args.executor, args.workers)
    print(f"{args.workers} workers ({args.executor}): {pooled_s:8.1f} s")
    print(f"speed-up: {serial_s / pooled_s:.2f}x")
    print("load average after (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"  {'claim':28s} {'serial s':>9s} {'worker s':>9s}  verdict")
    for one, other in zip(serial["claims"], pooled["claims"], strict=True):
        print(f"  {one['id']:28s} {one['seconds']:9.1f} {other['seconds']:9.1f}  "
              f"{one['verdict']}")
    differences = diff_results(serial, pooled)
    print(f"differences between the runs (timings excepted): {len(differences)}")
    for line in differences:
        print("  " + line)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
