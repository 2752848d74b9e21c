"""Benchmark: theorycheck's whole-grid bivariate engine side by side with neural-tangents.

The same (q, c) grid -- 6 variances q in [0.1, 1000] (log-spaced) x 21 correlations c in
[-1, 1], 126 pairs; ``--points`` changes the c count -- for erf and relu: the one-layer NNGP
kernel E f(u1) f(u2) by

* theorycheck ``gaussian.BivariateGrid`` (float64, with error estimates; a fresh engine, so
  timed cold (its Hermite tables built: the first call) and warm (the second), in this
  interpreter;
* neural-tangents 0.6.5 ``stax.ElementwiseNumerical(fn, deg)`` at deg 25 and 101 (2-D
  Gauss-Hermite, O(deg^2) per pair) and its closed-form layers ``stax.Erf`` / ``stax.Relu``,
  run in a separate interpreter (neural-tangents needs an old JAX; float64 enabled), each
  timed on its second call (the first compiles; both are printed).

Inputs and results travel through a temporary .npz, so the two interpreters share only arrays.
Errors are against the exact kernels (``gaussian.closed_form`` at 30 digits): the largest
|error| / max(1, q) over the grid.  neural-tangents is never a dependency of theorycheck; when
its interpreter is missing the peer rows are skipped with a message.

Setup of the peer's interpreter (once)::

    python3 -m venv /work/ntvenv
    /work/ntvenv/bin/pip install jax==0.4.23 jaxlib==0.4.23 "numpy<2" "scipy<1.14" \\
        tf2jax==0.3.5 neural-tangents==0.6.5

Run: python bench/bench_peers.py [--nt-python /work/ntvenv/bin/python] [--points 21]
(``THEORYCHECK_NT_PYTHON`` also names the interpreter).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_NT = os.environ.get("THEORYCHECK_NT_PYTHON", "/work/ntvenv/bin/python")
PEER_CONFIGS = [("erf", "closed"), ("erf", 25), ("erf", 101),
                ("relu", "closed"), ("relu", 25), ("relu", 101)]


def peer_main(infile: str, outfile: str) -> None:
    """Run inside the neural-tangents interpreter: the kernels of PEER_CONFIGS on the grid."""
    import jax  # lazy: only the peer's interpreter has jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp  # lazy: as above
    from jax.scipy.special import erf  # lazy: as above
    from neural_tangents import stax  # lazy: as above

    data = np.load(infile)
    q, c = data["q"], data["c"]
    out: dict[str, np.ndarray] = {}
    for name, deg in PEER_CONFIGS:
        if deg == "closed":
            layer = stax.Erf(a=1.0, b=1.0, c=0.0) if name == "erf" else stax.Relu()
        else:
            fn = erf if name == "erf" else (lambda x: jnp.maximum(x, 0.0))
            layer = stax.ElementwiseNumerical(fn, deg=int(deg))
        _init, _apply, kernel_fn = stax.serial(stax.Dense(1, W_std=1.0, b_std=None), layer)
        kernel_fn = jax.jit(kernel_fn, static_argnames="get")
        vals = np.empty((q.size, c.size))
        times = []
        for _run in range(2):
            t0 = time.perf_counter()
            for i, qi in enumerate(q):
                # two-dimensional inputs whose Gram matrix / 2 is [[q, q c], [q c, q]]
                x1 = np.sqrt(2 * qi) * np.array([[1.0, 0.0]])
                x2 = np.sqrt(2 * qi) * np.stack([c, np.sqrt(np.maximum(1 - c * c, 0))], 1)
                vals[i] = np.asarray(kernel_fn(x1, x2, get="nngp"))[0]
            times.append(time.perf_counter() - t0)
        key = f"{name}_{deg}"
        out[key], out[key + "_t"] = vals, np.array(times)
    np.savez(outfile, **out)


def _exact(name: str, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    from theorycheck.gaussian import closed_form  # lazy: the peer interpreter never gets here

    return np.array([[float(closed_form(name, "kernel", float(a), c=float(b))) for b in c]
                     for a in q])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nt-python", default=DEFAULT_NT)
    ap.add_argument("--points", type=int, default=21)
    ap.add_argument("--peer", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        peer_main(*args.peer)
        return
    from scipy.special import erf  # lazy: keep the peer path free of theorycheck's imports

    from theorycheck.gaussian import BivariateGrid  # lazy: as above

    q = np.logspace(-1, 3, 6)
    c = np.linspace(-1, 1, args.points)
    pairs = q.size * c.size
    Q, C = np.meshgrid(q, c, indexing="ij")
    scale = np.maximum(1.0, Q)
    print(f"grid: {q.size} q in [0.1, 1000] x {c.size} c in [-1, 1] = {pairs} pairs; "
          "errors: max |K - exact| / max(1, q)")
    print(f"{'method':34} {'error':>9} {'est':>9} {'seconds':>9} {'us/pair':>9}")
    exact = {name: _exact(name, q, c) for name in ("erf", "relu")}
    ours = {}
    for name, f, kinks in (("erf", erf, ()), ("relu", lambda x: np.maximum(x, 0.0), (0.0,))):
        eng = BivariateGrid(f, kinks_f=kinks)
        times = []
        for _run in range(2):   # cold (Hermite tables built), then warm (tables cached)
            t0 = time.perf_counter()
            v, e = eng.expect2(Q, C)
            times.append(time.perf_counter() - t0)
        ours[name] = times[1]
        err = np.max(np.abs(v - exact[name]) / scale)
        print(f"{'theorycheck BivariateGrid ' + name:34} {err:9.1e} {np.max(e / scale):9.1e}"
              f" {times[1]:9.3f} {1e6 * times[1] / pairs:9.1f}  (cold {times[0]:.3f} s)")
    if not Path(args.nt_python).exists():
        print(f"neural-tangents: skipped ({args.nt_python} not found; see the docstring for"
              " the venv)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "grid.npz", Path(tmp) / "peer.npz"
        np.savez(src, q=q, c=c)
        proc = subprocess.run([args.nt_python, __file__, "--peer", str(src), str(dst)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not dst.exists():
            tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            print(f"neural-tangents: skipped (its interpreter failed: {tail[0]})")
            return
        peer = dict(np.load(dst))
    for name, deg in PEER_CONFIGS:
        key = f"{name}_{deg}"
        err = np.max(np.abs(peer[key] - exact[name]) / scale)
        first, warm = peer[key + "_t"]
        label = f"neural-tangents {name} " + ("closed form" if deg == "closed" else f"deg {deg}")
        print(f"{label:34} {err:9.1e} {'-':>9} {warm:9.3f} {1e6 * warm / pairs:9.1f}"
              f"  (first call {first:.2f} s; time x{warm / ours[name]:.2f} of ours, warm)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
