"""Reports: every claim present, verdicts as in results.json, offline self-contained HTML,
resolvable links, real images, escaping, and atomic replacement of a previous report."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from theorycheck.errors import TheoryCheckError
from theorycheck.report import ReportStaging, figures, parse_formats, write_report
from theorycheck.report import writer as report_writer
from theorycheck.report.mathml import latex_to_mathml, math_html, segments
from theorycheck.report.present import slug
from theorycheck.report.sample import sample_results

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Collects links, image sources, verdict badges and tags of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []
        self.badges: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")
        if tag == "h1":
            self._in_h1 = True
        if self._in_h1 and tag == "span" and "badge" in (values.get("class") or ""):
            self.badges.append((values.get("class") or "").split()[-1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("rep") / "report"
    with ReportStaging(out) as staging:
        results = sample_results(staging.figure_dir)
        staging.commit(results)
    return out, results


def test_every_claim_has_its_pages(report: tuple[Path, dict]) -> None:
    out, results = report
    index_md = (out / "index.md").read_text()
    index_html = (out / "index.html").read_text()
    for claim in results["claims"]:
        for fmt in ("md", "html"):
            assert (out / "claims" / f"{slug(claim['id'])}.{fmt}").is_file()
        assert f"claims/{slug(claim['id'])}.md" in index_md
        assert f"claims/{slug(claim['id'])}.html" in index_html


def test_results_json_is_the_results_unchanged(report: tuple[Path, dict]) -> None:
    out, results = report
    assert json.loads((out / "results.json").read_text()) == results


def test_verdicts_in_pages_match_results_json(report: tuple[Path, dict]) -> None:
    out, _ = report
    stored = json.loads((out / "results.json").read_text())
    verdicts = {c["verdict"] for c in stored["claims"]}
    assert len(verdicts) >= 4  # the sample covers holds, holds-corrected, conditional, inconclusive
    for claim in stored["claims"]:
        page = parse(out / "claims" / f"{slug(claim['id'])}.html")
        assert page.badges == [claim["verdict"]]
        heading = (out / "claims" / f"{slug(claim['id'])}.md").read_text().split("\n# ", 1)[1]
        assert heading.splitlines()[0].endswith(f"— {claim['verdict']}")
    index = (out / "index.md").read_text()
    for claim in stored["claims"]:
        row = next(line for line in index.splitlines()
                   if f"(claims/{slug(claim['id'])}.md)" in line)
        assert f"**{claim['verdict']}**" in row


def test_header_shows_seed_device_dps(report: tuple[Path, dict]) -> None:
    out, results = report
    run = results["run"]
    for page in [out / "index.html", *sorted((out / "claims").glob("*.html"))]:
        text = page.read_text()
        header = text[text.index('<header class="run">'):text.index("</header>")]
        assert f"<b>seed</b> {run['seed']}" in header
        assert f"<b>device</b> {run['device']}" in header
        assert f"<b>precision</b> {run['dps']} digits" in header
    for page in [out / "index.md", *sorted((out / "claims").glob("*.md"))]:
        text = page.read_text()
        assert f"seed **{run['seed']}**" in text and f"**{run['dps']} digits**" in text


def test_figures_are_real_images(report: tuple[Path, dict]) -> None:
    out, results = report
    paths = {p for c in results["claims"] for p in c["figures"]}
    paths |= {p for c in results["claims"] for ch in c["checks"] for p in ch["figures"]}
    assert {Path(p).suffix for p in paths} == {".png", ".svg"}
    for rel in paths:
        data = (out / rel).read_bytes()
        assert data, rel
        if rel.endswith(".png"):
            assert data.startswith(PNG_MAGIC)
        else:
            assert ET.fromstring(data).tag.endswith("svg")


def test_html_is_offline_and_every_link_resolves(report: tuple[Path, dict]) -> None:
    out, _ = report
    pages = [out / "index.html", *sorted((out / "claims").glob("*.html"))]
    for path in pages:
        page = parse(path)
        assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
        text = path.read_text()
        assert "url(" not in text and "@import" not in text
        for link in page.links:
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", link), f"{path.name}: {link}"
            assert (path.parent / link.split("#")[0]).resolve().is_file(), f"{path.name}: {link}"
        # the only absolute URL allowed is the MathML namespace name, which loads nothing
        for url in re.findall(r"https?://[^\s\"'<>]+", text):
            assert url == "http://www.w3.org/1998/Math/MathML", url


def test_markdown_links_resolve(report: tuple[Path, dict]) -> None:
    out, _ = report
    for path in [out / "index.md", *sorted((out / "claims").glob("*.md"))]:
        for link in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            assert not link.startswith(("http://", "https://")), link
            assert (path.parent / link).resolve().is_file(), f"{path.name}: {link}"


def test_claim_page_content(report: tuple[Path, dict]) -> None:
    out, _ = report
    beta = (out / "claims" / "sample-beta-le-one.html").read_text().replace("\u00a0", " ")
    assert "<math" in beta and 'class="eqno">(38)</span>' in beta     # printed, with its number
    assert "0.99999812" in beta and "± 3.1e-29" in beta              # value beside its error
    assert "0.9702 ± 0.0021" in beta                                  # measured ± stderr
    assert "tested on <strong>50</strong>" in beta                    # property examples
    assert "tanh" in beta and "relu" in beta                          # per-activation table
    di = (out / "claims" / "sample-beta-max-at-di.html").read_text()
    assert "shrunk counterexample" in di and "-0.7864" in di
    assert 'class="latex"' in di and r"\frac{a}{" in di             # unconvertible LaTeX shown
    corrected = (out / "claims" / "sample-sigmoid-sw-bound.md").read_text()
    assert r"| misprint | seed 002, Eq. (27) | $\sigma_w = 16$ | $\sigma_w^2 \ge 16$ |" in corrected
    assert "$$\n\\sigma_w \\approx 103.05 \\tag{27}\n$$" in corrected


def test_untrusted_text_is_escaped(report: tuple[Path, dict]) -> None:
    out, _ = report
    for path in (out / "claims").glob("sample-jacobian*.html"):
        text = path.read_text()
        assert "<script>" not in text and "&lt;script&gt;" in text
        assert "<b>bold?</b>" not in text


def test_mathml_is_sanitised() -> None:
    assert "href" not in (latex_to_mathml(r"\href{http://example.com}{x}") or "")
    assert latex_to_mathml(r"\text{<b>x</b>}") is None or "<b>" not in latex_to_mathml(
        r"\text{<b>x</b>}")
    assert "<code" in math_html(r"\frac{a}{")
    assert segments(r"a $x^2$ and $$y$$") == [("text", "a "), ("math", "x^2"),
                                                ("text", " and "), ("display", "y")]


def test_missing_figure_is_reported_not_linked(tmp_path: Path) -> None:
    results = sample_results()
    results["claims"][0]["figures"] = ["figures/nowhere.png", "../../etc/passwd"]
    out = write_report(results, tmp_path / "r", formats="html")
    page = parse(out / "claims" / f"{slug(results['claims'][0]['id'])}.html")
    assert all("nowhere" not in link and "passwd" not in link for link in page.links)
    assert "figure missing: figures/nowhere.png" in (
        out / "claims" / f"{slug(results['claims'][0]['id'])}.html").read_text()


def test_rerender_copies_figures_from_the_source(report: tuple[Path, dict],
                                                 tmp_path: Path) -> None:
    out, _ = report
    results = json.loads((out / "results.json").read_text())
    again = write_report(results, tmp_path / "again", formats=("md",), source_dir=out)
    assert (again / "figures" / "sample_beta_plane.png").read_bytes().startswith(PNG_MAGIC)
    assert not (again / "index.html").exists() and not (again / "results.json").exists()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_failure_mid_write_leaves_the_previous_report(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "rep"
    write_report(sample_results(), out)
    before = _snapshot(out)
    written = []
    real = report_writer.write_text

    def flaky(path: Path, text: str) -> None:
        written.append(path)
        if len(written) == 4:
            raise OSError("disk full (simulated)")
        real(path, text)

    monkeypatch.setattr(report_writer, "write_text", flaky)
    changed = sample_results()
    changed["claims"][0]["verdict"] = "fails"
    with pytest.raises(OSError, match="simulated"):
        write_report(changed, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no staging folder left


def test_interrupted_run_discards_staged_figures(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    write_report(sample_results(), out, formats="json")
    before = _snapshot(out)
    with pytest.raises(KeyboardInterrupt), ReportStaging(out) as staging:
        (Path(staging.figure_dir) / "half.png").write_bytes(PNG_MAGIC)
        raise KeyboardInterrupt
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_swap_without_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_writer, "_exchange", lambda a, b: False)
    out = tmp_path / "rep"
    write_report(sample_results(), out, formats="json")
    results = sample_results()
    results["run"]["seed"] = 7
    write_report(results, out, formats="json")
    assert json.loads((out / "results.json").read_text())["run"]["seed"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(TheoryCheckError, match="refusing to replace"):
        write_report(sample_results(), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(TheoryCheckError, match="unknown report format"):
        parse_formats("md,pdf")
    with pytest.raises(TheoryCheckError, match="not a theorycheck results"):
        write_report({"claims": []}, tmp_path / "x")


def test_values_json_cannot_hold_are_converted_and_reported(tmp_path: Path) -> None:
    """A run is never lost to a claim's sloppy evidence: tuple keys, NumPy values and NaN are
    converted (NaN never becomes a JSON number) and the index says what was converted."""
    odd = sample_results()
    odd["claims"][0]["checks"][0]["evidence"] = {"x": float("nan"), (1, 2): np.float64(0.5),
                                                 "a": np.arange(3), "o": object}
    with pytest.warns(RuntimeWarning, match="not plain JSON"):
        out = write_report(odd, tmp_path / "y", formats="json,md,html")
    evidence = json.loads((out / "results.json").read_text())["claims"][0]["checks"][0][
        "evidence"]
    assert evidence["x"] == "nan" and evidence["(1, 2)"] == 0.5 and evidence["a"] == [0, 1, 2]
    assert "NaN" not in (out / "results.json").read_text()
    assert "Report notes" in (out / "index.html").read_text()
    assert "non-finite number nan" in (out / "index.md").read_text()


FIGURE_CALLS = {
    "beta_plane": lambda d: figures.beta_plane(
        d, "b", [1.0, 2.0, 3.0], [0.0, 0.1], np.array([[0.5, 0.6], [np.nan, 0.4], [0.5, 0.6]]),
        eoc=([1.0, 1.5], [0.0, 0.1]), di=(1.0, 0.0)),
    "mi_plane": lambda d: figures.mi_plane(d, "m", [1.0, 2.0], [0.0, 0.1],
                                           np.ones((2, 2)), di=(1.0, 0.0)),
    "mi_along_eoc": lambda d: figures.mi_along_eoc(d, "e", [0.0, 0.1, 0.2],
                                                   {"width 64": [1.0, 0.9, 0.8]},
                                                   errors={"width 64": [0.1, 0.1, 0.1]}),
    "chi1_curve": lambda d: figures.chi1_curve(d, "c", np.geomspace(1, 1e4, 20),
                                               np.geomspace(1, 1e4, 20) / 100,
                                               critical_sw2=100.0),
    "jacobian_spectrum": lambda d: figures.jacobian_spectrum(
        d, "j", np.random.default_rng(0).gamma(2.0, 0.5, 400), m1=1.0, m2=1.5),
    "correlation_histogram": lambda d: figures.correlation_histogram(
        d, "h", np.random.default_rng(0).normal(0, 0.6, 500)),
    "kurtosis_vs_ratio": lambda d: figures.kurtosis_vs_ratio(
        d, "k", [0.1, 0.2, 0.4], [0.2, 0.4, 0.9], errors=[0.05, 0.05, 0.1]),
    "spectrum_density": lambda d: figures.FIGURE_KINDS["spectrum_density"](
        d, "s", np.geomspace(1e-3, 4, 50), np.sqrt(np.geomspace(1e-3, 4, 50)) / 4,
        atoms=[(0.0, 0.5)], eigenvalues=np.r_[np.zeros(50), np.geomspace(1e-3, 4, 50)],
        setting="stub"),
    "trainability_plane": lambda d: figures.FIGURE_KINDS["trainability_plane"](
        d, "t", [1.0, 2.0], [4, 10, 20], np.array([[1.0, 0.9, 0.2], [0.8, 0.3, 0.1]]),
        line_sw2=[1.0, 1.5, 2.0], xi_c=[np.nan, 3.0, 2.0], c_fit=4.2),
}


@pytest.mark.parametrize("name", sorted(FIGURE_CALLS))
def test_figure_helpers_write_png_and_svg(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "figures"
    paths = FIGURE_CALLS[name](str(folder))
    assert [Path(p).suffix for p in paths] == [".png", ".svg"]
    assert all(p.startswith("figures/") for p in paths)
    assert (tmp_path / paths[0]).read_bytes().startswith(PNG_MAGIC)
    assert ET.parse(tmp_path / paths[1]).getroot().tag.endswith("svg")
    assert FIGURE_CALLS[name](None) == []


def test_figure_helpers_reject_bad_data(tmp_path: Path) -> None:
    with pytest.raises(TheoryCheckError, match="shape"):
        figures.beta_plane(tmp_path, "b", [1.0, 2.0], [0.0], np.ones((1, 2)))  # axis 0 is sw2
    with pytest.raises(TheoryCheckError, match="figure name"):
        figures.correlation_histogram(tmp_path, "../x", [0.1, 0.2])


@pytest.mark.browser
@pytest.mark.parametrize("page", ["index.html", "claims/sample-beta-le-one.html"])
def test_headless_chromium_renders(report: tuple[Path, dict], tmp_path: Path, page: str) -> None:
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser is not None
    out, _ = report
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600",
         f"--screenshot={shot}", (out / page).resolve().as_uri()],
        check=True, capture_output=True, timeout=120)
    assert shot.read_bytes().startswith(PNG_MAGIC)
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] > 100 and float(pixels[..., :3].std()) > 0.02  # not a blank page


def test_figures_no_claim_references_are_still_shown(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    with ReportStaging(out) as staging:
        figures.correlation_histogram(staging.figure_dir, "stray", [0.1, 0.5, 1.2])
        staging.commit(sample_results())
    assert "figures/stray.png" in (out / "index.html").read_text()
    assert "figures/stray.svg" in (out / "index.md").read_text()
    again = write_report(sample_results(), tmp_path / "again", source_dir=out)
    assert (again / "figures" / "stray.png").read_bytes().startswith(PNG_MAGIC)
    assert "figures/stray.png" in (again / "index.html").read_text()
