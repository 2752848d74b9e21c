"""Throughput of the Jacobian spectral moments: probes (JVPs + stochastic trace) vs forming J.

Prints, for one configuration, the time per network of both methods measured in this run and
their ratio (forming J = baseline), plus the m1, m2 estimates with their relative standard
errors against seed 000, Eqs. (64)-(65). Usage::

    python bench/bench_jacobian.py [--width 4096 --depth 64 --samples 16 --probes 256]
                                   [--device auto] [--exact-samples 2] [--weights gaussian]
"""

from __future__ import annotations

import argparse
import time

import torch

from theorycheck.placement import resolve_placement
from theorycheck.simulate import measure


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _eoc_sw2(sb2: float) -> float:
    try:
        from theorycheck.activations import get_activation
        from theorycheck.meanfield import MeanField

        return float(MeanField(get_activation("tanh"), dps=15).eoc_sw2(sb2).sw2.value)
    except (ImportError, ValueError, AttributeError):  # runs without the meanfield package
        return 1.0 + 2 * sb2


def run(width: int, depth: int, samples: int, probes: int, device: str, exact_samples: int,
        weights: str, sb2: float) -> None:
    sw2 = _eoc_sw2(sb2)
    kw = dict(sw2=sw2, sb2=sb2, width=width, depth=depth, weights=weights,
              placement=resolve_placement(device))
    measure("jacobian", "tanh", **{**kw, "width": min(width, 256), "depth": 2}, samples=2,
            method="probe", probes=8)                    # warm-up (kernels, allocator)
    _sync()
    t0 = time.perf_counter()
    pr = measure("jacobian", "tanh", **kw, samples=samples, method="probe", probes=probes,
                 seed=1)
    _sync()
    t_probe = time.perf_counter() - t0
    ex = None
    t_exact = float("nan")
    if exact_samples >= 2:
        t0 = time.perf_counter()
        ex = measure("jacobian", "tanh", **kw, samples=exact_samples, method="exact", seed=2)
        _sync()
        t_exact = time.perf_counter() - t0
    e = pr.extra
    print(f"device: {pr.device}  dtype: {'float32' if 'cuda' in pr.device else 'float64'}")
    print(f"tanh, sw2={sw2:.6g} (EOC at sb2={sb2}), width {width}, depth {depth}, {weights}")
    for k in ("m1", "m2"):
        d = e[k]
        rel = d["stderr"] / abs(d["measured"])
        print(f"  probe {k}: {d['measured']:.6g} +- {d['stderr']:.2g} (rel {rel:.2%}); "
              f"theory {d['theory']:.6g}; finite-N model {d['finite_width_model']:.6g}; "
              f"agree={d['agree']}")
    pn, ns = e.get("probe_noise_relative"), e.get("network_spread_relative")
    if pn and ns:
        print(f"  one network's estimate, probe noise only: m1 {pn['m1']:.2%}, m2 {pn['m2']:.2%}; "
              f"spread across networks: m1 {ns['m1']:.1%}, m2 {ns['m2']:.1%}")
    sim = e["timing_s"]["simulation"]
    per_probe = sim / samples
    print(f"  probe: {samples} networks x {probes} probes: simulation {sim:.3f} s "
          f"({per_probe * 1e3:.1f} ms/network), theory {e['timing_s']['theory']:.2f} s, "
          f"call total {t_probe:.2f} s")
    if ex is not None:
        per_exact = ex.extra["timing_s"]["simulation"] / exact_samples
        print(f"  exact (form J + SVD): {exact_samples} networks: simulation "
              f"{ex.extra['timing_s']['simulation']:.3f} s (call {t_exact:.2f} s) "
              f"({per_exact * 1e3:.1f} ms/network); m2 {ex.measured:.6g} +- {ex.stderr:.2g}")
        print(f"  ratio exact/probe per network: {per_exact / per_probe:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--width", type=int, default=4096 if torch.cuda.is_available() else 512)
    ap.add_argument("--depth", type=int, default=64 if torch.cuda.is_available() else 16)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--probes", type=int, default=256 if torch.cuda.is_available() else 64)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--exact-samples", type=int, default=2)
    ap.add_argument("--weights", default="gaussian")
    ap.add_argument("--sb2", type=float, default=0.05)
    a = ap.parse_args()
    run(a.width, a.depth, a.samples, a.probes, a.device, a.exact_samples, a.weights, a.sb2)


if __name__ == "__main__":
    main()
