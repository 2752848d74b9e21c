"""The activation report and reports rendered from real (small) verification runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from theorycheck.claims.model import RunContext
from theorycheck.claims.registry import discover
from theorycheck.claims.runner import run
from theorycheck.numbers import Precision
from theorycheck.report import ReportStaging, write_activation_report
from theorycheck.report import activation as act_report
from theorycheck.report.present import slug
from theorycheck.report.sample import sample_results

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def links_resolve(page: Path) -> None:
    """Every relative href/src (HTML) or link target (Markdown) of ``page`` is a file."""
    text = page.read_text(encoding="utf-8")
    pattern = r'(?:href|src)="([^"]+)"' if page.suffix == ".html" else r"\]\(([^)\s]+)\)"
    for link in re.findall(pattern, text):
        assert not link.startswith(("http:", "https:")), link
        assert (page.parent / link).resolve().is_file(), f"{page.name}: {link}"


def stub_plane(act: Any, sw2: np.ndarray, sb2: np.ndarray, *, with_xi_c: bool = True
               ) -> SimpleNamespace:
    """A phase plane in the meanfield contract's shape (sw2 on axis 0), invented values."""
    w, b = np.meshgrid(sw2, sb2, indexing="ij")
    return SimpleNamespace(sw2=sw2, sb2=sb2, beta=np.exp(-((w - 1) ** 2) - b),
                           chi1=w / (1 + b), notes={"grid": "stub"})


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two EOC points instead of the quick profile's six."""
    monkeypatch.setitem(act_report.EOC_SB2, "quick", (0.0, 0.1))
    monkeypatch.setitem(act_report.PLANE_GRID, "quick", (12, 8))
    monkeypatch.setitem(act_report.CMAP_GRID, "quick", (51, 5))


def test_activation_report_from_a_real_small_run(tmp_path: Path, fast: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import theorycheck.meanfield as meanfield

    monkeypatch.setattr(meanfield, "phase_plane", stub_plane, raising=False)
    out = tmp_path / "tanh"
    with ReportStaging(out) as staging:
        ctx = RunContext(precision=Precision(12), figure_dir=staging.figure_dir)
        doc = act_report.build_activation_report("tanh", ctx, claim_ids=["sylvester-cholesky"])
        staging.commit_activation(doc)
    stored = json.loads((out / "activation.json").read_text())
    assert stored == json.loads(json.dumps(doc))
    assert stored["activation"]["properties"]["parity"] == {"value": "odd",
                                                            "decided_by": "symbolic"}
    assert [p["sw2"][:6] for p in stored["eoc"]["points"]] == ["1.0000", "1.9860"]
    assert stored["di_point"]["sw2_exact"] == "1"
    assert stored["run"]["activations"] == ["tanh"] and stored["run"]["dps"] == 12
    html = (out / "activation.html").read_text()
    for claim in stored["claims"]:
        assert f'href="claims/{slug(claim["id"])}.html"' in html
        assert (out / "claims" / f"{slug(claim['id'])}.md").is_file()
        assert f'<span class="badge {claim["verdict"]}">' in html
    assert "1.98607264" in html and "edge of chaos" in html.lower()
    # beta and chi1 planes and three correlation maps (ordered, EOC, chaotic), PNG + SVG
    assert len(stored["figures"]) == 10
    assert sum("_cmap_" in f for f in stored["figures"]) == 6
    cmaps = [n for n in stored["notes"] if n.startswith("correlation map")]
    assert len(cmaps) == 3
    # ordered: only c = 1, stable; chaotic: c = 1 unstable and a stable c* < 1
    assert "c = 1 (slope" in cmaps[0] and "unstable" not in cmaps[0]
    assert "unstable" in cmaps[2] and cmaps[2].count("stable)") == 2
    # the Jacobian spectrum at the DI point (q* = 0: orthogonal weights give the atom 1 at 1,
    # Gaussian ones Fuss-Catalan m2 = L + 1) and on the EOC at sb2 = 0.1
    rows = {(r["point"], r["weights"]): r for r in stored["spectrum"]["rows"]}
    assert rows[("DI point", "orthogonal")]["atoms"] == "1 at 1"
    assert float(rows[("DI point", "gaussian")]["m2"]) == pytest.approx(11.0, rel=1e-12)
    assert float(rows[("EOC, sb2 = 0.1", "gaussian")]["m1"]) == pytest.approx(1.0, rel=1e-9)
    assert len(stored["spectrum"]["figures"]) == 6   # DI Gaussian, EOC x 2; PNG + SVG
    for rel in stored["spectrum"]["figures"]:
        assert (out / rel).stat().st_size > 0
    assert "Jacobian spectrum" in html
    for rel in stored["figures"]:
        assert (out / rel).stat().st_size > 0
    for page in (out / "activation.html", out / "activation.md",
                 *sorted((out / "claims").iterdir())):
        links_resolve(page)
    assert "← all claims" in (out / "claims" / "sylvester-cholesky.html").read_text()
    assert 'href="../activation.html"' in (out / "claims" / "sylvester-cholesky.html").read_text()


def test_activation_without_di_point_or_claims(fast: None) -> None:
    doc = act_report.build_activation_report("x + 1", RunContext(precision=Precision(10)),
                                             claim_ids=[])
    assert doc["di_point"] is None and "psi(0)" in doc["di_note"]
    assert doc["claims"] == [] and doc["run"]["dps"] == 10
    assert any("no registered claim" in n for n in doc["notes"])


def test_activation_report_with_stub_results(tmp_path: Path) -> None:
    results = sample_results()
    doc = {"activation": {"name": "stub", "formula": "x", "latex": "x", "builtin": False,
                          "properties": {"parity": {"value": "odd", "decided_by": "symbolic"}}},
           "eoc": {"points": [{"sb2": "0.1", "sw2": "1.5", "sw2_err": "1e-20"}],
                   "errors": [{"sb2": "2", "status": "no-root-in-range", "message": "none"}]},
           "di_point": None, "di_note": "psi'(0) = 0", "notes": [], "figures": [],
           **results}
    out = write_activation_report(doc, tmp_path / "stub", formats="md,html")
    md = (out / "activation.md").read_text()
    assert "| 1.5 ± 1e-20 |" in md and "no-root-in-range" in md
    for claim in results["claims"]:
        assert f"**{claim['verdict']}**" in md
    links_resolve(out / "activation.html")
    links_resolve(out / "activation.md")


def test_per_activation_claim_ids_follow_the_registry() -> None:
    ids = act_report.per_activation_claim_ids()
    registry = discover()
    assert ids == [c.id for c in registry.values() if c.per_activation]


def test_report_of_a_real_small_verification_run(tmp_path: Path) -> None:
    out = tmp_path / "quick"
    with ReportStaging(out) as staging:
        results = run(["chi-square-variance", "sylvester-cholesky"],
                      RunContext(precision=Precision(15), figure_dir=staging.figure_dir))
        staging.commit(results)
    stored = json.loads((out / "results.json").read_text())
    assert stored == json.loads(json.dumps(results))
    index = (out / "index.md").read_text()
    for claim in stored["claims"]:
        page = (out / "claims" / f"{slug(claim['id'])}.html").read_text()
        assert f'<h1>{claim["id"]} <span class="badge {claim["verdict"]}">' in page
        assert f"**{claim['verdict']}**" in index
        assert page.count('<section class="check ') == len(claim["checks"])
    for page in (out / "index.html", out / "index.md", *sorted((out / "claims").iterdir())):
        links_resolve(page)
