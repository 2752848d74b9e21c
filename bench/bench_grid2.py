"""Benchmark: pairs per second of the whole-grid bivariate engine against one pair at a time.

E f(u1) f(u2) on a (q, c) grid -- 8 variances q in [1e-2, 1e3] (log-spaced) x ``--points``
equispaced c in [-1, 1] -- for relu, erf and tanh, by ``gaussian.BivariateGrid`` (a fresh
engine per activation: the Hermite tables are part of the time) and, as the baseline in the
same run, by the nested float64 ``GridEngine.expect2`` called one pair at a time (timed on a
random subsample of ``--sample`` pairs and scaled).  Errors: relu and erf against their closed
forms (``gaussian.closed_form``, 30 digits), as max |error| / max(1, q); tanh: the largest
difference between the two engines.  Also the 1000-point c-map (``theorycheck cmap``'s work)
for relu and erf at q = 2.

Run: python bench/bench_grid2.py [--points 1000] [--sample 24]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.special import erf

from theorycheck.gaussian import BivariateGrid, GridEngine, closed_form

ACTS = {"relu": (lambda x: np.maximum(x, 0.0), (0.0,)), "erf": (erf, ()), "tanh": (np.tanh, ())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    q = np.logspace(-2, 3, 8)
    c = np.linspace(-1, 1, args.points)
    Q, C = (a.ravel() for a in np.meshgrid(q, c, indexing="ij"))
    print(f"grid: {q.size} q in [1e-2, 1e3] x {c.size} c in [-1, 1] = {Q.size} pairs")
    print(f"{'act':6} {'grid pairs/s':>13} {'one-at-a-time pairs/s':>22} {'ratio':>7} "
          f"{'max err/max(1,q)':>17} {'max est/max(1,q)':>17} routes")
    for name, (f, kinks) in ACTS.items():
        t0 = time.perf_counter()
        eng = BivariateGrid(f, kinks_f=kinks)
        v, e = eng.expect2(Q, C)
        t_grid = time.perf_counter() - t0
        routes = dict(eng.last_routes)
        idx = rng.choice(Q.size, args.sample, replace=False)
        old = GridEngine(f, kinks=kinks)
        t0 = time.perf_counter()
        ref = np.array([float(old.expect2(f, f, Q[i], C[i])[0]) for i in idx])
        t_old = (time.perf_counter() - t0) / args.sample
        scale = np.maximum(1.0, Q)
        if name in ("relu", "erf"):
            exact = np.array([float(closed_form(name, "kernel", a, c=b))
                              for a, b in zip(Q, C, strict=True)])
            err = float(np.max(np.abs(v - exact) / scale))
        else:
            err = float(np.max(np.abs(v[idx] - ref) / scale[idx]))
        print(f"{name:6} {Q.size / t_grid:13.0f} {1 / t_old:22.1f} {t_old * Q.size / t_grid:7.0f}"
              f" {err:17.1e} {float(np.max(e / scale)):17.1e} {routes}")
    for name in ("relu", "erf"):
        f, kinks = ACTS[name]
        cc = np.linspace(-1, 1, 1000)
        t0 = time.perf_counter()
        v, _e = BivariateGrid(f, kinks_f=kinks).expect2(2.0, cc)
        dt = time.perf_counter() - t0
        exact = np.array([float(closed_form(name, "kernel", 2.0, c=b)) for b in cc])
        print(f"c-map kernel, {name}, q = 2, 1000 points: {dt:.3f} s, max error "
              f"{np.max(np.abs(v - exact)):.1e}")


if __name__ == "__main__":
    main()
