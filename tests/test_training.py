"""Real training runs (theorycheck.simulate.training): determinism under a seed, the data
split, initialisation statistics, stacked training equal to training alone, divergence, and
argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from theorycheck.errors import TheoryCheckError
from theorycheck.placement import CPU
from theorycheck.simulate.device import TorchPlacement
from theorycheck.simulate.training import (
    MLP,
    TrainConfig,
    load_digits_split,
    train,
    train_many,
)


def test_same_seed_same_curve() -> None:
    cfg = TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=7)
    a, b = train(cfg, placement=CPU), train(cfg, placement=CPU)
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
    assert a.final_loss == b.final_loss


def test_different_seed_different_curve() -> None:
    a = train(TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=1), placement=CPU)
    b = train(TrainConfig(depth=4, width=16, steps=40, eval_every=10, seed=2), placement=CPU)
    assert a.train_acc != b.train_acc


def test_shallow_network_learns_digits() -> None:
    r = train(TrainConfig(depth=2, width=32, sw2=1.0, steps=200, eval_every=200, seed=0),
              placement=CPU)
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
    net = MLP(torch.tanh, 200, 200, 3, 10, networks=2).double()
    gen = torch.Generator().manual_seed(0)
    net.initialise(1, gen, TorchPlacement(CPU, torch.device("cpu"), torch.float64), 1.7, 0.3,
                   kind)
    w = net.weights[1][1].detach()
    assert abs(float((w**2).sum(1).mean()) - 1.7) < 5 * 1.7 * math.sqrt(2 / 200) / math.sqrt(200)
    b = torch.cat([bias[1, 0].detach() for bias in net.biases[:-1]])
    assert abs(float(b.var()) - 0.3) < 5 * 0.3 * math.sqrt(2 / b.numel())


def test_a_network_trains_the_same_alone_or_stacked() -> None:
    """Stacking networks (train_many) changes nothing for any of them: same initial draws,
    data split and batch order from its own seed, and no operation mixes the networks."""
    cfgs = [TrainConfig(depth=5, width=16, steps=60, eval_every=20, sw2=sw2, sb2=0.05,
                        seed=seed, weights=kind, precision="float64")
            for sw2, seed, kind in [(1.2, 0, "gaussian"), (2.5, 3, "orthogonal"),
                                    (0.7, 1, "gaussian")]]
    stacked = train_many(cfgs, placement=CPU)
    for cfg, together in zip(cfgs, stacked, strict=True):
        alone = train(cfg, placement=CPU)
        assert together.config == cfg
        assert together.steps_at == alone.steps_at == [0, 20, 40, 60]
        assert together.train_acc == alone.train_acc and together.test_acc == alone.test_acc
        assert abs(together.final_loss - alone.final_loss) < 1e-12
    assert stacked[0].train_acc != stacked[1].train_acc


def test_a_diverging_network_is_frozen_without_touching_the_others() -> None:
    """x|x| maps the variance q to 3 sw2 q^2: at sw2 = 2 the digits' signal grows past its
    unstable fixed point and float32 overflows within the first steps; the network at
    sw2 = 0.3 in the same stack trains exactly as it does alone."""
    healthy = TrainConfig(activation="x*Abs(x)", depth=3, width=16, steps=60, eval_every=10,
                          sw2=0.3)
    blowing = TrainConfig(activation="x*Abs(x)", depth=3, width=16, steps=60, eval_every=10,
                          sw2=2.0)
    ok, bad = train_many([healthy, blowing], placement=CPU)
    assert bad.diverged and bad.final_loss == math.inf and bad.steps_at[-1] < 60
    assert not ok.diverged and ok.steps_at[-1] == 60
    alone = train(healthy, placement=CPU)
    assert ok.train_acc == alone.train_acc and ok.final_loss == alone.final_loss


def test_stacked_configs_must_share_the_architecture() -> None:
    with pytest.raises(TheoryCheckError, match="depth"):
        train_many([TrainConfig(depth=2, width=8, steps=2),
                    TrainConfig(depth=3, width=8, steps=2)], placement=CPU)
    assert train_many([], placement=CPU) == []


def test_bad_config_raises() -> None:
    with pytest.raises(TheoryCheckError):
        TrainConfig(depth=0)
    with pytest.raises(TheoryCheckError):
        TrainConfig(weights="uniform")
