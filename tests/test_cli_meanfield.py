"""CLI: JSON keys, decimal strings with dps digits, one-line errors with non-zero exit."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from theorycheck.cli import _load_commands, app

_load_commands()
runner = CliRunner()

KEYS = {"activation", "sw2", "sb2", "dps", "q_star", "chi1", "beta", "mu1", "mu2", "c_star",
        "xi_q", "xi_c", "notes"}


def test_meanfield_json() -> None:
    r = runner.invoke(app, ["meanfield", "relu", "--sw2", "1.5", "--sb2", "0.1", "--dps", "25",
                            "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc.keys() >= KEYS
    assert all(f"{k}_err" in doc for k in ("q_star", "chi1", "beta"))
    assert doc["q_star"].startswith("0.4000000000000000000000")
    assert len(doc["q_star"].replace(".", "").lstrip("0")) >= 25


def test_meanfield_errors_are_one_line() -> None:
    for args, status in ((["relu", "--sw2", "2.5", "--sb2", "0.1"], "no-finite-fixed-point"),
                         (["exp(x**2)", "--sw2", "1", "--sb2", "0.1"], "divergent-integral"),
                         (["no_such_act", "--sw2", "1", "--sb2", "0.1"], "unknown-activation")):
        r = runner.invoke(app, ["meanfield", *args])
        assert r.exit_code == 2
        assert status in r.output and len(r.output.strip().splitlines()) == 1


def test_eoc_json() -> None:
    r = runner.invoke(app, ["eoc", "tanh", "--sb2", "0.05", "--dps", "20", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"activation", "sb2", "sw2", "q_star", "beta", "mu1", "mu2", "notes"} <= doc.keys()
    assert doc["sw2"].startswith("1.76095463960673913")


def test_phase_writes_npz_and_pngs(tmp_path) -> None:
    r = runner.invoke(app, ["phase", "tanh", "--grid", "20", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    names = {p.name for p in tmp_path.iterdir()}
    assert "tanh_phase.npz" in names and "tanh_beta.png" in names


def test_phase_default_range_contains_the_edge_of_chaos() -> None:
    """sigmoid's critical line sits near sw2 = 103 (seed 002, Thm 1): the default plane must
    show it; tanh's EOC at sb2 = 0 is its DI point sw2 = 1."""
    from theorycheck.cli.meanfield_cmds import default_sw2_range
    from theorycheck.meanfield import MeanField

    lo, hi = default_sw2_range(MeanField("sigmoid", dps=15))
    assert lo < 103.0 < hi
    assert default_sw2_range(MeanField("tanh", dps=15)) == (0.5, 4.0)
    assert default_sw2_range(MeanField("relu", dps=15)) == (0.5, 4.0)  # no EOC point at sb2 = 0


def test_meanfield_check_and_certify_from_the_points_enclosures() -> None:
    """--check: the Arb point against the mpmath path, within errors; --certify reuses the
    point's enclosures (the same [lo, hi] as a separate certify_point) and c* has 30 digits."""
    from theorycheck.meanfield.certified import certify_point

    r = runner.invoke(app, ["meanfield", "tanh", "--sw2", "1.5", "--sb2", "0.3", "--dps", "20",
                            "--json", "--check", "--certify"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["check"]["agree"] and not doc["check"]["same_route"]
    assert doc["check"]["numbers"]["q_star"]["within_errors"]
    assert doc["certified"] and doc["seconds"] > 0
    alone = certify_point("tanh", "1.5", "0.3", 20)
    assert doc["q_star_enclosure"] == alone["q_star"].to_json(20)
