"""A small on-disk cache for expensive results (high-precision points, simulations).

Entries are keyed by a SHA-256 of the full inputs *and* the code version (the package version
plus a hash of the source files of the modules that computed them), so a changed algorithm never
serves a stale number. Values are JSON (numbers as decimal strings), written atomically (temp
file + ``os.replace``) so an interrupted run never leaves a half-written entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from functools import cache, wraps
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import mpmath as mp
import numpy as np

from theorycheck import __version__
from theorycheck.errors import TheoryCheckError

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_DIR = ".theorycheck-cache"
#: third-party packages whose version changes the numbers a cached result holds
NUMERIC_PACKAGES = ("mpmath", "sympy", "numpy", "scipy", "torch")


@cache
def code_version() -> str:
    """The package version and a hash of every source file of the ``theorycheck`` package.

    The claims (``theorycheck.proofs``) are left out: no cached value is theirs, and a source
    checkout keeps them outside ``theorycheck/``, so an installed wheel and the checkout it was
    built from have the same code version (tests/test_wheel.py)."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] == "proofs":
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def installed_versions(names: tuple[str, ...], missing: str) -> dict[str, str]:
    """``{name: version}`` of the installed distributions ``names``; ``missing`` for absent ones."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = missing
    return out


@cache
def dependency_versions() -> dict[str, str]:
    """Versions of the numeric packages (part of every cache key: a new mpmath or torch may
    change the last digits of a result)."""
    return installed_versions(NUMERIC_PACKAGES, "absent")


def cache_key(namespace: str, inputs: dict[str, Any]) -> str:
    """A stable key for ``inputs`` (JSON-serialisable; non-JSON values by ``repr``), the code
    version and the numeric packages' versions."""
    payload = json.dumps({"ns": namespace, "code": code_version(), "deps": dependency_versions(),
                          "inputs": inputs}, sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()


# -- a lossless JSON codec for cached values ----------------------------------------------------
# Plain JSON values pass through; everything else is tagged ({"__mpf__": ...}) so that a value
# read back is *identical* to the one computed (same bits), which keeps a cached run's report
# byte-for-byte equal to an uncached one.  Only types registered here are ever rebuilt.

_TYPES: dict[str, type] = {}


class UncacheableError(TypeError):
    """A value the codec cannot represent losslessly (it is then computed but not stored)."""


def register_json_type(cls: type[T]) -> type[T]:
    """Class decorator: let the cache store instances of the dataclass ``cls`` field by field."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    _TYPES[cls.__name__] = cls
    return cls


def exact_decimal(x: mp.mpf) -> str:
    """The exact decimal expansion of the finite binary number ``x`` (``man * 2**exp``)."""
    sign, man, exp, _bc = x._mpf_
    if not man:
        if exp:  # +-inf / nan are encoded as special exponents with a zero mantissa
            raise UncacheableError(f"non-finite mpf {x}")
        return "-0" if sign else "0"
    if exp >= 0:
        digits, point = str(man << exp), 0
    else:
        digits, point = str(man * 5 ** (-exp)), -exp
    if point:
        digits = digits.rjust(point + 1, "0")
        digits = f"{digits[:-point]}.{digits[-point:]}"
    return ("-" if sign else "") + digits


def _mpf_from_exact(text: str, bits: int) -> mp.mpf:
    with mp.workprec(max(bits, 1)):
        return +mp.mpf(text)  # exact: the decimal is representable with ``bits`` bits


def encode(value: Any) -> Any:
    """``value`` as JSON data from which :func:`decode` rebuilds an identical value."""
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        if value.dtype.kind not in "biuf":
            raise UncacheableError(f"NumPy scalar of dtype {value.dtype}")
        return {"__npscalar__": encode(value.item()), "dtype": value.dtype.str}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, mp.mpf):
        return {"__mpf__": exact_decimal(value), "bits": int(value._mpf_[3])}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise UncacheableError(f"array of dtype {value.dtype}")
        return {"__ndarray__": [encode(v) for v in value.ravel().tolist()],
                "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _TYPES.get(name) is type(value):
        return {"__type__": name, "fields": {f.name: encode(getattr(value, f.name))
                                             for f in dataclasses.fields(value)}}
    raise UncacheableError(f"cannot cache a {name}")


def decode(data: Any) -> Any:
    """Rebuild a value written by :func:`encode`."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__mpf__" in data:
        return _mpf_from_exact(data["__mpf__"], int(data["bits"]))
    if "__float__" in data:
        return float(data["__float__"])
    if "__ndarray__" in data:
        flat = [decode(v) for v in data["__ndarray__"]]
        return np.array(flat, dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    if "__npscalar__" in data:
        return np.dtype(data["dtype"]).type(decode(data["__npscalar__"]))
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__items__" in data:
        return {decode(k): decode(v) for k, v in data["__items__"]}
    if "__type__" in data:
        cls = _TYPES.get(data["__type__"])
        if cls is None:
            raise UncacheableError(f"unknown cached type {data['__type__']!r}")
        return cls(**{k: decode(v) for k, v in data["fields"].items()})
    return {k: decode(v) for k, v in data.items()}


class DiskCache:
    """JSON values on disk under ``directory``; ``None`` directory disables caching."""

    def __init__(self, directory: str | os.PathLike[str] | None = DEFAULT_DIR) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self.skipped = 0

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
        self.writes += 1

    def stats(self) -> dict[str, Any]:
        """What this cache did in the run: its folder (None: disabled), hits, misses, writes and
        results that were computed but could not be stored (``skipped``)."""
        return {"dir": None if self.directory is None else str(self.directory),
                "hits": self.hits, "misses": self.misses, "writes": self.writes,
                "skipped": self.skipped}

    def absorb(self, stats: dict[str, Any]) -> None:
        """Add a worker's hit, miss and skip counts to this (the driver's) cache."""
        for name in ("hits", "misses", "skipped"):
            setattr(self, name, getattr(self, name) + int(stats.get(name, 0)))

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


    def memo_encoded(self, namespace: str, inputs: dict[str, Any], compute: Callable[[], T], *,
                     cache_errors: bool = False) -> T:
        """Like :meth:`memo` for any value the lossless codec handles (mpf, Estimate, arrays,
        registered dataclasses). With ``cache_errors`` a :class:`TheoryCheckError` is stored
        too and raised again on a hit (for deterministic failures such as "no fixed point")."""
        if self.directory is None:
            return compute()
        key = cache_key(namespace, inputs)
        found = self.get(key)
        if found is not None:
            try:
                if isinstance(found, dict) and "__error__" in found:
                    err = found["__error__"]
                    raise TheoryCheckError(err["message"], status=err["status"],
                                           **err.get("details", {}))
                return decode(found)  # type: ignore[no-any-return]
            except (UncacheableError, KeyError, TypeError, ValueError) as exc:
                if isinstance(exc, TheoryCheckError):
                    raise
                self.hits -= 1  # an unreadable entry: recompute and overwrite it
                self.misses += 1
        try:
            value = compute()
        except TheoryCheckError as err:
            if cache_errors:
                self.put(key, {"__error__": err.to_dict()})
            raise
        try:
            data = encode(value)
        except UncacheableError:
            self.skipped += 1
            return value
        self.put(key, data)
        return value


class BufferedCache(DiskCache):
    """A worker's view of the run's cache: it reads entries from ``directory`` (when that folder
    exists where the worker runs) and keeps what it computes in ``pending`` instead of writing
    it, so that the driver, which writes what workers return (:meth:`DiskCache.put`), is the
    only writer of the folder."""

    def __init__(self, directory: str | os.PathLike[str] | None = DEFAULT_DIR) -> None:
        super().__init__(directory)
        self.pending: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        if key in self.pending:
            self.hits += 1
            return self.pending[key]
        return super().get(key)

    def put(self, key: str, value: Any) -> None:
        if self.directory is not None:
            self.pending[key] = value


def disk_cached(namespace: str, inputs: Callable[..., dict[str, Any] | None], *,
                cache_errors: bool = False) -> Callable[[F], F]:
    """Decorator: serve ``fn(*args, **kwargs)`` from the active cache.

    ``inputs(*args, **kwargs)`` returns the full inputs the result depends on (the key, with the
    code version and numeric package versions added), or None when the call cannot be keyed
    (then it simply runs). Nothing is cached unless a run activated a cache (:func:`use_cache`).
    """

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            store = active_cache()
            if store.directory is None:
                return fn(*args, **kwargs)
            key = inputs(*args, **kwargs)
            if key is None:
                return fn(*args, **kwargs)
            return store.memo_encoded(namespace, key, lambda: fn(*args, **kwargs),
                                      cache_errors=cache_errors)

        return wrapper  # type: ignore[return-value]

    return decorate


def key_of(value: Any) -> Any:
    """A canonical, type-tagged JSON form of a call argument for a cache key; raises
    :class:`UncacheableError` for values with no faithful key (callables, arbitrary objects).

    ``"0.05"`` and ``0.05`` key differently on purpose: equal keys must mean equal computations.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, int | np.integer):
        return ["int", int(value)]
    if isinstance(value, float | np.floating):
        return ["float", repr(float(value))]
    if isinstance(value, mp.mpf):
        return ["mpf", exact_decimal(value), int(value._mpf_[3])]
    if hasattr(value, "value") and hasattr(value, "error") and isinstance(value.value, mp.mpf):
        return ["estimate", key_of(value.value), key_of(value.error)]
    if isinstance(value, list | tuple):
        return [type(value).__name__, [key_of(v) for v in value]]
    if isinstance(value, dict):
        return ["dict", sorted([str(k), key_of(v)] for k, v in value.items())]
    raise UncacheableError(f"no cache key for a {type(value).__name__}")


_active: DiskCache = DiskCache(None)


def active_cache() -> DiskCache:
    """The cache of the current run (disabled unless a run set one with :func:`use_cache`)."""
    return _active


def use_cache(cache_: DiskCache) -> DiskCache:
    """Make ``cache_`` the active cache; returns the previous one (restore it when done)."""
    global _active
    previous, _active = _active, cache_
    return previous
