"""``theorycheck compare``: the redesign safety net finds every difference but timings."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from typer.testing import CliRunner

from theorycheck.cli import _load_commands, app
from theorycheck.report.compare import diff_results

BASE = {
    "run": {"profile": "quick", "dps": 30, "seed": 0, "device": "cpu", "code_version": "a"},
    "claims": [{"id": "qmap", "verdict": "holds", "seconds": 1.0, "checks": [
        {"method": "symbolic", "name": "map", "status": "passed", "seconds": 0.1,
         "evidence": {"q_star": "0.5", "q_star_err": "1e-30"}},
        {"method": "numeric", "name": "plane", "status": "passed", "seconds": 2.0,
         "evidence": {"max": "0.9"}}]}],
}


def test_same_results_but_timings_and_provenance_give_no_difference() -> None:
    new = copy.deepcopy(BASE)
    new["run"]["code_version"] = "b"
    new["claims"][0]["seconds"] = 9.0
    new["claims"][0]["checks"][1]["seconds"] = 7.0
    assert diff_results(BASE, new) == []


def test_a_changed_number_and_verdict_are_each_reported() -> None:
    new = copy.deepcopy(BASE)
    new["claims"][0]["verdict"] = "fails"
    new["claims"][0]["checks"][0]["evidence"]["q_star"] = "0.6"
    lines = diff_results(BASE, new)
    assert 'claims[qmap].verdict: "holds" -> "fails"' in lines
    assert any("q_star" in line and '"0.5" -> "0.6"' in line for line in lines)
    assert len(lines) == 2


def test_an_inserted_check_is_reported_as_itself_not_as_a_shift() -> None:
    new = copy.deepcopy(BASE)
    new["claims"][0]["checks"].insert(1, {"method": "numeric", "name": "certified: x < 1",
                                          "status": "passed", "evidence": {}})
    assert diff_results(BASE, new) == [
        'claims[qmap].checks[numeric:certified: x < 1]: added ("passed")']


def test_cli_exit_status_says_whether_results_differ(tmp_path: Path) -> None:
    old, same, other = tmp_path / "old.json", tmp_path / "same.json", tmp_path / "other.json"
    old.write_text(json.dumps(BASE))
    same.write_text(json.dumps(BASE))
    changed = copy.deepcopy(BASE)
    changed["claims"][0]["checks"][1]["evidence"]["max"] = "1.1"
    other.write_text(json.dumps(changed))
    _load_commands()
    runner = CliRunner()
    assert runner.invoke(app, ["compare", str(old), str(same)]).exit_code == 0
    result = runner.invoke(app, ["compare", str(old), str(other)])
    assert result.exit_code == 1 and "max" in result.output
