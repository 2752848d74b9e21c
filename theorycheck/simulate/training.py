"""Real training runs: mean-field-initialised fully connected networks trained on scikit-learn's
digits (8x8 images, 10 classes; shipped with scikit-learn, nothing is downloaded).

The set-up follows seed 002, Sec. 4.1 (scaled down to digits): a constant-width MLP of ``depth``
hidden layers ``x^l = W^l phi(x^(l-1)) + b^l`` (the same placement as
:mod:`theorycheck.simulate.networks`; the first layer acts on the pixels linearly), weights
``N(0, sw2/N_in)`` or ``sqrt(sw2)`` times a Haar orthogonal matrix, biases ``N(0, sb2)``, a final
linear read-out to 10 logits (same initialisation), cross-entropy loss, SGD (optionally with
momentum), pixels scaled to [-0.5, 0.5] ([0.25, 0.75] for activations with range [0, 1]).

Several networks of one architecture train together as one stacked model
(:func:`train_many`; one batched matmul per layer for all of them), which is what makes the
depth x sw2 grids of seed 002 Figs. 1-2 affordable: per-layer overheads (kernel launches,
Python) dominate a step of one narrow network on a GPU or a CPU, and a stack pays them once and
keeps every core busy (``bench/bench_training.py``).

Determinism: every random choice of a network (initialisation, data split, mini-batch order)
comes from its own ``torch.Generator`` seeded with its ``seed``, so a network trains the same
alone or in a stack; on the CPU two runs with the same config and seed give bit-identical
curves. On CUDA, ``torch.use_deterministic_algorithms`` is not forced (matmul
reductions may differ in the last bits).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits

from theorycheck.activations import get_activation
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import Placement
from theorycheck.simulate import memory
from theorycheck.simulate.device import TorchPlacement, torch_placement
from theorycheck.simulate.networks import haar_orthogonal

UNIT_RANGE = ("sigmoid", "hard_sigmoid", "logistic")


@dataclass(frozen=True)
class TrainConfig:
    """One training run. ``steps`` mini-batch SGD steps of size ``batch``; ``eval_every`` steps
    between recorded train-accuracy points (the full training set is evaluated); where it runs
    is the ``placement`` given to :func:`train` / :func:`train_many`."""

    activation: str = "tanh"
    depth: int = 10
    width: int = 64
    sw2: float = 1.5
    sb2: float = 0.05
    weights: str = "gaussian"
    steps: int = 300
    batch: int = 64
    lr: float = 0.01
    momentum: float = 0.9
    eval_every: int = 50
    train_size: int = 1440
    seed: int = 0
    precision: str = "float32"

    def __post_init__(self) -> None:
        if self.depth < 1 or self.width < 1 or self.steps < 1 or self.batch < 1:
            raise TheoryCheckError("depth, width, steps and batch must be >= 1",
                                   status=Status.INVALID_ARGUMENT)
        if not (self.sw2 > 0 and self.sb2 >= 0 and self.lr > 0):
            raise TheoryCheckError("need sw2 > 0, sb2 >= 0, lr > 0", status=Status.INVALID_ARGUMENT)
        if self.weights not in ("gaussian", "orthogonal"):
            raise TheoryCheckError(f"unknown weight kind {self.weights!r}",
                                   status=Status.INVALID_ARGUMENT)


@dataclass
class TrainResult:
    """Curves and final numbers of one run (accuracies in [0, 1]; ``steps_at`` for the curve)."""

    config: TrainConfig
    steps_at: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    final_loss: float = math.nan
    diverged: bool = False
    seconds: float = 0.0
    device: str = "cpu"

    @property
    def final_train_acc(self) -> float:
        return self.train_acc[-1] if self.train_acc else math.nan

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["config"] = asdict(self.config)
        return d


def load_digits_split(train_size: int, seed: int, unit_range: bool = False
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn digits scaled to [-0.5, 0.5] (or [0.25, 0.75]), split by a seeded permutation
    into ``train_size`` training and the rest test examples."""
    data = load_digits()
    x = data.data.astype(np.float64) / 16.0
    x = 0.5 * x + 0.25 if unit_range else x - 0.5
    y = data.target.astype(np.int64)
    if not 10 <= train_size < len(y):
        raise TheoryCheckError(f"train_size must be in [10, {len(y) - 1}]",
                               status=Status.INVALID_ARGUMENT)
    perm = np.random.default_rng(seed).permutation(len(y))
    tr, te = perm[:train_size], perm[train_size:]
    return x[tr], y[tr], x[te], y[te]


class MLP(torch.nn.Module):
    """``K`` independent constant-width MLPs of one architecture, their parameters stacked:
    weight ``l`` has shape ``(K, N_out, N_in)``, bias ``l`` shape ``(K, 1, N_out)``, and
    ``forward`` maps ``(K, B, in_dim)`` to ``(K, B, classes)`` with one batched matmul per layer.

    Training the stack with a summed loss is training each network alone: no operation mixes
    the ``K`` slices (batched matmuls, elementwise activations and an elementwise optimiser), so
    network ``k`` sees exactly the gradients it would see on its own.
    """

    def __init__(self, act: Any, in_dim: int, width: int, depth: int, classes: int,
                 networks: int = 1) -> None:
        super().__init__()
        dims = [in_dim] + [width] * depth + [classes]
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.empty(networks, b, a)) for a, b in itertools.pairwise(dims))
        self.biases = torch.nn.ParameterList(
            torch.nn.Parameter(torch.empty(networks, 1, b)) for b in dims[1:])
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b, h if i == 0 else self.act(h), w.transpose(1, 2))
        return h

    @torch.no_grad()
    def initialise(self, k: int, gen: torch.Generator, place: TorchPlacement, sw2: float,
                   sb2: float, kind: str) -> None:
        """Network ``k``: W ~ N(0, sw2/N_in) or sqrt(sw2 max(1, N_out/N_in)) x Haar, b ~ N(0, sb2),
        layer by layer (weight then bias), every draw from ``gen`` on ``place`` (the device and
        dtype of the parameters)."""
        for w_all, b_all in zip(self.weights, self.biases, strict=True):
            w = w_all[k]
            n_out, n_in = w.shape
            if kind == "gaussian":
                new = torch.randn(n_out, n_in, generator=gen, device=place.device,
                                  dtype=place.dtype)
                new.mul_(math.sqrt(sw2 / n_in))
            else:
                new = haar_orthogonal(gen, place, 1, n_out, n_in)[0]
                new.mul_(math.sqrt(sw2 * max(1.0, n_out / n_in)))
            w.copy_(new)
            b = torch.randn(n_out, generator=gen, device=place.device, dtype=place.dtype)
            b_all[k, 0].copy_(b.mul_(math.sqrt(sb2)))


def _torch_act(name: str) -> Any:
    return get_activation(name).torch(0)


#: multiply-adds per layer and step from which a CPU stack uses more than one thread
THREADED_MACS = 1 << 22

#: fields that must agree between configs trained together (one architecture and schedule)
SHARED_FIELDS = ("activation", "depth", "width", "steps", "batch", "lr", "momentum",
                 "eval_every", "train_size", "precision")


def train(cfg: TrainConfig, *, placement: Placement) -> TrainResult:
    """Train one network on ``placement``; returns its train/test accuracy curve (see
    :func:`train_many`)."""
    return train_many([cfg], placement=placement)[0]


def train_many(configs: Sequence[TrainConfig], *, placement: Placement) -> list[TrainResult]:
    """Train several networks of one architecture at once on ``placement``, as one stacked
    model; each result equals what :func:`train` gives for its config alone (up to float
    rounding order).

    The configs may differ in ``sw2``, ``sb2``, ``weights`` and ``seed`` only (each network
    draws its initialisation, its data split and its mini-batch order from its own generator
    seeded with its ``seed``). A network whose loss becomes non-finite is frozen from that step
    and marked ``diverged`` (its accuracy is that of its last finite evaluation, or chance).
    ``seconds`` is the wall time of the whole stack divided by the number of networks.

    On the CPU a stack whose matmuls are small (fewer than ``THREADED_MACS`` multiply-adds per
    layer and step) runs on one intra-op thread (restored afterwards): thread hand-offs on a
    loaded 2-core machine made such runs 30x slower. Larger stacks keep torch's thread count
    (2 threads halve a 9-network stack of width 128 on this 2-core CPU).
    """
    if not configs:
        return []
    first = configs[0]
    for cfg in configs[1:]:
        differ = [f for f in SHARED_FIELDS if getattr(cfg, f) != getattr(first, f)]
        if differ:
            raise TheoryCheckError("configs trained together must share " + ", ".join(differ),
                                   status=Status.INVALID_ARGUMENT)
    place = torch_placement(placement, first.precision, entry="simulate.training.train_many")
    macs = len(configs) * first.batch * first.width * first.width
    if place.is_cuda or macs >= THREADED_MACS:
        return _train_stack(list(configs), place)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_stack(list(configs), place)
    finally:
        torch.set_num_threads(threads)


def _stack_data(configs: list[TrainConfig], place: TorchPlacement,
                unit: bool) -> tuple[torch.Tensor, ...]:
    """(x_train, y_train, x_test, y_test) stacked over networks: ``(K, n, 64)`` and ``(K, n)``."""
    splits: dict[int, tuple[np.ndarray, ...]] = {}
    for cfg in configs:
        if cfg.seed not in splits:
            splits[cfg.seed] = load_digits_split(cfg.train_size, cfg.seed, unit_range=unit)
    parts = [splits[cfg.seed] for cfg in configs]
    out = []
    for i in range(4):
        arr = np.stack([p[i] for p in parts])
        dtype = place.dtype if i % 2 == 0 else torch.int64
        out.append(torch.as_tensor(arr, dtype=dtype, device=place.device))
    return tuple(out)


def _train_stack(configs: list[TrainConfig], place: TorchPlacement) -> list[TrainResult]:
    start = time.perf_counter()
    first = configs[0]
    k_nets = len(configs)
    unit = first.activation.lower() in UNIT_RANGE
    xt, yt, xv, yv = _stack_data(configs, place, unit)
    n, in_dim = xt.shape[1], xt.shape[2]
    nb = memory.dtype_bytes(place.dtype)
    params = first.width * (in_dim + first.width * first.depth + 10)
    saved = first.batch * first.width * (first.depth + 1) * 3
    memory.ensure_fits(k_nets * nb * (3 * params + saved + n * first.width * 2), place.device,
                       f"{k_nets} networks of depth {first.depth} and width {first.width}")
    model = MLP(_torch_act(first.activation), in_dim, first.width, first.depth, 10, k_nets)
    model.to(device=place.device, dtype=place.dtype)
    gens = [place.generator(cfg.seed) for cfg in configs]
    for k, (cfg, gen) in enumerate(zip(configs, gens, strict=True)):
        model.initialise(k, gen, place, cfg.sw2, cfg.sb2, cfg.weights)
    opt = torch.optim.SGD(model.parameters(), lr=first.lr, momentum=first.momentum)
    results = [TrainResult(config=cfg, device=place.name) for cfg in configs]
    alive = np.ones(k_nets, dtype=bool)
    rows = torch.arange(k_nets, device=place.device).unsqueeze(1)

    def evaluate(step: int) -> None:
        with torch.no_grad():
            tr = (model(xt).argmax(2) == yt).double().mean(1).tolist()
            te = (model(xv).argmax(2) == yv).double().mean(1).tolist()
        for k in np.flatnonzero(alive):
            results[k].steps_at.append(step)
            results[k].train_acc.append(float(tr[k]))
            results[k].test_acc.append(float(te[k]))

    evaluate(0)
    orders = torch.stack([torch.randperm(n, generator=g, device=place.device) for g in gens])
    pos = 0
    keep = torch.ones(k_nets, dtype=torch.bool, device=place.device)
    last_loss = torch.full((k_nets,), math.nan, dtype=torch.float64)
    for step in range(1, first.steps + 1):
        if pos + first.batch > n:
            orders = torch.stack([torch.randperm(n, generator=g, device=place.device)
                                  for g in gens])
            pos = 0
        idx = orders[:, pos:pos + first.batch]
        pos += first.batch
        opt.zero_grad(set_to_none=True)
        logits = model(xt[rows, idx])
        losses = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), yt[rows, idx].reshape(-1),
            reduction="none").view(k_nets, -1).mean(1)
        host = losses.detach().double().cpu()  # the one device sync of a step
        finite = np.isfinite(host.numpy())
        if not finite[alive].all():
            alive &= finite
            if not alive.any():
                break
            keep = torch.as_tensor(alive, device=place.device)
        # a frozen network's loss is masked out: no gradient reaches the others either way
        torch.where(keep, losses, torch.zeros_like(losses)).sum().backward()
        opt.step()
        last_loss = torch.where(torch.as_tensor(alive), host, last_loss)
        if step % first.eval_every == 0 or step == first.steps:
            evaluate(step)
    seconds = round((time.perf_counter() - start) / k_nets, 3)
    for k, res in enumerate(results):
        res.diverged = not bool(alive[k])
        res.final_loss = float(last_loss[k]) if alive[k] else math.inf
        res.seconds = seconds
    return results


__all__ = ["MLP", "SHARED_FIELDS", "TrainConfig", "TrainResult", "load_digits_split", "train",
           "train_many"]
