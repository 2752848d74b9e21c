"""Benchmark: the 200 x 200 tanh phase plane (q*, chi1, beta) against a researcher's baseline.

Baseline: for each (sw2, sb2), iterate q <- sw2 E tanh(sqrt(q) z)^2 + sb2 to convergence with
scipy.integrate.quad for every expectation, then chi1 and beta with two more quad calls; it is
timed on a random subsample of points and scaled to 40 000.  The grid engine's accuracy is
checked against MeanField (mpmath, 25 digits) on 20 sampled points.

Run: python bench/bench_phase_plane.py [--sample 150]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import quad

from theorycheck.meanfield import MeanField, phase_plane

PHI = 1 / np.sqrt(2 * np.pi)


def baseline_point(sw2: float, sb2: float) -> tuple[float, float, float]:
    """What a researcher would write: fixed-point iteration with scipy quad."""
    def E(f: object, q: float) -> float:
        s = np.sqrt(q)
        return quad(lambda z: f(s * z) * PHI * np.exp(-z * z / 2), -np.inf, np.inf,
                    epsabs=1e-13, epsrel=1e-13, limit=200)[0]

    q = 1.0
    for _ in range(2000):
        qn = sw2 * E(lambda x: np.tanh(x) ** 2, q) + sb2
        if abs(qn - q) < 1e-13 * max(q, 1e-300):
            q = qn
            break
        q = qn
    chi1 = sw2 * E(lambda x: (1 - np.tanh(x) ** 2) ** 2, q)
    beta = np.sqrt(sw2) * E(lambda x: 1 - np.tanh(x) ** 2, q)
    return q, chi1, beta


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sw2 = np.linspace(0.5, 4.0, 200)
    sb2 = np.linspace(0.0, 0.5, 200)

    phase_plane("tanh", sw2[:5], sb2[:5])  # warm-up: imports, activation compile
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        pp = phase_plane("tanh", sw2, sb2, with_xi_c=False)
        runs.append(time.perf_counter() - t)
    t_grid = min(runs)
    t = time.perf_counter()
    phase_plane("tanh", sw2, sb2, with_xi_c=True)
    t_grid_xi = time.perf_counter() - t

    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, 200, size=(args.sample, 2))
    t = time.perf_counter()
    base = [baseline_point(sw2[i], sb2[j]) for i, j in idx]
    t_base = (time.perf_counter() - t) / args.sample * 40_000
    base_err = max(max(abs(b[0] - pp.q_star[i, j]), abs(b[1] - pp.chi1[i, j]),
                       abs(b[2] - pp.beta[i, j])) for b, (i, j) in zip(base, idx, strict=True))

    mf = MeanField("tanh", dps=25)
    worst = 0.0
    for i, j in idx[:20]:
        q = mf.q_star(float(sw2[i]), float(sb2[j]))
        c = mf.chi1(float(sw2[i]), float(sb2[j]))
        b = mf.beta(float(sw2[i]), float(sb2[j]))
        worst = max(worst, abs(float(q.value) - pp.q_star[i, j]),
                    abs(float(c.value) - pp.chi1[i, j]), abs(float(b.value) - pp.beta[i, j]))

    print("device: 2-core CPU, this dev machine")
    print(f"grid engine, 200x200 (q*, chi1, beta): {t_grid:.3f} s (best of 3)")
    print(f"grid engine, 200x200 incl. xi_c:       {t_grid_xi:.3f} s")
    print(f"baseline (scipy quad + iteration), scaled from {args.sample} points: {t_base:.1f} s")
    print(f"speed-up: {t_base / t_grid:.0f}x")
    print(f"max |grid - mpmath| on 20 points (q*, chi1, beta): {worst:.2e}")
    print(f"max |grid - baseline| on the subsample: {base_err:.2e}")
    print(f"max reported grid error (q*, chi1, beta): {np.nanmax(pp.q_star_err):.2e}, "
          f"{np.nanmax(pp.chi1_err):.2e}, {np.nanmax(pp.beta_err):.2e}")


if __name__ == "__main__":
    main()
