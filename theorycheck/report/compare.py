"""Compare two ``results.json`` files, ignoring what may change between runs of the same code.

The redesign safety net (issue 11): before code moves, save the quick profile's
``results.json``; after the move, :func:`diff_results` against it must be empty. Timings
(``seconds``, ``started``, ``finished``) and the run's provenance (code version, cache
statistics, platform, package versions, command) are ignored; every verdict, finding, number
and check of every claim is compared exactly, as the strings the report holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: keys whose values are timings, anywhere in the tree
TIMING_KEYS = frozenset({"seconds", "started", "finished"})
#: run-level keys that describe where and when, not what was computed
RUN_KEYS_COMPARED = ("profile", "dps", "seed", "device", "activations", "max_seconds")


def _walk(old: Any, new: Any, path: str) -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key in TIMING_KEYS:
                continue
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                yield f"{where}: removed (was {_short(old[key])})"
            elif key not in old:
                yield f"{where}: added ({_short(new[key])})"
            else:
                yield from _walk(old[key], new[key], where)
    elif isinstance(old, list) and isinstance(new, list) and path.endswith(".checks"):
        yield from _walk_checks(old, new, path)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            yield f"{path}: length {len(old)} -> {len(new)}"
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            yield from _walk(a, b, f"{path}[{i}]")
    elif old != new or type(old) is not type(new):
        yield f"{path}: {_short(old)} -> {_short(new)}"


def _check_key(check: Any, index: int) -> str:
    return f"{check.get('method', '')}:{check.get('name', '')}" if isinstance(check, dict) \
        else str(index)


def _walk_checks(old: list[Any], new: list[Any], path: str) -> Iterator[str]:
    """A claim's checks matched by (method, name), so that a check added or removed shows as
    itself and not as a shift of every later check; then their order."""
    old_by = {_check_key(c, i): c for i, c in enumerate(old)}
    new_by = {_check_key(c, i): c for i, c in enumerate(new)}
    for key in old_by:
        if key not in new_by:
            yield f"{path}[{key}]: removed"
        else:
            yield from _walk(old_by[key], new_by[key], f"{path}[{key}]")
    for key in new_by.keys() - old_by.keys():
        yield f"{path}[{key}]: added ({_short(new_by[key].get('status'))})"
    common_old = [k for k in old_by if k in new_by]
    common_new = [k for k in new_by if k in old_by]
    if common_old != common_new:
        yield f"{path}: order of the checks changed"


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff_results(old: dict[str, Any], new: dict[str, Any], *, subset: bool = False
                 ) -> list[str]:
    """Every difference between two ``verify`` results, one line each (empty: the same).

    Claims are matched by id; a claim present in only one file is reported as such, except
    that with ``subset`` the new results may run only some of the old claims.
    """
    lines = [f"run.{key}: {_short(old.get('run', {}).get(key))} -> "
             f"{_short(new.get('run', {}).get(key))}"
             for key in RUN_KEYS_COMPARED
             if old.get("run", {}).get(key) != new.get("run", {}).get(key)]
    old_claims = {c["id"]: c for c in old.get("claims", [])}
    new_claims = {c["id"]: c for c in new.get("claims", [])}
    for cid in [] if subset else old_claims.keys() - new_claims.keys():
        lines.append(f"claims[{cid}]: missing from the new results")
    for cid in new_claims.keys() - old_claims.keys():
        lines.append(f"claims[{cid}]: new in the new results")
    for cid in old_claims:
        if cid in new_claims:
            lines.extend(_walk(old_claims[cid], new_claims[cid], f"claims[{cid}]"))
    return lines


def diff_files(old: Path, new: Path, *, subset: bool = False) -> list[str]:
    """:func:`diff_results` of two ``results.json`` files."""
    return diff_results(json.loads(Path(old).read_text()), json.loads(Path(new).read_text()),
                        subset=subset)


__all__ = ["diff_files", "diff_results"]
