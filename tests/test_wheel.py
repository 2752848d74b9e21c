"""Packaging (issue 14, target 4): one top-level import package, ``theorycheck``, with the claims
under it as ``theorycheck.proofs``; one version source; ``python -m build`` makes an sdist and a
wheel that installs into a fresh virtual environment outside the repository, where the CLI works.

The install test is slow (a fresh venv takes its dependencies, torch included, from the package
index: about a minute on 2 cores), so it runs with ``-m slow``; CI runs it (.ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import theorycheck
import theorycheck.proofs
from theorycheck.cache import code_version
from theorycheck.claims.registry import discover

#: the ids of our own claims: one module of proofs/ each
OURS = {m.replace("_", "-") for m in theorycheck.proofs.MODULES}
ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: what a copy of the repository to build from leaves out (generated, local or large)
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
              ".hypothesis", ".theorycheck-cache", "reports", "out", ".whl", ".gl", "site")


def _packages_on_disk() -> set[str]:
    """Every folder of theorycheck/ an import can reach (code, templates, static files), and
    the claims, which the wheel holds as theorycheck.proofs."""
    folders = [ROOT / "theorycheck", *(p for p in (ROOT / "theorycheck").rglob("*")
                                       if p.is_dir() and p.name != "__pycache__")]
    names = {".".join(p.relative_to(ROOT).parts) for p in folders}
    return names | {"theorycheck.proofs"}


def test_the_wheel_lists_every_package_and_maps_the_claims() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert set(setuptools["packages"]) == _packages_on_disk()
    assert setuptools["package-dir"] == {"theorycheck.proofs": "proofs"}
    entry = PYPROJECT["project"]["entry-points"]["theorycheck.claims"]
    assert entry == {"theorycheck": "theorycheck.proofs"}


def test_the_version_has_one_source() -> None:
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "theorycheck.__version__"}
    out = subprocess.run([sys.executable, "-m", "theorycheck", "--version"], capture_output=True,
                         text=True, timeout=120, check=True)
    assert out.stdout.strip() == f"theorycheck {theorycheck.__version__}"


def test_the_claims_are_one_package_of_this_checkout() -> None:
    claims = discover()
    assert "proofs" not in sys.modules and not any(m.startswith("proofs.") for m in sys.modules)
    assert [Path(p).resolve() for p in theorycheck.proofs.__path__] == [ROOT / "proofs"]
    assert len(OURS) >= 21 and set(claims) >= OURS


def _run(cmd: list[str | Path], cwd: Path, timeout: int = 600) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["OMP_NUM_THREADS"] = "1"
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_venv(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--outdir", dist, source], cwd=tmp_path)
    version = theorycheck.__version__
    sdists = sorted(dist.glob("*.tar.gz"))
    wheels = sorted(dist.glob("*.whl"))
    assert [p.name for p in sdists] == [f"theorycheck-{version}.tar.gz"]
    assert [p.name for p in wheels] == [f"theorycheck-{version}-py3-none-any.whl"]
    with zipfile.ZipFile(wheels[0]) as wheel:
        tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {"theorycheck", f"theorycheck-{version}.dist-info"}

    venv = tmp_path / "venv"       # fresh: no system site-packages, nothing of the repository
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=tmp_path).strip())
    before = {p.name for p in site.iterdir()}
    _run([python, "-m", "pip", "install", "-q", wheels[0]], cwd=tmp_path, timeout=1200)
    record = (site / f"theorycheck-{version}.dist-info" / "RECORD").read_text().splitlines()
    installed = {line.split(",")[0].split("/")[0] for line in record}
    assert installed - {".."} == {"theorycheck", f"theorycheck-{version}.dist-info"}
    new = {p.name for p in site.iterdir()} - before
    assert not {"proofs", "tests"} & new and "theorycheck" in new

    cli = venv / "bin" / "theorycheck"
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([python, "-c", "import theorycheck.proofs as p; print(p.__file__)"], cwd=work)
    assert Path(where.strip()).is_relative_to(site)
    # the cache key's code version: the same package version and sources as this checkout
    installed_code = _run([python, "-c", "from theorycheck.cache import code_version; "
                           "print(code_version())"], cwd=work).strip()
    assert installed_code == code_version()
    assert _run([cli, "--version"], cwd=work).strip() == f"theorycheck {version}"
    listed = json.loads(_run([cli, "list", "--json"], cwd=work))
    assert {c["id"] for c in listed["claims"]} >= OURS and listed["load_errors"] == []
    doc = json.loads(_run([cli, "verify", "sylvester-cholesky", "--json", "--no-cache"], cwd=work))
    (record_,) = doc["claims"]
    assert record_["id"] == "sylvester-cholesky" and record_["verdict"] == "holds"
    assert {c["status"] for c in record_["checks"]} == {"passed"}
