"""Command-line interface: a thin layer over the Python API.

Each ``*_cmds.py`` module registers its commands on :data:`theorycheck.cli.app.app`.
"""

from __future__ import annotations

import importlib
import pkgutil

from theorycheck.cli.app import app


def _load_commands() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.endswith("_cmds"):
            importlib.import_module(f"{__name__}.{info.name}")


def main() -> None:
    """Entry point of the ``theorycheck`` console script."""
    _load_commands()
    app()


__all__ = ["app", "main"]
