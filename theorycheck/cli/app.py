"""The typer application every command module registers on, and shared CLI helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer

from theorycheck import __version__
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.numbers import DPS_RANGE, Precision
from theorycheck.report.jsonsafe import json_safe

#: the arguments every point command shares, declared once (meanfield, eoc, cmap, spectrum, ...)
ActivationArg = Annotated[str, typer.Argument(help="activation name or formula in x, e.g. tanh")]
Sw2Text = Annotated[str, typer.Option("--sw2", help="weight variance sigma_w^2")]
Sb2Text = Annotated[str, typer.Option("--sb2", help="bias variance sigma_b^2")]
Sw2Value = Annotated[float, typer.Option("--sw2", help="weight variance sigma_w^2")]
Sb2Value = Annotated[float, typer.Option("--sb2", help="bias variance sigma_b^2")]

app = typer.Typer(
    name="theorycheck",
    help="Verify mean-field claims about deep networks at initialisation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"theorycheck {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_print_version,
                                           is_eager=True, help="Show the version and exit.")
             ) -> None:
    """Verify mean-field claims about deep networks at initialisation."""


class Profile(StrEnum):
    """``--profile``: quick (CI-sized) or full (as thorough as the claims deserve)."""

    quick = "quick"
    full = "full"


class DeviceChoice(StrEnum):
    """``--device``: auto picks CUDA when present."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


def dps_option(dps: int, *, most: int | None = None) -> Precision:
    """``--dps`` as the run's validated :class:`~theorycheck.numbers.Precision`; ``most`` lowers
    the upper bound for a command that needs it (the mean-field commands: 200)."""
    if most is not None and dps > most:
        raise TheoryCheckError(f"--dps must be between {DPS_RANGE[0]} and {most}, got {dps}",
                               status=Status.INVALID_ARGUMENT)
    return Precision(dps)


def user_errors(fn: F) -> F:
    """Turn a :class:`TheoryCheckError` into a one-line message on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TheoryCheckError as err:
            typer.echo(f"theorycheck: error [{err.status}]: {err.message}", err=True)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def emit_json(obj: Any) -> None:
    """Write ``obj`` as one strict JSON object on stdout: a NaN or infinity never leaves as a
    JSON number (it is written as the string ``"nan"``/``"inf"``), other objects as their text."""
    clean, _notes = json_safe(obj)
    json.dump(clean, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
