"""Wall time of training a stack of networks at once (``train_many``) vs one at a time.

The workload is one column of the trainability grid of seed 002 Figs. 1-2 (what
``trainability-depth`` trains under ``--profile full``): tanh MLPs of one depth and width on
scikit-learn's digits at sb2 = 0.05, one network per sw2. Baseline, measured in the same run:
the same networks trained one by one with ``train``. Both give the same curves (checked here:
the largest difference of the final losses is printed). Usage::

    python bench/bench_training.py [--depth 40 --width 128 --steps 300 --networks 9]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from theorycheck.placement import resolve_placement
from theorycheck.simulate import training
from theorycheck.simulate.training import TrainConfig, train, train_many


def main() -> None:
    cuda = torch.cuda.is_available()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--depth", type=int, default=40)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--steps", type=int, default=1500 if cuda else 300)
    ap.add_argument("--networks", type=int, default=9)
    ap.add_argument("--device", default="auto")
    a = ap.parse_args()
    place = resolve_placement(a.device)
    sw2s = np.linspace(1.0, 4.0, a.networks)
    configs = [TrainConfig(activation="tanh", depth=a.depth, width=a.width, sw2=float(s),
                           sb2=0.05, steps=a.steps, batch=64, lr=0.01, momentum=0.9,
                           eval_every=250, seed=0)
               for s in sw2s]
    train(TrainConfig(depth=2, width=16, steps=5), placement=place)  # warm-up
    t0 = time.perf_counter()
    stacked = train_many(configs, placement=place)
    t_stack = time.perf_counter() - t0
    t0 = time.perf_counter()
    alone = [train(c, placement=place) for c in configs]
    t_loop = time.perf_counter() - t0
    t_loop_threads = math.nan
    if not place.is_cuda and torch.get_num_threads() > 1:  # the same, every thread per network
        saved, training.THREADED_MACS = training.THREADED_MACS, 0
        try:
            t0 = time.perf_counter()
            for c in configs:
                train(c, placement=place)
            t_loop_threads = time.perf_counter() - t0
        finally:
            training.THREADED_MACS = saved
    best = min(t_loop, t_loop_threads) if math.isfinite(t_loop_threads) else t_loop
    diff = max(abs(s.final_loss - o.final_loss) for s, o in zip(stacked, alone, strict=True))
    same_acc = sum(s.final_train_acc == o.final_train_acc
                   for s, o in zip(stacked, alone, strict=True))
    print(f"device: {place.name}  dtype: float32  torch threads: {torch.get_num_threads()}")
    print(f"{a.networks} tanh networks (sw2 = {sw2s[0]:g}..{sw2s[-1]:g}), depth {a.depth}, "
          f"width {a.width}, {a.steps} SGD steps of batch 64 on digits")
    print(f"  stacked (train_many)   : {t_stack:.2f} s")
    print(f"  one by one (baseline)  : {t_loop:.2f} s (1 thread per network, as train does)")
    if math.isfinite(t_loop_threads):
        print(f"  one by one, {torch.get_num_threads()} threads : {t_loop_threads:.2f} s")
    print(f"  ratio best baseline/stacked : {best / t_stack:.2f}x")
    print(f"  same final accuracy in {same_acc}/{a.networks} networks; "
          f"max |final loss difference| = {diff:.2e}")


if __name__ == "__main__":
    main()
