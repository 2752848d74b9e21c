"""The example notebook (examples/displays.ipynb, issue 14 target 3) runs top to bottom in a
fresh kernel, offline, and shows each result as its display: the tables' numbers are checked
against values computed here another way (chi1 = 1 at the displayed edge of chaos, evaluated by
chi1 itself rather than the root finder that produced the point)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import mpmath as mp
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from theorycheck.activations import get_activation  # noqa: E402
from theorycheck.meanfield import MeanField  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "displays.ipynb"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _row(html_text: str, quantity: str) -> tuple[mp.mpf, mp.mpf]:
    """(value, error) of the table row ``quantity`` (cells ``value ± error``)."""
    found = re.search(rf"<tr><td>{quantity}</td><td>([-0-9.e+]+) ± ([-0-9.e+]+)</td>", html_text)
    assert found, f"no row {quantity!r} in {html_text[:400]}"
    return mp.mpf(found.group(1)), mp.mpf(found.group(2))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The text/html output of each code cell, after running the notebook in a new kernel (in an
    empty folder, so nothing it might write lands in the repository)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cwd = tmp_path_factory.mktemp("notebook")
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    htmls = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        assert [o.output_type for o in cell.outputs] == ["execute_result"], cell.source
        htmls.append(cell.outputs[0]["data"]["text/html"])
    return htmls


def test_the_notebook_cells_display_as_tables(outputs: list[str]) -> None:
    assert len(outputs) == 4 and all(h.startswith('<div class="theorycheck">') for h in outputs)
    point, eoc, outcome, plane = outputs
    assert "mean field of tanh at sw2 = 1.76, sb2 = 0.05" in point
    assert "edge of chaos of tanh: chi1 = 1" in eoc
    assert "verdict: holds" in outcome and outcome.count("<td>passed</td>") == 3
    assert "phase plane of tanh" in plane


def test_the_displayed_edge_of_chaos_has_chi1_one(outputs: list[str]) -> None:
    point, eoc = outputs[0], outputs[1]
    sw2, sw2_err = _row(eoc, "sw2")
    assert abs(sw2 - mp.mpf("1.76")) < mp.mpf("0.01")        # seed 000, Fig. 6: tanh, sb2 = 0.05
    chi1 = MeanField(get_activation("tanh"), dps=15).chi1(sw2, mp.mpf("0.05"))
    assert abs(chi1.value - 1) <= mp.mpf("1e-12") + chi1.error
    # 1.76 is just below the edge: chi1 < 1 there (ordered side)
    chi1_point, err = _row(point, "chi1")
    assert chi1_point + err < 1 and sw2_err < mp.mpf("1e-12")


def test_the_phase_plane_draws_chi1(outputs: list[str]) -> None:
    images = re.findall(r'<img[^>]* src="data:image/png;base64,([A-Za-z0-9+/=]+)"', outputs[3])
    assert len(images) == 1
    assert base64.b64decode(images[0]).startswith(PNG_MAGIC)
