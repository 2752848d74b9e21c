"""``--device`` is resolved once into a Placement, and every simulation a run makes uses it.

The run-level tests record the placement every simulation entry point receives (through
``simulate.device.observed_placements``) during ``verify`` and ``theorycheck activation``,
with a placement that is not the default one: it runs on the CPU but carries its own name, so a
call that ignored the run's placement and resolved its own (``cpu``) would be recorded as the
plain CPU placement and fail the test, and an entry point that never converted the placement
it received would be missing from the record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from theorycheck.cache import key_of
from theorycheck.claims.model import RunContext
from theorycheck.claims.runner import run
from theorycheck.cli import _load_commands, app
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.placement import CPU, Placement, resolve_placement
from theorycheck.report import activation as act_report
from theorycheck.simulate import _measure_inputs
from theorycheck.simulate.device import observed_placements, torch_placement

#: a CPU placement that is not the default one: only the run can have handed it down
SENTINEL = Placement("cpu", name="cpu (placement test)")

#: claim -> the entry points its quick profile must reach (CNN paths and non-CNN ones)
ENTRIES = {
    "cnn-fixed-point": {"simulate.cnn.cnn_covariances"},
    "chi1-jacobian": {"simulate.cnn.cnn_jacobian_traces"},
    "mf-mi-lower-bound": {"simulate.sampled_bounds"},
}
#: the same for the slower claims (``-m slow``)
SLOW_ENTRIES = {
    "qmap": {"simulate.cnn.cnn_covariances"},
    "cmap-fixed-point": {"simulate.cnn.cnn_covariances"},
    "depth-scales": {"simulate.cnn.cnn_covariances"},
    "finite-width-ratio": {"simulate.kurtosis.measure_kurtosis", "proofs.finite_width_ratio"},
    "orthogonal-faster": {"simulate.training.train_many"},
}


def test_resolve_placement_values() -> None:
    assert resolve_placement("cpu") == CPU == Placement("cpu", "cpu")
    assert CPU.kind == "cpu" and not CPU.is_cuda and CPU.torch_device() == torch.device("cpu")
    gpu = Placement("cuda:1", "cuda:1 (a GPU)")
    assert gpu.kind == "cuda" and gpu.is_cuda
    assert len({gpu, Placement("cuda:1", "cuda:1 (a GPU)")}) == 1 and Placement("x").name == "x"
    with pytest.raises(TheoryCheckError) as err:
        resolve_placement("tpu")
    assert err.value.status == Status.INVALID_ARGUMENT
    with pytest.raises(AttributeError):
        CPU.device = "cuda"  # type: ignore[misc]


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present")
def test_auto_is_cpu_without_cuda_and_cuda_is_unavailable() -> None:
    assert resolve_placement("auto") == CPU
    for choice in ("cuda", "cuda:0"):
        with pytest.raises(TheoryCheckError) as err:
            resolve_placement(choice)
        assert err.value.status == Status.DEVICE_UNAVAILABLE


@pytest.mark.gpu
def test_cuda_placement_names_the_gpu() -> None:
    place = resolve_placement("auto")
    assert place.device == "cuda" and place.name == f"cuda ({torch.cuda.get_device_name(0)})"
    assert torch_placement(place, entry="test").dtype == torch.float32


def test_run_context_derives_device_and_name() -> None:
    ctx = RunContext(placement=Placement("cuda:1", "cuda:1 (a GPU)"))
    assert ctx.device == "cuda" and ctx.device_name == "cuda:1 (a GPU)"
    assert RunContext().placement == CPU and RunContext().device == "cpu"


def test_simulation_cache_key_keeps_its_content() -> None:
    """The key of a cached simulation names the display name and dtype, as before."""
    args = {"sw2": 1.5, "sb2": 0.05, "width": 16, "seed": 3}
    assert _measure_inputs("variance", "tanh", placement=SENTINEL, **args) == {
        "kind": "variance", "activation": ["str", "tanh"], "device": "cpu (placement test)",
        "dtype": "torch.float64", "arguments": key_of(args)}
    key = _measure_inputs("variance", "tanh", placement=CPU, precision="float32", **args)
    assert key is not None and (key["device"], key["dtype"]) == ("cpu", "torch.float32")


def _recorded_run(ids: list[str]) -> tuple[dict[str, Any], dict[str, list[tuple[str, Any]]]]:
    """Run ``ids`` on the sentinel placement; the (entry, placement) pairs of each claim."""
    per_claim: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    with observed_placements() as seen:
        def mark(claim: Any, record: dict[str, Any] | None) -> None:
            if record is None:  # the claim starts
                seen.clear()
            else:
                per_claim[claim.id] = list(seen)

        results = run(ids, RunContext(profile="quick", seed=0, placement=SENTINEL),
                      on_claim=mark)
    return results, per_claim


def _assert_all_on_sentinel(ids: dict[str, set[str]]) -> None:
    results, per_claim = _recorded_run(list(ids))
    assert (results["run"]["device"], results["run"]["device_name"]) == \
        ("cpu", "cpu (placement test)")
    for cid, wanted in ids.items():
        entries = {entry for entry, _ in per_claim[cid]}
        assert wanted <= entries, f"{cid}: reached {entries}, expected {wanted}"
        wrong = [(entry, p) for entry, p in per_claim[cid] if p != SENTINEL]
        assert not wrong, f"{cid} simulated off the run's placement: {wrong}"


def test_verify_simulates_on_the_run_placement() -> None:
    _assert_all_on_sentinel(ENTRIES)


@pytest.mark.slow
def test_verify_simulates_on_the_run_placement_slow_claims() -> None:
    _assert_all_on_sentinel(SLOW_ENTRIES)


def test_activation_command_simulates_on_its_placement(monkeypatch: pytest.MonkeyPatch) -> None:
    """``theorycheck activation --device cpu``: the resolved placement reaches the simulation of
    its per-activation claim, and the report records the device and its name apart."""
    import theorycheck.cli.report_cmds as report_cmds

    asked: list[str] = []

    def resolve(choice: str) -> Placement:
        asked.append(choice)
        return SENTINEL

    _load_commands()
    monkeypatch.setattr(report_cmds, "resolve_placement", resolve)
    monkeypatch.setattr(act_report, "per_activation_claim_ids", lambda: ["cnn-fixed-point"])
    monkeypatch.setitem(act_report.EOC_SB2, "quick", (0.0,))
    monkeypatch.setitem(act_report.PLANE_GRID, "quick", (12, 8))
    with observed_placements() as seen:
        result = CliRunner().invoke(app, ["activation", "tanh", "--json", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert asked == ["cpu"]
    assert (doc["run"]["device"], doc["run"]["device_name"]) == ("cpu", "cpu (placement test)")
    assert [c["id"] for c in doc["claims"]] == ["cnn-fixed-point"]
    assert {entry for entry, _ in seen} == {"simulate.cnn.cnn_covariances"}
    assert all(p == SENTINEL for _, p in seen), seen
