"""Make a results document JSON-clean without losing a run: what a claim put in its evidence
that JSON cannot hold (tuple keys, NumPy scalars, NaN, objects) is converted, and each
conversion is listed so the report can say so instead of failing after minutes of checks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_PLAIN = (str, int, bool, type(None))


def json_safe(doc: Any) -> tuple[Any, list[str]]:
    """``doc`` with every value JSON can hold unchanged and the rest converted; returns the
    converted document and one line per conversion (``claims[2].checks[0].evidence.x: ...``).

    Conversions: keys that are not strings -> ``str(key)``; tuples and arrays -> lists; NumPy
    scalars -> Python numbers; NaN / infinities -> the strings ``"nan"``, ``"inf"``, ``"-inf"``
    (never a JSON number); any other object -> ``str(obj)``.
    """
    notes: list[str] = []
    return _clean(doc, "", notes), notes


def _clean(value: Any, path: str, notes: list[str]) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        notes.append(f"{path or '(root)'}: non-finite number {value!r} written as a string")
        return str(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            name = key if isinstance(key, str) else str(key)
            if not isinstance(key, str):
                notes.append(f"{path or '(root)'}: key {key!r} ({type(key).__name__}) written "
                              "as a string")
            out[name] = _clean(item, f"{path}.{name}" if path else name, notes)
        return out
    if isinstance(value, list | tuple):
        return [_clean(item, f"{path}[{i}]", notes) for i, item in enumerate(value)]
    tolist = getattr(value, "tolist", None)  # NumPy scalars and arrays
    if callable(tolist):
        return _clean(tolist(), path, notes)
    notes.append(f"{path or '(root)'}: {type(value).__name__} written as its text")
    return str(value)


__all__ = ["json_safe"]
