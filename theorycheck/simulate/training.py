"""Real training runs: mean-field-initialised fully connected networks trained on scikit-learn's
digits (8x8 images, 10 classes; shipped with scikit-learn, nothing is downloaded).

The set-up follows seed 002, Sec. 4.1 (scaled down to digits): a constant-width MLP of ``depth``
hidden layers ``x^l = W^l phi(x^(l-1)) + b^l`` (the same placement as
:mod:`theorycheck.simulate.networks`; the first layer acts on the pixels linearly), weights
``N(0, sw2/N_in)`` or ``sqrt(sw2)`` times a Haar orthogonal matrix, biases ``N(0, sb2)``, a final
linear read-out to 10 logits (same initialisation), cross-entropy loss, SGD (optionally with
momentum), pixels scaled to [-0.5, 0.5] ([0.25, 0.75] for activations with range [0, 1]).

Determinism: every random choice (initialisation, mini-batch order) comes from one
``torch.Generator`` seeded with ``seed``; on the CPU two runs with the same config and seed give
bit-identical curves. On CUDA, ``torch.use_deterministic_algorithms`` is not forced (matmul
reductions may differ in the last bits).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.simulate.device import resolve
from theorycheck.simulate.networks import haar_orthogonal

UNIT_RANGE = ("sigmoid", "hard_sigmoid", "logistic")


@dataclass(frozen=True)
class TrainConfig:
    """One training run. ``steps`` mini-batch SGD steps of size ``batch``; ``eval_every`` steps
    between recorded train-accuracy points (the full training set is evaluated)."""

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
    device: str = "cpu"
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
    from sklearn.datasets import load_digits

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
    """Constant-width MLP with a mean-field initialisation (see the module docstring)."""

    def __init__(self, act: Any, in_dim: int, width: int, depth: int, classes: int) -> None:
        super().__init__()
        dims = [in_dim] + [width] * depth
        self.hidden = torch.nn.ModuleList(torch.nn.Linear(a, b)
                                          for a, b in itertools.pairwise(dims))
        self.out = torch.nn.Linear(width, classes)
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.hidden[0](x)
        for layer in self.hidden[1:]:
            h = layer(self.act(h))
        return self.out(self.act(h))

    @torch.no_grad()
    def initialise(self, gen: torch.Generator, sw2: float, sb2: float, kind: str) -> None:
        """W ~ N(0, sw2/N_in) or sqrt(sw2 max(1, N_out/N_in)) x Haar; b ~ N(0, sb2)."""
        from theorycheck.simulate.device import Placement

        for lin in [*self.hidden, self.out]:
            w = lin.weight
            place = Placement(w.device, w.dtype)
            n_out, n_in = w.shape
            if kind == "gaussian":
                new = torch.randn(n_out, n_in, generator=gen, device=w.device, dtype=w.dtype)
                new.mul_(math.sqrt(sw2 / n_in))
            else:
                new = haar_orthogonal(gen, place, 1, n_out, n_in)[0]
                new.mul_(math.sqrt(sw2 * max(1.0, n_out / n_in)))
            w.copy_(new)
            b = torch.randn(n_out, generator=gen, device=w.device, dtype=w.dtype)
            lin.bias.copy_(b.mul_(math.sqrt(sb2)))


def _torch_act(name: str) -> Any:
    from theorycheck.activations import get_activation

    return get_activation(name).torch(0)


def train(cfg: TrainConfig) -> TrainResult:
    """Train one network; returns its train/test accuracy curve. A run whose loss becomes
    non-finite is stopped and marked ``diverged`` (its accuracy is that of the last finite
    evaluation, or chance).

    On the CPU the run uses one intra-op thread (restored afterwards): these matrices are tiny,
    and thread hand-offs on a loaded 2-core machine made runs 30x slower.
    """
    place = resolve(cfg.device, cfg.precision)
    if place.is_cuda:
        return _train(cfg, place)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(cfg, place)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: TrainConfig, place: Any) -> TrainResult:
    start = time.perf_counter()
    gen = place.generator(cfg.seed)
    unit = cfg.activation.lower() in UNIT_RANGE
    xtr, ytr, xte, yte = load_digits_split(cfg.train_size, cfg.seed, unit_range=unit)
    xt = torch.as_tensor(xtr, dtype=place.dtype, device=place.device)
    yt = torch.as_tensor(ytr, device=place.device)
    xv = torch.as_tensor(xte, dtype=place.dtype, device=place.device)
    yv = torch.as_tensor(yte, device=place.device)
    model = MLP(_torch_act(cfg.activation), xt.shape[1], cfg.width, cfg.depth, 10)
    model.to(device=place.device, dtype=place.dtype)
    model.initialise(gen, cfg.sw2, cfg.sb2, cfg.weights)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    loss_fn = torch.nn.CrossEntropyLoss()
    res = TrainResult(config=cfg, device=place.name)

    def evaluate(step: int) -> None:
        with torch.no_grad():
            res.steps_at.append(step)
            res.train_acc.append(float((model(xt).argmax(1) == yt).double().mean()))
            res.test_acc.append(float((model(xv).argmax(1) == yv).double().mean()))

    evaluate(0)
    n = xt.shape[0]
    order = torch.randperm(n, generator=gen, device=place.device)
    pos = 0
    loss = torch.tensor(math.nan)
    for step in range(1, cfg.steps + 1):
        if pos + cfg.batch > n:
            order = torch.randperm(n, generator=gen, device=place.device)
            pos = 0
        idx = order[pos:pos + cfg.batch]
        pos += cfg.batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xt[idx]), yt[idx])
        if not torch.isfinite(loss):
            res.diverged = True
            break
        loss.backward()
        opt.step()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            evaluate(step)
    res.final_loss = float(loss.detach()) if torch.isfinite(loss) else math.inf
    res.seconds = round(time.perf_counter() - start, 3)
    return res


__all__ = ["MLP", "TrainConfig", "TrainResult", "load_digits_split", "train"]
