"""Real training runs (theorycheck.simulate.training): determinism under a seed, the data
split, initialisation statistics and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from theorycheck.errors import TheoryCheckError
from theorycheck.simulate.training import MLP, TrainConfig, load_digits_split, train


def test_same_seed_same_curve() -> None:
    cfg = TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=7)
    a, b = train(cfg), train(cfg)
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
    assert a.final_loss == b.final_loss


def test_different_seed_different_curve() -> None:
    a = train(TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=1))
    b = train(TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=2))
    assert a.train_acc != b.train_acc


def test_shallow_network_learns_digits() -> None:
    r = train(TrainConfig(depth=2, width=32, sw2=1.0, steps=200, eval_every=200, seed=0))
    assert r.final_train_acc > 0.8 and not r.diverged


def test_digits_split() -> None:
    xtr, ytr, _xte, yte = load_digits_split(1000, seed=0)
    assert xtr.shape == (1000, 64) and len(yte) == 797
    assert xtr.min() >= -0.5 and xtr.max() <= 0.5
    xu, *_ = load_digits_split(1000, seed=0, unit_range=True)
    assert xu.min() >= 0.25 and xu.max() <= 0.75
    assert set(np.unique(ytr)) == set(range(10))


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
def test_initialisation_variance(kind: str) -> None:
    """E |W h|^2 = sw2 |h|^2 (per output, averaged) for both weight kinds; biases N(0, sb2)."""
    net = MLP(torch.tanh, 200, 200, 3, 10).double()
    gen = torch.Generator().manual_seed(0)
    net.initialise(gen, 1.7, 0.3, kind)
    w = net.hidden[1].weight.detach()
    assert abs(float((w**2).sum(1).mean()) - 1.7) < 5 * 1.7 * math.sqrt(2 / 200) / math.sqrt(200)
    b = torch.cat([lin.bias.detach() for lin in net.hidden])
    assert abs(float(b.var()) - 0.3) < 5 * 0.3 * math.sqrt(2 / b.numel())


def test_bad_config_raises() -> None:
    with pytest.raises(TheoryCheckError):
        TrainConfig(depth=0)
    with pytest.raises(TheoryCheckError):
        TrainConfig(weights="uniform")
