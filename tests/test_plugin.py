"""A researcher's own claim package: installed beside theorycheck, found through the entry-point
group ``theorycheck.claims``, listed and verified like our own claims (examples/plugin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mpmath as mp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "examples" / "plugin"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which the example package is installed (into a target folder on
    PYTHONPATH, so the test never changes the running environment)."""
    target = tmp_path_factory.mktemp("plugin-site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(PLUGIN)],
                   check=True, capture_output=True, text=True, timeout=300)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(target), str(ROOT)])
    return env


def _theorycheck(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "theorycheck", *args], env=env,
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_plugin_claim_is_listed_beside_ours(plugin_env: dict[str, str]) -> None:
    ids = [c["id"] for c in _theorycheck(plugin_env, "list", "--json")["claims"]]
    assert "relu-chi1-half" in ids
    assert "beta-le-one" in ids          # our own claims come through the same entry points


def test_plugin_claim_verdict_is_computed(plugin_env: dict[str, str]) -> None:
    result = _theorycheck(plugin_env, "verify", "relu-chi1-half", "--json", "--no-cache")
    record = result["claims"][0]
    assert record["verdict"] == "holds"
    checks = {c["method"]: c for c in record["checks"]}
    assert {m: c["status"] for m, c in checks.items()} == {
        "symbolic": "passed", "numeric": "passed", "property": "passed"}
    # the numbers against the closed form chi1 = sw2 / 2, independently of the claim's own test
    for row in checks["numeric"]["evidence"]["points"]:
        assert abs(mp.mpf(row["chi1"]) - mp.mpf(row["sw2"]) / 2) <= mp.mpf("1e-28")


def test_a_broken_plugin_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    """An entry point whose module fails to import is listed in load_errors; the rest load."""
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[theorycheck.claims]\nbroken = no_such_module_xyz\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    doc = _theorycheck(env, "list", "--json")
    assert "beta-le-one" in [c["id"] for c in doc["claims"]]
    assert [e["entry_point"] for e in doc["load_errors"]] == ["broken"]
    assert "no_such_module_xyz" in doc["load_errors"][0]["error"]
