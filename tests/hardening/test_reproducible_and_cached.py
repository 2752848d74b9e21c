"""Same command, same seed, same device -> the same numbers; the run records what repeats it; a
cached result is bit-identical to a computed one; the cache codec and keys are faithful."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np
import pytest
from typer.testing import CliRunner

from theorycheck.cache import (
    DiskCache,
    UncacheableError,
    code_version,
    decode,
    encode,
    key_of,
    use_cache,
)
from theorycheck.cli import _load_commands, app
from theorycheck.numbers import Estimate

_load_commands()
runner = CliRunner()
TIMING_KEYS = {"seconds", "started", "finished", "cache", "command"}


def without_timings(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: without_timings(v) for k, v in doc.items() if k not in TIMING_KEYS}
    if isinstance(doc, list):
        return [without_timings(v) for v in doc]
    return doc


def verify_json(args: list[str]) -> dict[str, Any]:
    r = runner.invoke(app, ["verify", *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_same_seed_same_evidence(tmp_path: Path) -> None:
    args = ["sylvester-cholesky", "chi-square-variance", "--seed", "7", "--device", "cpu",
            "--cache-dir", str(tmp_path / "cache")]
    a, b = verify_json(args), verify_json(args)
    assert without_timings(a["claims"]) == without_timings(b["claims"])
    run = a["run"]
    for key in ("seed", "dps", "profile", "device", "device_name", "packages", "python"):
        assert run[key] not in (None, "", {}), key
    assert run["seed"] == 7 and run["code_version"] == code_version()
    assert run["command"].startswith("theorycheck ") or "verify" in run["command"]
    assert set(run["cache"]) >= {"dir", "hits", "misses", "writes"}


def test_cached_meanfield_points_equal_computed(tmp_path: Path) -> None:
    from theorycheck.errors import Status, TheoryCheckError
    from theorycheck.meanfield import MeanField

    def compute() -> tuple[Estimate, Any]:
        mf = MeanField("tanh", dps=15)
        return mf.q_star(1.5, 0.05), mf.eoc_sw2("0.05")

    plain = compute()
    store = DiskCache(tmp_path)
    previous = use_cache(store)
    try:
        first, second = compute(), compute()
        with pytest.raises(TheoryCheckError) as err:
            MeanField("relu", dps=15).q_star(3, 0)
        with pytest.raises(TheoryCheckError) as err2:  # a deterministic failure is cached too
            MeanField("relu", dps=15).q_star(3, 0)
    finally:
        use_cache(previous)
    assert err.value.status == err2.value.status == Status.NO_FINITE_FIXED_POINT
    assert str(err.value) == str(err2.value)
    assert store.writes == 3 and store.hits == 3
    for got in (first, second):
        assert got[0] == plain[0] and got[0].value._mpf_ == plain[0].value._mpf_
        assert got[1].to_json() == plain[1].to_json()


def test_cached_simulation_equals_computed(tmp_path: Path) -> None:
    from theorycheck.placement import CPU
    from theorycheck.simulate import measure

    kwargs = {"sw2": 1.5, "sb2": 0.05, "width": 16, "depth": 3, "samples": 8, "seed": 3,
              "placement": CPU}
    plain = measure("variance", "tanh", **kwargs).to_json()
    store = DiskCache(tmp_path)
    previous = use_cache(store)
    try:
        first = measure("variance", "tanh", **kwargs).to_json()
        second = measure("variance", "tanh", **kwargs).to_json()
        other = measure("variance", "tanh", **{**kwargs, "seed": 4}).to_json()
    finally:
        use_cache(previous)
    assert plain == first == second != other
    assert store.hits == 1 and store.writes == 2


def test_codec_is_lossless() -> None:
    values = [mp.mpf(1) / 3, -mp.mpf("1e-300"), mp.mpf(0), 2.5, float("nan"), float("-inf"),
              np.arange(6, dtype=np.float32).reshape(2, 3), np.float64(0.1), (1, "a", None),
              {(1, 2): [True]}, Estimate(mp.mpf(2) ** -70, mp.mpf(0), "m")]
    with mp.workprec(200):
        values.append(mp.pi + 0)
    for value in values:
        back = decode(json.loads(json.dumps(encode(value), allow_nan=False)))
        if isinstance(value, np.ndarray):
            assert back.dtype == value.dtype and np.array_equal(back, value)
        elif isinstance(value, float) and value != value:
            assert back != back
        elif isinstance(value, mp.mpf):
            assert back._mpf_ == value._mpf_
        else:
            assert back == value and type(back) is type(value)
    with pytest.raises(UncacheableError):
        encode(object())


def test_keys_distinguish_what_computes_differently() -> None:
    assert key_of(0.05) != key_of("0.05") != key_of(mp.mpf(0.05))
    assert key_of(1) != key_of(1.0)
    with pytest.raises(UncacheableError):
        key_of(lambda x: x)


def test_corrupt_entry_is_recomputed(tmp_path: Path) -> None:
    store = DiskCache(tmp_path)
    assert store.memo_encoded("t", {"a": 1}, lambda: mp.mpf(3)) == 3
    (entry,) = list(tmp_path.rglob("*.json"))
    entry.write_text('{"value": {"__mpf__"')  # a torn write from another tool
    assert store.memo_encoded("t", {"a": 1}, lambda: mp.mpf(4)) == 4
    json.loads(entry.read_text())


def test_no_cache_flag_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = verify_json(["sylvester-cholesky", "--no-cache"])["run"]
    assert run["cache"]["dir"] is None
    assert not (tmp_path / ".theorycheck-cache").exists()
