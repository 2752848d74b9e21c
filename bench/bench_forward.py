"""Throughput of a batched forward sweep (many random networks at once) vs one at a time.

Baseline, measured in the same run: the same number of networks propagated one by one
(batch 1). Prints networks/s and layer-matvecs/s for both and their ratio. Usage::

    python bench/bench_forward.py [--width 1024 --depth 32 --networks 64 --inputs 16]
"""

from __future__ import annotations

import argparse
import time

import torch

from theorycheck.placement import Placement, resolve_placement
from theorycheck.simulate.device import torch_placement
from theorycheck.simulate.networks import NetSpec, gaussian_inputs, sweep


def _sweep(spec: NetSpec, batch: int, inputs: int, seed: int, placement: Placement) -> float:
    place = torch_placement(placement, entry="bench_forward")
    gen = place.generator(seed)
    x0 = gaussian_inputs(gen, place, batch, spec.width, inputs, 1.0)
    acc = 0.0
    with torch.no_grad():
        for step in sweep(x0, spec, torch.tanh, gen, place):
            acc = step.x_out
    if place.is_cuda:
        torch.cuda.synchronize()
    return float(acc.pow(2).mean())


def main() -> None:
    cuda = torch.cuda.is_available()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--width", type=int, default=1024 if cuda else 256)
    ap.add_argument("--depth", type=int, default=32 if cuda else 16)
    ap.add_argument("--networks", type=int, default=64 if cuda else 16)
    ap.add_argument("--inputs", type=int, default=16)
    ap.add_argument("--device", default="auto")
    a = ap.parse_args()
    spec = NetSpec(1.5, 0.1, a.width, a.depth)
    placement = resolve_placement(a.device)
    place = torch_placement(placement, entry="bench_forward")
    _sweep(NetSpec(1.5, 0.1, min(a.width, 128), 2), 2, a.inputs, 0, placement)   # warm-up
    t0 = time.perf_counter()
    _sweep(spec, a.networks, a.inputs, 1, placement)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(a.networks):
        _sweep(spec, 1, a.inputs, 100 + i, placement)
    t_loop = time.perf_counter() - t0
    mv = a.networks * a.depth * a.inputs
    print(f"device: {place.name}  dtype: {str(place.dtype).replace('torch.', '')}")
    print(f"width {a.width}, depth {a.depth}, {a.networks} networks x {a.inputs} inputs "
          "(weights drawn on the fly)")
    print(f"  batched : {t_batch:.3f} s  {a.networks / t_batch:.1f} networks/s  "
          f"{mv / t_batch:.3g} matvecs/s")
    print(f"  one by one (baseline): {t_loop:.3f} s  {a.networks / t_loop:.1f} networks/s")
    print(f"  ratio batched/baseline throughput: {t_loop / t_batch:.2f}x")


if __name__ == "__main__":
    main()
