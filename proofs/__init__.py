"""theorycheck's own claims, one module per claim of ../shared/CLAIMS.md: what the source states
and the checks that apply. Installed as ``theorycheck.proofs`` (the repository keeps them at its
top, in ``proofs/``, mapped by pyproject's ``package-dir``); import them by that name only, never
as ``proofs``, or each claim would be declared twice.

Each module registers its claim with ``theorycheck.claims.claim``; verdicts are computed by the
engine from the checks' results, never written here.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import theorycheck

if __name__ != "theorycheck.proofs":
    raise ImportError(f"theorycheck's claims are imported as theorycheck.proofs, not {__name__!r} "
                      "(an install made before they moved names its entry point 'proofs': "
                      "reinstall theorycheck, e.g. pip install -e .)")


def _checkout_claims() -> Path | None:
    """The ``proofs/`` of the source checkout the engine was imported from, when that is not
    this folder: an editable install maps ``theorycheck.proofs`` to the checkout it was made
    from, while ``PYTHONPATH`` may put another checkout's ``theorycheck`` first; claims and
    engine then come from the engine's checkout, never from two trees."""
    root = Path(theorycheck.__file__).resolve().parents[1]
    claims = root / "proofs"
    here = Path(__file__).resolve().parent
    if (root / "pyproject.toml").is_file() and (claims / "__init__.py").is_file() \
            and claims != here:
        return claims
    return None


if (_other := _checkout_claims()) is not None:
    __path__[:] = [str(_other)]

#: the claim modules; each declares its claim when imported
MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)
                       if not info.name.startswith("_")))
for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
