"""A proved enclosure [lo, hi] of a real number, from an Arb ball (python-flint ``arb``)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath as mp
from flint import arb, ctx

from theorycheck.errors import Status, TheoryCheckError


@contextlib.contextmanager
def working_bits(prec: int) -> Iterator[None]:
    """Arb's working precision set to ``prec`` bits inside the block, restored after."""
    old = ctx.prec
    ctx.prec = prec
    try:
        yield
    finally:
        ctx.prec = old


def _fraction(x: arb) -> Fraction:
    """The exact value of the midpoint of an arb (``mid()`` and ``rad()`` are exact)."""
    man, exp = x.man_exp()
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def _decimal(v: Fraction, digits: int, up: bool) -> str:
    """v rounded outward (up or down) to ``digits`` significant decimal digits."""
    if v == 0:
        return "0"
    e = math.floor(math.log10(abs(v.numerator)) - math.log10(v.denominator))
    scale = Fraction(10) ** (digits - 1 - e)
    n = v * scale
    k = math.ceil(n) if up else math.floor(n)
    s = "-" if k < 0 else ""
    d = str(abs(k))
    frac = "." + d[1:] if len(d) > 1 else ""
    return f"{s}{d[0]}{frac}e{e + len(d) - digits:+d}"


def to_ball(x: Any) -> arb:
    """An arb for x: arb as is; mpf and float exactly; strings and ints as arb parses them."""
    if isinstance(x, arb):
        return x
    if isinstance(x, mp.mpf):
        man, exp = mp.mpf(x).man_exp  # mpmath's man_exp is the unsigned mantissa
        return (-1 if x < 0 else 1) * arb(int(man)) * arb(2) ** int(exp)
    if isinstance(x, float):
        m, e = math.frexp(x)
        return arb(int(m * 2**53)) * arb(2) ** (e - 53)
    return arb(x)


@dataclass(frozen=True)
class Enclosure:
    """A real number proved to lie in [lo, hi] (``ball`` is the Arb ball lo..hi came from).

    ``lo``/``hi`` are exact binary numbers (arb with radius 0); :meth:`decimal` gives them as
    decimal strings rounded outward, so the printed interval still contains the number.
    """

    ball: arb
    method: str = ""

    @classmethod
    def of(cls, ball: arb, method: str = "") -> Enclosure:
        if not ball.is_finite():
            raise TheoryCheckError(f"the enclosure is not finite ({method or 'ball'})",
                                   status=Status.NOT_FINITE)
        return cls(ball, method)

    @property
    def lo(self) -> Fraction:
        """The lower end, exactly (mid - rad of the ball)."""
        return _fraction(self.ball.mid()) - _fraction(self.ball.rad())

    @property
    def hi(self) -> Fraction:
        """The upper end, exactly (mid + rad of the ball)."""
        return _fraction(self.ball.mid()) + _fraction(self.ball.rad())

    @property
    def width(self) -> float:
        """hi - lo as a float rounded up (0.0 for an exact number)."""
        w = self.hi - self.lo
        f = float(w)
        return f if f >= w else math.nextafter(f, math.inf)

    def contains(self, x: Any) -> bool:
        """Whether x (a number, or a ball wholly) lies in [lo, hi]."""
        return bool(self.ball.contains(to_ball(x)))

    def excludes(self, x: Any) -> bool:
        """Whether x is proved different from the enclosed number (outside [lo, hi])."""
        return not self.ball.overlaps(to_ball(x))

    def decimal(self, digits: int | None = None) -> tuple[str, str]:
        """(lo, hi) as decimal strings rounded outward to ``digits`` significant digits."""
        digits = digits or max(5, int(ctx.dps))
        return _decimal(self.lo, digits, up=False), _decimal(self.hi, digits, up=True)

    def mid(self) -> mp.mpf:
        """The midpoint as an mpf (a convenience, not a proved value)."""
        man, exp = self.ball.mid().man_exp()
        return mp.ldexp(mp.mpf(int(man)), int(exp))

    def to_json(self, digits: int | None = None) -> list[str]:
        lo, hi = self.decimal(digits)
        return [lo, hi]

    def __repr__(self) -> str:
        lo, hi = self.decimal(min(20, max(5, int(ctx.dps))))
        return f"Enclosure([{lo}, {hi}]{', ' + self.method if self.method else ''})"
