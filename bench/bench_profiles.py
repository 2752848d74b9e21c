"""Wall time of every claim under the quick and the full profile, on the device at hand.

Prints one row per claim: seconds under ``quick`` (the baseline, measured in the same run),
seconds under ``full``, their ratio, and both verdicts.  Rows are also appended as JSON lines to
``--out`` as they finish, so a run cut short keeps what it measured.

    python bench/bench_profiles.py [--claims ID ...] [--device auto|cpu|cuda] [--skip-quick]
                                   [--max-seconds S] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import run_claim, select_claims
from theorycheck.placement import resolve_placement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", nargs="*", default=[])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--skip-quick", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=None)
    parser.add_argument("--out", type=Path, default=Path("bench_profiles.jsonl"))
    args = parser.parse_args()
    placement = resolve_placement(args.device)
    print(f"device: {placement.name}")
    print(f"{'claim':30s} {'quick s':>8s} {'full s':>8s} {'ratio':>7s}  verdicts (quick / full)")
    for claim in select_claims(args.claims):
        row: dict[str, object] = {"claim": claim.id, "device": placement.name}
        for profile in ("quick", "full"):
            if profile == "quick" and args.skip_quick:
                continue
            ctx = RunContext(profile=profile, placement=placement,
                             max_seconds=args.max_seconds)
            start = time.perf_counter()
            record = run_claim(claim, ctx)
            row[f"{profile}_s"] = round(time.perf_counter() - start, 2)
            row[f"{profile}_verdict"] = record["verdict"]
        with args.out.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        quick, full = row.get("quick_s"), row["full_s"]
        ratio = f"{full / quick:7.1f}" if isinstance(quick, float) and quick > 0 else "      -"
        print(f"{claim.id:30s} {quick if quick is not None else '-':>8} {full:>8} {ratio}  "
              f"{row.get('quick_verdict', '-')} / {row['full_verdict']}", flush=True)


if __name__ == "__main__":
    main()
