"""Hypothesis strategies for claim checks: activations (built-in and generated), points of the
``(sw2, sb2)`` plane, and input dimensions.

The generator builds new activations as SymPy expression trees in ``x`` from a small grammar:

.. math:: \\psi(x) = \\sum_{t=1}^{T} a_t\\, g_t(b_t\\, u_t(x)) \\; (+\\, c)

with ``g`` one of the *families* below (odd / even / neither, bounded / unbounded, smooth /
kinked), ``u_t`` either ``x`` or a bounded odd smooth ``h(b' x)`` (a composition), and small exact
rational coefficients ``a, b`` so that shrinking ends at readable expressions (``x`` first).
Every drawn activation carries what is known about it *by construction* (odd, bounded, kinks,
linear) and its one-sided derivatives at 0 computed by SymPy; claims use these to state which
hypotheses a counterexample meets.  ``linear`` (``a x``) is part of the space on purpose: several
printed "equality only if" statements fail exactly there, and a search must be able to get there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from scipy.optimize import brentq

from theorycheck.activations import BUILTIN_NAMES, get_activation

X = sp.Symbol("x", real=True)

# Exact coefficients, simplest first (hypothesis shrinks towards the start of a sampled_from).
COEFFICIENTS: tuple[sp.Rational, ...] = tuple(sp.Rational(c) for c in (
    1, -1, 2, sp.Rational(1, 2), -2, -sp.Rational(1, 2), 3, sp.Rational(1, 4), -sp.Rational(1, 4),
    sp.Rational(3, 2), -3))
SCALES: tuple[sp.Rational, ...] = tuple(sp.Rational(c) for c in (
    1, 2, sp.Rational(1, 2), 3, sp.Rational(1, 3), sp.Rational(3, 2)))
OFFSETS: tuple[sp.Rational, ...] = tuple(sp.Rational(c) for c in (
    sp.Rational(1, 2), -sp.Rational(1, 2), 1, sp.Rational(1, 4)))


@dataclass(frozen=True)
class Family:
    """One building block g(u) of the grammar and what is known about it."""

    name: str
    build: Callable[[sp.Expr], sp.Expr]
    parity: str          # "odd" | "even" | "neither"
    bounded: bool
    kinked: bool         # not C^2 somewhere (|.|, max, min, softsign's second derivative)


def _softsign(u: sp.Expr) -> sp.Expr:
    return u / (1 + sp.Abs(u))


FAMILIES: tuple[Family, ...] = (
    # odd (linear first: the simplest member of the space)
    Family("linear", lambda u: u, "odd", False, False),
    Family("tanh", sp.tanh, "odd", True, False),
    Family("erf", sp.erf, "odd", True, False),
    Family("arctan", sp.atan, "odd", True, False),
    Family("softsign", _softsign, "odd", True, True),
    Family("hardtanh", lambda u: sp.Min(sp.Max(u, -1), 1), "odd", True, True),
    Family("cube", lambda u: u**3, "odd", False, False),
    # even
    Family("square", lambda u: u**2, "even", False, False),
    Family("gauss", lambda u: sp.exp(-u**2), "even", True, False),
    Family("abs", sp.Abs, "even", False, True),
    # neither
    Family("relu", lambda u: sp.Max(u, 0), "neither", False, True),
    Family("sigmoid", lambda u: 1 / (1 + sp.exp(-u)), "neither", True, False),
    Family("softplus", lambda u: sp.log(1 + sp.exp(u)), "neither", False, False),
)
_BY_NAME = {f.name: f for f in FAMILIES}
# inner functions of a composition: bounded, odd, smooth (so the composition keeps u(0) = 0)
INNER_FAMILIES: tuple[str, ...] = ("tanh", "erf", "arctan")


@dataclass(frozen=True)
class GeneratedActivation:
    """A generated activation: its SymPy expression and what is known by construction."""

    expr: sp.Expr
    terms: tuple[str, ...]
    odd: bool
    bounded: bool
    kinked: bool
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def formula(self) -> str:
        """The expression as a formula string (what a user would type)."""
        return sp.sstr(self.expr)

    @cached_property
    def linear_slope(self) -> sp.Expr | None:
        """``a`` when psi(x) = a x exactly, else None (a 20-digit screen, then SymPy)."""
        ratios = [sp.N(self.expr.subs(X, t) / t, 20) for t in (1, -2, sp.Rational(1, 3), 5)]
        if any(abs(r - ratios[0]) > 1e-15 * (1 + abs(ratios[0])) for r in ratios):
            return None
        slope = sp.simplify(self.expr / X)
        return slope if slope.is_number else None

    @cached_property
    def one_sided_derivatives_at_0(self) -> tuple[sp.Expr, sp.Expr]:
        """(psi'(0-), psi'(0+)), exact, by SymPy limits of psi'(x) as x -> 0 from each side."""
        kinks = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise)
        if not self.expr.has(*kinks):
            v = sp.simplify(sp.diff(self.expr, X).subs(X, 0))
            return v, v
        sides = []
        for positive in (False, True):
            # on one side of 0, |u| and max(u, 0) resolve to u or -u or 0 (SymPy knows the sign
            # of tanh, erf, atan of a signed argument); what does not resolve goes to a limit
            t = sp.Symbol("t", positive=True)
            side_expr = self.expr.subs(X, t if positive else -t)
            d = sp.diff(side_expr, t) * (1 if positive else -1)
            at0 = d.subs(t, 0)
            vanishing = [a for a in d.atoms(*kinks[1:]) | d.atoms(sp.Abs)
                         if any(sp.simplify(arg.subs(t, 0)) == 0 for arg in a.args)]
            if vanishing or not at0.is_finite:
                at0 = sp.limit(d, t, 0, "+")
            sides.append(sp.simplify(at0))
        return sides[0], sides[1]

    @property
    def dpsi0(self) -> sp.Expr | None:
        """psi'(0) when psi is differentiable at 0 (equal one-sided derivatives), else None."""
        left, right = self.one_sided_derivatives_at_0
        return right if sp.simplify(left - right) == 0 else None

    @property
    def psi0(self) -> sp.Expr:
        return sp.simplify(self.expr.subs(X, 0))

    @cached_property
    def kink_points(self) -> tuple[float, ...]:
        """Where an argument of |.|, max or min crosses its switching point, on [-60, 60]:
        sign changes of the (compiled) switching function on a fine grid, refined by brentq.
        A cheap numeric superset of the activation's kinks, for quadrature breakpoints."""
        switches: set[sp.Expr] = set()
        for node in self.expr.atoms(sp.Abs, sp.Max, sp.Min):
            args = list(node.args)
            if isinstance(node, sp.Abs):
                switches.add(args[0])
            else:
                switches.update(a - b for i, a in enumerate(args) for b in args[i + 1:])
        xs = np.linspace(-60.0, 60.0, 24001)
        out: set[float] = set()
        for sw in switches:
            if not sw.has(X):
                continue
            f = get_activation(sp.sstr(sw)).numpy(0)
            v = np.asarray(f(xs), dtype=float)
            # a switch is a sign change (a zero counts only with opposite signs around it:
            # 1 - tanh(x) rounds to 0 far out without ever switching)
            zero = np.flatnonzero(v[1:-1] == 0) + 1
            out.update(float(xs[i]) for i in zero if v[i - 1] * v[i + 1] < 0)
            for i in np.flatnonzero(v[:-1] * v[1:] < 0):
                out.add(float(brentq(lambda t, f=f: float(f(t)), xs[i], xs[i + 1],
                                     xtol=1e-15)))
        return tuple(sorted(out))

    def activation(self) -> Any:
        """The :class:`theorycheck.activations.Activation` for this formula (parsed safely)."""
        return get_activation(self.formula)

    def describe(self) -> dict[str, str]:
        left, right = self.one_sided_derivatives_at_0
        return {"psi": self.formula, "terms": ", ".join(self.terms),
                "odd": str(self.odd), "bounded": str(self.bounded), "kinked": str(self.kinked),
                "dpsi(0-)": sp.sstr(left), "dpsi(0+)": sp.sstr(right)}

    def __repr__(self) -> str:
        return f"GeneratedActivation({self.formula})"


def _families(parity: str | None, bounded: bool | None, smooth: bool | None,
              exclude: Sequence[str] = ()) -> list[Family]:
    out = []
    for f in FAMILIES:
        if f.name in exclude:
            continue
        if parity == "odd" and f.parity != "odd":
            continue
        if parity == "non-odd" and f.parity == "odd":
            continue
        if bounded is True and not f.bounded and f.name not in ("cube",):
            continue   # cube is kept: it is bounded when composed with a bounded inner function
        if smooth is True and f.kinked:
            continue
        out.append(f)
    return out


@st.composite
def _term(draw: st.DrawFn, families: Sequence[Family], bounded: bool | None
          ) -> tuple[sp.Expr, str, bool, bool, str, tuple[Any, ...]]:
    fam = draw(st.sampled_from(list(families)))
    a = draw(st.sampled_from(COEFFICIENTS))
    b = draw(st.sampled_from(SCALES))
    compose = fam.name != "linear" and draw(st.booleans())
    if fam.name == "cube" and bounded is True:
        compose = True
    if compose:
        inner_f = _BY_NAME[draw(st.sampled_from(INNER_FAMILIES))]
        b2 = draw(st.sampled_from(SCALES))
        inner = inner_f.build(b2 * X)
        label = f"{fam.name}({inner_f.name})"
        term_bounded = True    # g(bounded) is bounded for every family used here
        key: tuple[Any, ...] = (fam.name, b, inner_f.name, b2)
    else:
        inner = X
        label = fam.name
        term_bounded = fam.bounded
        key = (fam.name,) if fam.name == "linear" else (fam.name, b)
    expr = a * b * X if fam.name == "linear" else a * fam.build(b * inner)
    return expr, label, term_bounded, fam.kinked, fam.parity, key


@st.composite
def generated_activations(draw: st.DrawFn, *, odd: bool | None = None,
                          bounded: bool | None = None, smooth: bool | None = None,
                          max_terms: int = 3, exclude: Sequence[str] = ()
                          ) -> GeneratedActivation:
    """A new activation psi(x) from the grammar (module docstring).

    ``odd``/``bounded``/``smooth``: True forces the property, False forces its absence, None
    leaves it free; ``max_terms``: at most this many summands; ``exclude``: family names left out
    (e.g. ``("linear",)``).  Shrinks towards ``x`` (or the simplest member allowed).
    """
    n_terms = draw(st.integers(1, max_terms))
    terms: list[sp.Expr] = []
    labels: list[str] = []
    keys: list[tuple[Any, ...]] = []
    all_bounded, any_kinked, all_odd = True, False, True
    parity = "odd" if odd else None
    fams = _families(parity, bounded, smooth, exclude)

    def add(term: tuple[Any, ...]) -> str:
        """Record a drawn summand (expr, label, bounded, kinked, parity, key); its parity."""
        nonlocal all_bounded, any_kinked
        e, lab, tb, tk, par, key = term
        keys.append(key)
        terms.append(e)
        labels.append(lab)
        all_bounded &= tb
        any_kinked |= tk
        return str(par)

    if odd is False:
        # exactly one non-odd summand (it cannot be cancelled by the odd ones) or an offset
        non_odd = _families("non-odd", bounded, smooth, exclude)
        if non_odd and draw(st.booleans()):  # type: ignore[arg-type]  # mypy narrows draw wrongly
            add(draw(_term(non_odd, bounded)))
        else:
            c = draw(st.sampled_from(OFFSETS))
            terms.append(c)
            labels.append(f"offset {c}")
        all_odd = False
        fams = _families("odd", bounded, smooth, exclude)
        n_terms = max(0, n_terms - 1)
    for _ in range(n_terms):
        all_odd &= add(draw(_term(fams, bounded))) == "odd"
    if bounded is False and all_bounded and "linear" not in exclude:
        terms.append(draw(st.sampled_from(COEFFICIENTS)) * X)
        labels.append("linear")
        keys.append(("linear",))
        all_bounded = False
    # distinct summands cannot cancel, so the flags set by construction stay true
    assume(len(set(keys)) == len(keys))
    assume(bounded is not False or not all_bounded)
    expr = sp.Add(*terms)
    assume(expr.has(X))
    return GeneratedActivation(expr=expr, terms=tuple(labels), odd=all_odd,
                               bounded=all_bounded, kinked=expr.has(sp.Abs, sp.Max, sp.Min))


def builtin_activations(names: Sequence[str] | None = None) -> st.SearchStrategy[Any]:
    """One of the built-in activations (or of ``names``), as Activation objects."""

    chosen = list(names) if names else list(BUILTIN_NAMES)
    return st.sampled_from(chosen).map(get_activation)


# -- the (sw2, sb2) plane -----------------------------------------------------------------------
SIMPLE_SW2: tuple[float, ...] = (1.0, 2.0, 0.5, 4.0, 0.25, 1.5, 3.0)


def sw2_values(lo: float = 0.05, hi: float = 5.0) -> st.SearchStrategy[float]:
    """Weight variances: simple values (1, 2, 1/2, ...) or any float in [lo, hi]."""
    simple = [v for v in SIMPLE_SW2 if lo <= v <= hi]
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(simple), floats) if simple else floats


def sb2_values(lo: float = 0.0, hi: float = 2.0) -> st.SearchStrategy[float]:
    """Bias variances: 0 (the boundary of the plane) or any float in [lo, hi]."""
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(lo), floats) if lo == 0.0 else floats


def plane_points(sw2: tuple[float, float] = (0.05, 5.0), sb2: tuple[float, float] = (0.0, 2.0)
                 ) -> st.SearchStrategy[tuple[float, float]]:
    """Points (sw2, sb2) of the plane, boundary and simple values included."""
    return st.tuples(sw2_values(*sw2), sb2_values(*sb2))


def critical_points(dpsi0: sp.Expr | float | None) -> list[tuple[float, float]]:
    """The dynamical-isometry point (1/psi'(0)^2, 0) when psi'(0) exists and is non-zero."""
    if dpsi0 is None:
        return []
    d = float(dpsi0)
    return [(1.0 / (d * d), 0.0)] if d != 0 else []


def activation_plane_points(activations: st.SearchStrategy[GeneratedActivation],
                            sw2: tuple[float, float] = (0.05, 5.0),
                            sb2: tuple[float, float] = (0.0, 2.0)
                            ) -> st.SearchStrategy[tuple[GeneratedActivation, tuple[float, float]]]:
    """An activation with a plane point: any point of the plane, or its own DI point
    (1/psi'(0)^2, 0) -- the point the claims of seed 000 Sec. IV C single out."""

    def with_point(act: GeneratedActivation) -> st.SearchStrategy[Any]:
        special = critical_points(act.dpsi0)
        pts = plane_points(sw2, sb2)
        if special:
            pts = st.one_of(pts, st.sampled_from(special))
        return st.tuples(st.just(act), pts)

    return activations.flatmap(with_point)


# -- dimensions ---------------------------------------------------------------------------------
def input_dimensions(lo: int = 1, hi: int = 64) -> st.SearchStrategy[int]:
    """Input dimensions N0 (small values first)."""
    return st.integers(lo, hi)


__all__ = [
    "COEFFICIENTS",
    "FAMILIES",
    "SCALES",
    "Family",
    "GeneratedActivation",
    "X",
    "activation_plane_points",
    "builtin_activations",
    "critical_points",
    "generated_activations",
    "input_dimensions",
    "plane_points",
    "sb2_values",
    "sw2_values",
]
