"""Write a report folder atomically: everything is built in a staging folder beside the target
and swapped in with one rename, so an interrupted run leaves the previous report intact.

``verify --out DIR`` uses :class:`ReportStaging` so that figures the claims write during the run
(into ``staging.figure_dir``) travel with the pages in the same swap::

    with ReportStaging(out_dir) as staging:
        results = run(ids, RunContext(..., figure_dir=staging.figure_dir))
        staging.commit(results, formats)
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.report import present
from theorycheck.report.jsonsafe import json_safe
from theorycheck.report.render import Format, render_activation, render_claim, render_index

FORMATS = ("md", "html", "json")
MARKER = ".theorycheck-report"
FIGURE_DIR = "figures"


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"md,html"`` or ``("md", "html")`` as a validated tuple of report formats."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in items if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise TheoryCheckError(f"unknown report format(s) {', '.join(unknown) or '(none given)'}; "
                               f"choose from {', '.join(FORMATS)}", status=Status.INVALID_ARGUMENT)
    return chosen


def check_results(results: object) -> Mapping[str, Any]:
    """``results`` if it has the ``verify --json`` shape (``run`` and a ``claims`` list)."""
    if not (isinstance(results, Mapping) and isinstance(results.get("run"), Mapping)
            and isinstance(results.get("claims"), list)
            and all(isinstance(c, Mapping) and "id" in c for c in results["claims"])):
        raise TheoryCheckError("not a theorycheck results document: expected an object with "
                               "'run' (object) and 'claims' (list of objects with an 'id')",
                               status=Status.INVALID_ARGUMENT)
    return results


def safe_relpath(path: str) -> bool:
    """Whether ``path`` is a relative path inside the report folder (no ``..``, not absolute)."""
    pure = PurePosixPath(path)
    return bool(path) and "\\" not in path and not pure.is_absolute() and ".." not in pure.parts


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    call or the file system does not support it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_into_place(staged: Path, target: Path) -> None:
    """Make ``staged`` the folder at ``target``; the previous ``target`` is removed afterwards.

    Where the system can exchange two directories atomically it does; otherwise the old folder is
    renamed aside first, so at every instant one complete report exists (at ``target`` or aside).
    """
    if not target.exists():
        os.replace(staged, target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-",
                                  dir=target.parent))
    aside.rmdir()
    os.replace(target, aside)
    os.replace(staged, target)
    shutil.rmtree(aside, ignore_errors=True)


def _replaceable(target: Path) -> None:
    """Refuse to replace anything but a missing folder, an empty one, or an earlier report."""
    if target.exists() and not target.is_dir():
        raise TheoryCheckError(f"report output {target} exists and is not a folder",
                               status=Status.INVALID_ARGUMENT)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise TheoryCheckError(
            f"refusing to replace {target}: it is not empty and holds no theorycheck report "
            f"(no {MARKER} file); choose a new or empty folder", status=Status.INVALID_ARGUMENT)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_staging(out_dir: Path, *, before: float | None = None) -> list[Path]:
    """Remove the hidden ``.<name>.staging-*`` / ``.<name>.old-*`` folders an earlier run left
    beside ``out_dir`` when it was killed outright (SIGKILL, power loss); returns those removed.

    A folder whose name carries the id of a process still running (a concurrent run) is kept;
    one without an id is removed only when last modified before ``before`` (default: now).
    """
    removed: list[Path] = []
    parent = out_dir.parent
    if not parent.is_dir():
        return removed
    pattern = re.compile(rf"^\.{re.escape(out_dir.name)}\.(staging|old)-(?:(\d+)-)?")
    cutoff = time.time() if before is None else before
    for entry in parent.iterdir():
        match = pattern.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        pid = match.group(2)
        if pid is not None:
            if int(pid) == os.getpid() or _pid_alive(int(pid)):
                continue
        elif entry.stat().st_mtime >= cutoff:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ReportStaging:
    """A staging folder beside ``out_dir`` that becomes ``out_dir`` in one swap on :meth:`commit`.

    ``figure_dir`` is where claims write figures during the run (``RunContext.figure_dir``).
    Use it as a context manager (leaving the block without committing discards the staging
    folder), or call :meth:`abort` on failure. Either way the previous report is untouched until
    :meth:`commit` swaps the new one in; a failed commit discards the staging folder too.
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.out_dir = Path(out_dir).expanduser().resolve()
        _replaceable(self.out_dir)
        self.cleaned = clean_stale_staging(self.out_dir)
        self._staged: Path | None = None
        self.committed = False

    def __enter__(self) -> ReportStaging:
        self._ensure()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.abort()

    def _ensure(self) -> Path:
        if self.committed:
            raise RuntimeError("this ReportStaging has already been committed")
        if self._staged is None:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self._staged = Path(tempfile.mkdtemp(
                prefix=f".{self.out_dir.name}.staging-{os.getpid()}-", dir=self.out_dir.parent))
            # mkdtemp makes the folder private (0700); the report is an ordinary folder
            self._staged.chmod(0o777 & ~_umask())
            (self._staged / FIGURE_DIR).mkdir()
        return self._staged

    @property
    def path(self) -> Path:
        """The staging folder (created on first use)."""
        return self._ensure()

    @property
    def figure_dir(self) -> str:
        """The folder figures go in during the run; they end up in ``<out_dir>/figures``."""
        return str(self.path / FIGURE_DIR)

    def abort(self) -> None:
        """Remove the staging folder (nothing happens to ``out_dir``); no-op after commit."""
        if self._staged is not None and not self.committed:
            shutil.rmtree(self._staged, ignore_errors=True)
        self._staged = None

    discard = abort

    def commit(self, results: Mapping[str, Any], formats: str | Iterable[str] = FORMATS, *,
               source_dir: str | os.PathLike[str] | None = None) -> Path:
        """Render the verification report (``index``, ``claims/<id>``, ``results.json``) into the
        staging folder and swap it into ``out_dir``; returns ``out_dir``.

        Figures the results reference but the staging folder lacks are copied from
        ``source_dir`` (default: the existing ``out_dir``), e.g. when re-rendering.
        """
        results = check_results(results)
        return self._finish(results, formats, source_dir, page="index", data="results.json",
                            render_page=render_index)

    def commit_activation(self, report: Mapping[str, Any],
                          formats: str | Iterable[str] = FORMATS, *,
                          source_dir: str | os.PathLike[str] | None = None) -> Path:
        """Like :meth:`commit` for the activation report (``activation``, ``claims/<id>``,
        ``activation.json``)."""
        if not (isinstance(report, Mapping) and isinstance(report.get("activation"), Mapping)):
            raise TheoryCheckError("not a theorycheck activation report: expected an object "
                                   "with 'activation'", status=Status.INVALID_ARGUMENT)
        check_results({"run": report.get("run", {}), "claims": report.get("claims", [])})
        return self._finish(report, formats, source_dir, page="activation",
                            data="activation.json", render_page=render_activation)

    def _finish(self, doc: Mapping[str, Any], formats: str | Iterable[str],
                source_dir: str | os.PathLike[str] | None, *, page: str, data: str,
                render_page: Callable[..., str]) -> Path:
        try:
            return self._render_and_swap(doc, formats, source_dir, page=page, data=data,
                                         render_page=render_page)
        except BaseException:
            self.abort()
            raise

    def _render_and_swap(self, doc: Mapping[str, Any], formats: str | Iterable[str],
                         source_dir: str | os.PathLike[str] | None, *, page: str, data: str,
                         render_page: Callable[..., str]) -> Path:
        chosen = parse_formats(formats)
        staged = self.path
        doc, notes = json_safe(doc)
        if notes:
            warnings.warn(f"{len(notes)} value(s) in the results were not plain JSON and were "
                          f"converted (first: {notes[0]})", RuntimeWarning, stacklevel=4)
        available = self._collect_figures(doc, Path(source_dir) if source_dir else self.out_dir)
        if "json" in chosen:
            text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
            write_text(staged / data, text + "\n")
        claims = doc.get("claims", [])
        figures = staged / FIGURE_DIR
        referenced = set(doc.get("figures", []))
        for claim in claims:
            referenced.update(present.all_figures(claim))
        unreferenced = sorted(f"{FIGURE_DIR}/{p.name}" for p in figures.iterdir()
                              if p.is_file() and p.stat().st_size > 0
                              and f"{FIGURE_DIR}/{p.name}" not in referenced)
        for fmt in (f for f in chosen if f != "json"):
            kind: Format = "md" if fmt == "md" else "html"
            write_text(staged / f"{page}.{fmt}",
                       render_page(doc, kind, available | set(unreferenced),
                                   data if "json" in chosen else None, notes,
                                   extra_figures=unreferenced))
            for claim in claims:
                write_text(staged / "claims" / f"{present.slug(str(claim['id']))}.{fmt}",
                           render_claim(doc, claim, kind, available, back=page))
        if figures.is_dir() and not any(figures.iterdir()):
            figures.rmdir()
        write_text(staged / MARKER, json.dumps({"page": page, "formats": list(chosen)}) + "\n")
        _replaceable(self.out_dir)
        swap_into_place(staged, self.out_dir)
        self.committed = True
        self._staged = None
        return self.out_dir

    def _collect_figures(self, doc: Mapping[str, Any], source: Path) -> set[str]:
        """Referenced figures present in the staging folder after copying missing ones from
        ``source``; paths that would leave the folder are never followed."""
        wanted = list(doc.get("figures", []))
        for claim in doc.get("claims", []):
            wanted.extend(present.all_figures(claim))
        if (source / FIGURE_DIR).is_dir() and source.resolve() != self.path:
            wanted.extend(f"{FIGURE_DIR}/{p.name}" for p in sorted((source / FIGURE_DIR).iterdir())
                          if p.is_file())  # figures no claim referenced travel too
        available = set()
        for rel in dict.fromkeys(wanted):
            if not safe_relpath(rel):
                continue
            dest = self.path / rel
            origin = source / rel
            if not dest.is_file() and origin.is_file() and source.resolve() != self.path:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, dest)
            if dest.is_file() and dest.stat().st_size > 0:
                available.add(rel)
        return available


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_report(results: Mapping[str, Any], out_dir: str | os.PathLike[str],
                 formats: str | Iterable[str] = FORMATS, *,
                 source_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write the verification report of ``results`` to ``out_dir`` atomically; returns the folder.

    ``formats``: any of ``md`` (``index.md``, ``claims/<id>.md``), ``html`` (self-contained,
    offline), ``json`` (``results.json``, the results unchanged). Figures are taken from
    ``source_dir`` (default: the existing ``out_dir``).
    """
    with ReportStaging(out_dir) as staging:
        return staging.commit(results, formats, source_dir=source_dir)


def write_activation_report(report: Mapping[str, Any], out_dir: str | os.PathLike[str],
                            formats: str | Iterable[str] = FORMATS, *,
                            source_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write an activation report (``activation.md/html/json``) to ``out_dir`` atomically."""
    with ReportStaging(out_dir) as staging:
        return staging.commit_activation(report, formats, source_dir=source_dir)


__all__ = ["FORMATS", "ReportStaging", "parse_formats", "write_activation_report", "write_report"]
