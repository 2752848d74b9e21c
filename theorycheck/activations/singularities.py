"""Real singularities of a parsed activation: poles, logarithms of zero, non-real branches.

The parser's fixed sample points cannot see a pole between them (``1/(x - 0.3)``,
``1/cos(x)``, ``exp(x)/(exp(x) - 2)``), yet one such point makes every Gaussian expectation of
the activation, or of its derivative, diverge. :func:`real_singularity` looks for them where
they can arise: the zeros of every denominator (``b**e`` with ``e < 0``), of every logarithm's
argument, and the negative values of every non-integer power's base and logarithm's argument.
A ``Piecewise`` branch is only searched where it is in force (up to its boundary, approached
from the side where it is).

- A denominator that is a polynomial with rational coefficients is checked on the whole real
  line exactly (root isolation by Sturm sequences, :meth:`sympy.Poly.intervals`).
- Any other expression is scanned on ``|x| <= SCAN_RADIUS``: sign changes are refined by
  :func:`scipy.optimize.brentq` and kept only where the expression really vanishes (a jump is not
  a zero); local minima of ``|g|`` that dip well below their neighbours are refined by repeated
  grid contraction to float resolution and kept where ``|g|`` reaches zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from theorycheck.activations._compile import _Compiler

SCAN_RADIUS = 100.0
SCAN_POINTS = 40_001
#: at most this many candidate minima of |g| are refined per sub-expression
MAX_CANDIDATES = 64
_NEGATIVE_TOL = 1e-12
_ZERO_TOL = 1e-10


@dataclass(frozen=True)
class Singularity:
    """Where ``expr`` stops being finite and real: ``kind`` is "pole", "removable" (a zero
    denominator with a bounded quotient, such as ``sin(x - 1)/(x - 1)``), "logarithm of zero"
    or "non-real values"; ``sub`` the sub-expression responsible."""

    where: float
    kind: str
    sub: str

    def message(self) -> str:
        if self.kind == "non-real values":
            return (f"formula takes non-real values near x = {self.where:.6g} "
                    f"({self.sub} is negative there)")
        if self.kind == "removable":
            return (f"formula is 0/0 at x = {self.where:.6g} (its denominator {self.sub} "
                    "vanishes there, but the formula stays bounded nearby): give its value "
                    "there with Piecewise")
        if self.kind == "pole":
            return (f"formula has a pole at x = {self.where:.6g} (its denominator {self.sub} "
                    "vanishes there), so its Gaussian expectations diverge")
        return (f"formula is not finite at x = {self.where:.6g} ({self.kind}: {self.sub} "
                "vanishes there)")


def _critical(node: sp.Basic, guard: sp.Basic, x: sp.Symbol
              ) -> Iterator[tuple[sp.Expr, str, sp.Basic]]:
    """(sub-expression g, what happens where g vanishes or is negative, guard) triples."""
    if isinstance(node, sp.Piecewise):
        earlier: list[sp.Basic] = []
        for expr, cond in node.args:
            branch = sp.And(guard, cond, *[sp.Not(c) for c in earlier])
            earlier.append(cond)
            if branch is not sp.false:
                yield from _critical(expr, branch, x)
        return
    if isinstance(node, sp.Pow) and x in node.base.free_symbols:
        exponent = node.exp
        if exponent.is_number:
            if exponent.is_negative:
                yield node.base, "pole", guard
            if not exponent.is_integer:
                yield node.base, "non-real values", guard
        else:
            yield node.base, "non-real values", guard
    if isinstance(node, sp.log) and x in node.args[0].free_symbols:
        yield node.args[0], "logarithm of zero", guard
        yield node.args[0], "non-real values", guard
    for arg in node.args:
        if isinstance(arg, sp.Basic) and x in arg.free_symbols:
            yield from _critical(arg, guard, x)


def _numpy(expr: sp.Basic, x: sp.Symbol) -> Callable[[np.ndarray], np.ndarray]:
    raw = _Compiler("numpy", x).build(expr)

    def f(v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.broadcast_to(np.asarray(raw(v)), np.shape(v))
        return out
    return f


def _active(guard_f: Callable[[np.ndarray], np.ndarray], at: float) -> bool:
    """Whether the branch is in force at ``at`` or arbitrarily close to it on either side."""
    eps = 1e-9 * (1.0 + abs(at))
    probe = np.array([at - eps, at, at + eps])
    return bool(np.any(np.asarray(guard_f(probe), dtype=bool)))


def _polynomial_roots(g: sp.Expr, x: sp.Symbol) -> list[float] | None:
    """Real roots of ``g`` if it is a polynomial with rational coefficients, else None."""
    if not g.is_polynomial(x):
        return None
    try:
        poly = sp.Poly(g, x, domain=sp.QQ)
    except (sp.PolynomialError, sp.CoercionFailed, sp.GeneratorsNeeded):
        return None
    if poly.degree() < 1:
        return []
    return [float((a + b) / 2) for (a, b), _ in poly.intervals(eps=sp.Rational(1, 10**12))]


def _contract_minimum(gf: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> float:
    """Minimiser of |g| on [lo, hi] by repeated 65-point grids, each around the last minimum."""
    best = 0.5 * (lo + hi)
    for _ in range(14):
        pts = np.linspace(lo, hi, 65)
        vals = np.abs(np.asarray(gf(pts), dtype=float))
        vals[~np.isfinite(vals)] = np.inf
        k = int(np.argmin(vals))
        best = float(pts[k])
        lo, hi = float(pts[max(k - 1, 0)]), float(pts[min(k + 1, 64)])
        if hi - lo <= 4 * np.spacing(abs(best) + 1e-300):
            break
    return best


def _scan_zeros(gf: Callable[[np.ndarray], np.ndarray], xs: np.ndarray, gs: np.ndarray
                ) -> Iterator[float]:
    """Zeros of g on the scan grid: sign changes, exact zeros, and touching minima."""
    finite = np.isfinite(gs)
    exact = np.flatnonzero(finite & (gs == 0.0))
    yield from (float(xs[i]) for i in exact[:MAX_CANDIDATES])
    both = finite[:-1] & finite[1:]
    flips = np.flatnonzero(both & (np.sign(gs[:-1]) * np.sign(gs[1:]) < 0))
    for i in flips[:MAX_CANDIDATES]:
        root = float(brentq(lambda t: float(gf(np.array([t]))[0]), xs[i], xs[i + 1],
                            xtol=1e-15, rtol=4 * np.finfo(float).eps))
        scale = 1.0 + max(abs(gs[i]), abs(gs[i + 1]))
        if abs(float(gf(np.array([root]))[0])) <= _ZERO_TOL * scale:
            yield root
    mag = np.where(finite, np.abs(gs), np.inf)
    inner = mag[1:-1]
    dips = np.flatnonzero((inner <= mag[:-2]) & (inner <= mag[2:])
                          & (inner <= 0.5 * np.maximum(mag[:-2], mag[2:]))) + 1
    for i in dips[:MAX_CANDIDATES]:
        at = _contract_minimum(gf, float(xs[i - 1]), float(xs[i + 1]))
        scale = 1.0 + max(mag[i - 1], mag[i + 1])
        if abs(float(gf(np.array([at]))[0])) <= _ZERO_TOL * scale:
            yield at


def _check(g: sp.Expr, kind: str, guard: sp.Basic, x: sp.Symbol, xs: np.ndarray
           ) -> Singularity | None:
    gf = _numpy(g, x)
    guard_f = _numpy(guard, x) if guard is not sp.true else (lambda v: np.ones(np.shape(v), bool))
    gs = np.asarray(gf(xs), dtype=float)
    if kind == "non-real values":
        on = np.asarray(guard_f(xs), dtype=bool)
        typical = float(np.median(np.abs(gs[np.isfinite(gs)]))) if np.isfinite(gs).any() else 1.0
        neg = np.flatnonzero(on & np.isfinite(gs) & (gs < -_NEGATIVE_TOL * (1.0 + typical)))
        return Singularity(float(xs[neg[0]]), kind, str(g)) if neg.size else None
    roots = _polynomial_roots(g, x)
    active = [r for r in (roots if roots is not None else _scan_zeros(gf, xs, gs))
              if _active(guard_f, r)]
    return Singularity(min(active, key=abs), kind, str(g)) if active else None


def real_singularity(expr: sp.Expr, x: sp.Symbol) -> Singularity | None:
    """The real point nearest 0 where ``expr`` has a pole, a logarithm of zero, or takes
    non-real values (see the module docstring for where and how it looks), or None.

    Simple zeros are located to about 1e-15, zeros that only touch 0 (``cos(x) + 1``) to about
    the square root of float64's epsilon (1e-8)."""
    xs = np.linspace(-SCAN_RADIUS, SCAN_RADIUS, SCAN_POINTS)
    seen: set[tuple[Any, str, Any]] = set()
    found: list[Singularity] = []
    for g, kind, guard in _critical(expr, sp.true, x):
        if (g, kind, guard) not in seen:
            seen.add((g, kind, guard))
            hit = _check(g, kind, guard, x, xs)
            if hit is not None:
                found.append(hit)
    if not found:
        return None
    first = min(found, key=lambda s: abs(s.where))
    if first.kind == "pole" and _bounded_near(_numpy(expr, x), first.where):
        return Singularity(first.where, "removable", first.sub)
    return first


def _bounded_near(f: Callable[[np.ndarray], np.ndarray], at: float) -> bool:
    """Whether |f| stays put as x -> at (a pole grows 1000-fold from 1e-5 to 1e-8 away)."""
    s = 1.0 + abs(at)
    far = np.abs(np.asarray(f(np.array([at - 1e-5 * s, at + 1e-5 * s])), dtype=float))
    near = np.abs(np.asarray(f(np.array([at - 1e-8 * s, at + 1e-8 * s])), dtype=float))
    both = np.isfinite(far) & np.isfinite(near)
    return bool(both.any() and np.all(near[both] <= 10.0 * far[both] + 1e-300))


__all__ = ["SCAN_RADIUS", "Singularity", "real_singularity"]
