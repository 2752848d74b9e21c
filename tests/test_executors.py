"""Executors (issue 15): serial, processes and dask give the same verdicts and numbers; seeds
come from the task key, never the scheduling order; a worker that dies is retried once, then
reported ``worker-lost``; the driver writes the cache entries workers return."""

from __future__ import annotations

import copy
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import _executor_tasks as jobs
import pytest

from theorycheck.cache import DiskCache, use_cache
from theorycheck.claims import registry
from theorycheck.claims.dask_executor import DaskExecutor
from theorycheck.claims.executors import WORKER_LOST, Executor, ProcessExecutor, Task, task_seed
from theorycheck.claims.model import RunContext
from theorycheck.claims.pieces import run_pieces
from theorycheck.claims.runner import make_executor, run
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.report.compare import diff_results

ROOT = Path(__file__).resolve().parents[1]
CHEAP = ["sylvester-cholesky", "schur-determinant"]


@pytest.fixture(autouse=True)
def workers_find_the_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes import ``_executor_claims`` by name: put tests/ on their path."""
    path = os.pathsep.join([str(ROOT / "tests"), str(ROOT), os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.fixture
def test_claims() -> Iterator[None]:
    """The helper module's claims, registered for one test and removed after it (the module
    is imported here, not at collection, so that no other test sees its claims)."""
    registry.discover()
    before = dict(registry._REGISTRY), dict(registry._OWNERS)
    if "_executor_claims" in sys.modules:
        importlib.reload(sys.modules["_executor_claims"])
    else:
        importlib.import_module("_executor_claims")
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(before[0])
    registry._OWNERS.clear()
    registry._OWNERS.update(before[1])


def by_key(executor: Executor, tasks: list[Task]) -> dict[str, object]:
    with executor:
        return {r.task.key: (r.status, r.value, r.attempts) for r in executor.run(tasks)}


def test_task_seeds_depend_on_the_task_only() -> None:
    # pinned: a change of the derivation would silently change every sub-task's numbers
    assert task_seed(0, "qmap", "width=64") == 4414101550835434701
    seeds = {task_seed(s, c, k) for s in (0, 1) for c in ("a", "b") for k in ("x", "y")}
    assert len(seeds) == 8 and all(0 <= s < 2**63 for s in seeds)
    tasks = [Task(f"k{i}", jobs.draw, (7, "claim", f"k{i}")) for i in range(6)]
    serial = by_key(Executor(), tasks)
    # two workers, the tasks handed out in the opposite order: the same draws by key
    pooled = by_key(ProcessExecutor(workers=2), tasks[::-1])
    assert pooled == serial
    assert len({value for _, value, _ in serial.values()}) == 6


def check_worker_deaths(executor: Executor, tmp_path: Path) -> None:
    """A task whose worker always dies is lost after two attempts, its neighbours are not;
    one that dies once succeeds on its retry."""
    with executor:
        results = {r.task.key: (r.status, r.value, r.attempts) for r in executor.run([
            Task("square", jobs.square, (4,)), Task("dies", jobs.die),
            Task("square-2", jobs.square, (5,))])}
        # alone, so that its first attempt is surely its own (not lost with another's worker)
        once = [(r.status, r.value, r.attempts) for r in executor.run(
            [Task("dies-once", jobs.die_once, (str(tmp_path / "marker"),))])]
    assert set(results) == {"square", "dies", "square-2"}  # never a silent gap
    assert results["dies"][0] == WORKER_LOST and results["dies"][2] == 2
    assert results["square"][:2] == ("done", 16) and results["square-2"][:2] == ("done", 25)
    assert once == [("done", "second attempt", 2)]


def test_a_dying_process_worker_is_retried_once_then_lost(tmp_path: Path) -> None:
    check_worker_deaths(ProcessExecutor(workers=2), tmp_path)


def test_a_dying_dask_worker_is_retried_once_then_lost(tmp_path: Path) -> None:
    check_worker_deaths(DaskExecutor(workers=2), tmp_path)


@pytest.mark.usefixtures("test_claims")
def test_a_claim_whose_worker_dies_is_inconclusive_worker_lost() -> None:
    with ProcessExecutor(workers=1) as pool:
        lost = run(["executor-test-dies"], RunContext(), executor=pool)["claims"][0]
    assert lost["verdict"] == "inconclusive"
    assert lost["checks"][0]["evidence"]["error_status"] == WORKER_LOST
    assert lost["checks"][0]["evidence"]["attempts"] == 2
    assert "worker lost" in lost["checks"][0]["summary"]


@pytest.mark.usefixtures("test_claims")
def test_the_driver_writes_the_cache_entries_workers_return(tmp_path: Path) -> None:
    with ProcessExecutor(workers=1) as pool:
        for expected_hits, expected_writes in ((0, 1), (1, 0)):
            cache = DiskCache(tmp_path / "cache")
            previous = use_cache(cache)
            try:
                results = run(["executor-test-cached"], RunContext(
                    cache_dir=str(cache.directory)), executor=pool)
            finally:
                use_cache(previous)
            assert results["claims"][0]["verdict"] == "holds"
            stats = results["run"]["cache"]
            assert (stats["hits"], stats["writes"]) == (expected_hits, expected_writes)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1


def verify_json(ids: list[str], *options: str) -> dict[str, object]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "theorycheck", "verify", *ids, "--json",
                           "--no-cache", *options], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def check_same_everywhere(ids: list[str]) -> None:
    serial = verify_json(ids, "--executor", "serial")
    for name in ("processes", "dask"):
        pooled = verify_json(ids, "--executor", name, "--workers", "2")
        assert diff_results(serial, pooled) == [], name
        assert [c["id"] for c in pooled["claims"]] == [c["id"] for c in serial["claims"]]
        run_info = pooled["run"]
        assert (run_info["executor"], run_info["workers"], run_info["address"]) == (name, 2, None)
    assert serial["run"]["executor"] == "serial"


def test_processes_and_dask_give_the_serial_verdicts_and_numbers() -> None:
    check_same_everywhere(CHEAP)


@pytest.mark.slow
def test_the_issue_selection_gives_the_serial_numbers_everywhere() -> None:
    check_same_everywhere(["chi1-jacobian", "qmap", "sylvester-cholesky"])


def test_compare_ignores_the_executor_like_timings() -> None:
    old = {"run": {"profile": "quick", "seed": 0, "executor": "serial", "workers": 1,
                   "address": None}, "claims": []}
    new = copy.deepcopy(old)
    new["run"].update(executor="dask", workers=8, address="tcp://10.0.0.1:8786")
    assert diff_results(old, new) == []


@pytest.mark.parametrize(("name", "workers", "address", "message"), [
    ("processes", 0, None, "--workers must be >= 1"),
    ("serial", 1, "tcp://h:8786", "--address joins a Dask cluster"),
    ("threads", 2, None, "unknown executor"),
])
def test_bad_executor_options_are_user_errors(name: str, workers: int, address: str | None,
                                              message: str) -> None:
    with pytest.raises(TheoryCheckError, match=message):
        make_executor(name, workers, address)


@pytest.mark.usefixtures("test_claims")
def test_the_time_budget_stops_a_claim_in_a_dask_worker_thread() -> None:
    start = time.monotonic()
    with DaskExecutor(workers=1) as pool:
        stopped = run(["executor-test-hangs"], RunContext(max_seconds=1.0),
                      executor=pool)["claims"][0]
    assert time.monotonic() - start < 60
    assert stopped["verdict"] == "inconclusive"
    check = next(c for c in stopped["checks"] if c["name"] == "claim")
    assert check["evidence"]["error_status"] == "time-budget-exceeded"
    assert "time budget of 1.0 s exceeded" in check["summary"]


def test_dask_missing_is_a_user_error_that_names_the_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)   # `import distributed` now fails
    with pytest.raises(TheoryCheckError, match=r"theorycheck\[dask\]") as err:
        make_executor("dask", 2)
    assert err.value.status == Status.INVALID_ARGUMENT


def test_more_than_one_worker_defaults_to_processes() -> None:
    assert make_executor(None, 1).name == "serial"
    pool = make_executor(None, 2)
    assert (pool.name, pool.workers) == ("processes", 2)
    pool.close()


def test_pieces_come_back_by_key_in_the_order_asked_and_a_lost_one_is_an_error() -> None:
    pieces = {"a": (3,), "b": (1,), "c": (2,)}
    serial = run_pieces(RunContext(), "claim", jobs.square, pieces)
    with ProcessExecutor(workers=2) as pool:
        ctx = RunContext(executor=pool)
        pooled = run_pieces(ctx, "claim", jobs.square, pieces)
        with pytest.raises(TheoryCheckError) as lost:
            run_pieces(ctx, "claim", jobs.die, {"x": ()})
    assert list(pooled.items()) == list(serial.items()) == [("a", 9), ("b", 1), ("c", 4)]
    assert lost.value.status == Status.WORKER_LOST


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":  # state, parent pid
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_stops_a_pooled_run_and_its_workers(tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "theorycheck", "verify", "qmap",
                             "depth-scales", "--workers", "2", "--cache-dir",
                             str(tmp_path / "cache")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = children(proc.pid)
    assert len(workers) >= 2, "the workers never started"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted (SIGTERM)" in stderr and "re-run to resume" in stderr
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)], "a worker outlived the run"


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (exists and is not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.usefixtures("test_claims")
def test_a_splitting_claim_sends_its_pieces_to_the_workers_and_counts_them() -> None:
    records, counts = {}, {}
    for executor in (Executor(), ProcessExecutor(workers=2)):
        seen: list[tuple[str, int, int]] = []
        with executor:
            results = run(["executor-test-pieces"], RunContext(), executor=executor,
                          on_task=lambda *event: seen.append(event))  # noqa: B023
        records[executor.name] = results["claims"][0]
        counts[executor.name] = seen
    assert diff_results({"claims": [records["serial"]]}, {"claims": [records["processes"]]}) == []
    assert records["processes"]["verdict"] == "holds"
    expected = [("executor-test-pieces", done, 3) for done in (1, 2, 3)]
    assert counts == {"serial": expected, "processes": expected}
