"""An interrupted ``verify`` (Ctrl-C or SIGTERM) leaves the previous report byte-for-byte intact,
no staging folder, and a cache of valid JSON entries; the next run completes and reuses them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FAST = ["sylvester-cholesky", "chi-square-variance"]
#: claims that write cache entries (q*, EOC points) within seconds and take ~15 s in all
SLOW = ["orthogonal-faster", "depth-scales"]


def verify(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    # a terminal's foreground job gets Ctrl-C; a child of a pytest-xdist worker inherits an
    # ignored SIGINT, so the child restores Python's own handler first
    return subprocess.Popen([sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, "
                             "signal.default_int_handler); from theorycheck.cli import main; "
                             "main()", "verify", *args],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def cache_entries(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*.json") if not p.name.startswith(".tmp-")]


def wait_for(predicate, seconds: float, proc: subprocess.Popen[str]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"verify ended before it could be interrupted: {proc.communicate()}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("verify never reached the point where it is interrupted")


def staging_dirs(out: Path) -> list[Path]:
    return [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.staging-")]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_verify_keeps_report_and_cache(tmp_path: Path, sig: signal.Signals) -> None:
    out, cache = tmp_path / "D", tmp_path / "cache"
    common = ["--out", str(out), "--cache-dir", str(cache)]
    first = verify([*FAST, *common], tmp_path)
    assert first.wait(timeout=120) == 0, first.communicate()
    before = snapshot(out)
    assert "results.json" in before

    proc = verify([*SLOW, *common], tmp_path)
    wait_for(lambda: bool(cache_entries(cache)) and bool(staging_dirs(out)), 90, proc)
    proc.send_signal(sig)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    message = stderr.strip().splitlines()[-1]
    assert message.startswith(f"theorycheck: interrupted ({sig.name})"), stderr
    assert "previous report" in message and "re-run" in message
    assert snapshot(out) == before, "the previous report changed"
    assert staging_dirs(out) == [], "a staging folder was left behind"
    entries = cache_entries(cache)
    assert entries
    for entry in entries:
        json.loads(entry.read_text())  # every entry is complete, valid JSON
    if sig is signal.SIGTERM:
        return  # the resumed run is exercised once, after Ctrl-C

    # a run killed outright (SIGKILL) leaves its staging folder; the next run removes it
    stale = out.parent / f".{out.name}.staging-999999999-x"
    (stale / "figures").mkdir(parents=True)
    again = verify([*SLOW, *common, "--json"], tmp_path)
    stdout, stderr = again.communicate(timeout=240)
    assert again.returncode == 0, stderr
    run = json.loads(stdout)["run"]
    assert run["cache"]["hits"] > 0 and run["cache"]["dir"] == str(cache.resolve())
    assert {c["id"] for c in json.loads((out / "results.json").read_text())["claims"]} == set(SLOW)
    assert not stale.exists() and staging_dirs(out) == []
