"""A small on-disk cache for expensive results (high-precision points, simulations).

Entries are keyed by a SHA-256 of the full inputs *and* the code version (the package version
plus a hash of the source files of the modules that computed them), so a changed algorithm never
serves a stale number. Values are JSON (numbers as decimal strings), written atomically (temp
file + ``os.replace``) so an interrupted run never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from theorycheck import __version__

T = TypeVar("T")
DEFAULT_DIR = ".theorycheck-cache"


@cache
def code_version() -> str:
    """The package version and a hash of every source file of the ``theorycheck`` package."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def cache_key(namespace: str, inputs: dict[str, Any]) -> str:
    """A stable key for ``inputs`` (JSON-serialisable; non-JSON values by ``repr``)."""
    payload = json.dumps({"ns": namespace, "code": code_version(), "inputs": inputs},
                         sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()


class DiskCache:
    """JSON values on disk under ``directory``; ``None`` directory disables caching."""

    def __init__(self, directory: str | os.PathLike[str] | None = DEFAULT_DIR) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any | None:
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            with path.open() as handle:
                value = json.load(handle)["value"]
        except (OSError, ValueError, KeyError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump({"value": value, "code": code_version()}, handle)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def memo(self, namespace: str, inputs: dict[str, Any], compute: Callable[[], T]) -> T:
        """The cached value for (``namespace``, ``inputs``), computing and storing it if absent.
        ``compute`` must return a JSON-serialisable value."""
        key = cache_key(namespace, inputs)
        found = self.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value)
        return value


_active: DiskCache = DiskCache(None)


def active_cache() -> DiskCache:
    """The cache of the current run (disabled unless a run set one with :func:`use_cache`)."""
    return _active


def use_cache(cache_: DiskCache) -> DiskCache:
    """Make ``cache_`` the active cache; returns the previous one (restore it when done)."""
    global _active
    previous, _active = _active, cache_
    return previous
