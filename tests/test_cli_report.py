"""`theorycheck report` and `theorycheck activation` from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import theorycheck.cli.report_cmds  # noqa: F401 - registers the commands
from theorycheck.activations import Activation, get_activation
from theorycheck.cli.app import app
from theorycheck.report import activation as act_report
from theorycheck.report import write_report
from theorycheck.report.sample import sample_results

runner = CliRunner()


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    out = write_report(sample_results(), tmp_path / "src", formats="json")
    return out / "results.json"


def test_report_rerenders_from_results_json(results_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "new"
    result = runner.invoke(app, ["report", "--from", str(results_file), "--out", str(out),
                                 "--format", "md,html"])
    assert result.exit_code == 0, result.output
    assert (out / "index.md").is_file() and (out / "index.html").is_file()
    assert not (out / "results.json").exists()
    assert len(list((out / "claims").glob("*.html"))) == len(sample_results()["claims"])


def test_report_in_place_defaults_to_the_folder_of_from(results_file: Path) -> None:
    result = runner.invoke(app, ["report", "--from", str(results_file)])
    assert result.exit_code == 0, result.output
    folder = results_file.parent
    assert {"index.md", "index.html", "results.json"} <= {p.name for p in folder.iterdir()}
    assert json.loads(results_file.read_text()) == sample_results()


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--from", "nowhere/results.json", "--out", "x"], "no such file"),
    (["report", "--format", "pdf"], "unknown report format"),
    (["activation", "__import__('os')"], "error ["),
    (["activation", "tanh", "--dps", "5"], "--dps must be between"),
])
def test_user_errors_exit_2_with_one_line(args: list[str], message: str,
                                          tmp_path: Path) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_report_refuses_a_non_json_file(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["report", "--from", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "cannot read" in result.output


def _stub_build(activation: Activation, ctx: Any, **_: Any) -> dict[str, Any]:
    """The report builder's output shape; the CLI hands it the Activation it parsed once."""
    assert isinstance(activation, Activation)
    name = activation.name
    return {"activation": {"name": name, "formula": name, "latex": name,
                           "builtin": True, "properties": {}},
            "eoc": {"points": [], "errors": []}, "di_point": None, "di_note": "stub",
            "notes": [], "figures": [], **sample_results()}


def test_activation_json_and_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(act_report, "build_activation_report", _stub_build)
    out = tmp_path / "act"
    result = runner.invoke(app, ["activation", "tanh", "--json", "--out", str(out),
                                 "--device", "cpu"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["activation"]["name"] == "tanh"
    assert json.loads((out / "activation.json").read_text()) == doc
    assert (out / "activation.html").is_file() and (out / "activation.md").is_file()


def test_activation_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(act_report.EOC_SB2, "quick", (0.0,))
    monkeypatch.setattr(act_report, "per_activation_claim_ids", lambda: ["sylvester-cholesky"])
    out = tmp_path / "softsign"
    result = runner.invoke(app, ["activation", "x/(1+Abs(x))", "--out", str(out), "--dps", "10",
                                 "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "sylvester-cholesky" in result.stdout and "report written" in result.stdout
    doc = json.loads((out / "activation.json").read_text())
    # recorded as parsed (the canonical formula); the command keeps what was typed
    assert doc["run"]["activations"] == [get_activation("x/(1+Abs(x))").name] == ["x/(Abs(x) + 1)"]
    assert doc["activation"]["properties"]["parity"]["value"] == "odd"
