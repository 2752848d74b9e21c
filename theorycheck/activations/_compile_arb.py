"""Compile a SymPy expression in x into a callable on Arb balls (python-flint ``arb``/``acb``).

The fourth backend of the expression compiler (beside numpy, mpmath and torch in ``_compile``):
a recursive translator over the same whitelisted tree, building closures ``f(z, analytic)``
that accept a real ball (``arb``) or a complex ball (``acb``) and return a ball enclosing
f(z) for every point of z. No source text is generated, so a user formula never runs code.

Non-analytic nodes (Piecewise, Abs, sign, Heaviside, Max/Min) are decided on the ball: the
switching argument a(z) is evaluated and, when the real part of a(z) excludes 0, the branch
valid there is taken. For real x in z, a(x) lies in a(z), so the choice is that of every real
point of z, and the branch is analytic on z. When the ball straddles a switch: with
``analytic=True`` the result is an indeterminate ball (``acb.integral`` then subdivides, as
its contract requires); with ``analytic=False`` on a real ball the union of the candidate
branches is returned (a rigorous enclosure of f on the ball). ``log``, ``sqrt`` and
non-integer powers forward the analytic flag (branch cuts). DiracDelta is 0 (the pointwise
derivative, as in every backend); Heaviside(0) = 1/2, sign(0) = 0.

:func:`panel_branches` splits the real line at the switch points of an expression and gives
the analytic branch valid on each panel, with the sign of every switching function proved
constant on the open panel by interval bisection (:func:`prove_sign`). A switch point that is
not a dyadic rational (1/3, sqrt(2), a numerically located root) is replaced by a tiny sliver
around it, bounded by the union of the neighbouring branches.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable
from typing import Any

import sympy as sp
from flint import acb, arb, ctx
from sympy.core.relational import Relational

from theorycheck.activations.branches import UnresolvedError, resolve_branches
from theorycheck.activations.kinks import _roots, _switch_functions
from theorycheck.errors import Status, TheoryCheckError

Ball = Any
ArbFn = Callable[[Ball, bool], Ball]
#: status of an input the certified backend cannot (yet) prove anything about
NOT_CERTIFIED = Status.NOT_CERTIFIED
#: bisection depth of :func:`prove_sign`
SIGN_DEPTH = 48


def _err(msg: str) -> TheoryCheckError:
    return TheoryCheckError(msg, status=NOT_CERTIFIED)


def _nan(z: Ball) -> Ball:
    return acb("nan") if isinstance(z, acb) else arb.nan()


def _is_real(z: Ball) -> bool:
    return isinstance(z, arb) or (isinstance(z, acb) and z.imag.is_zero())


def _sgn(v: Ball) -> int | None:
    """+1 / -1 when the real part of v is certainly positive / negative, 0 when exactly 0."""
    r = v.real if isinstance(v, acb) else v
    if r > 0:
        return 1
    if r < 0:
        return -1
    if r.is_zero() and (not isinstance(v, acb) or v.imag.is_zero()):
        return 0
    return None


def _hull(z: Ball, values: list[Ball]) -> Ball:
    """The union of real candidate values (non-analytic evaluation on a real ball)."""
    if not _is_real(z):
        return _nan(z)
    reals = [v.real if isinstance(v, acb) else v for v in values]
    out = functools.reduce(lambda a, b: a.union(b), reals)
    return acb(out) if isinstance(z, acb) else out


def exact_constants(expr: sp.Expr) -> sp.Expr:
    """expr with every Float replaced by the exact Rational of its binary value.

    Build psi^2, psi' or psi'^4 from this, not from expr: SymPy rounds Float arithmetic to
    the Floats' precision (selu's 32-digit constants: 110 bits), so lambda^2 alpha^2 in
    (lambda psi)^2 would be off by ~1e-33 and an enclosure built on it would miss the true
    integral of the activation as given (it did: selu's q* at (1.2, 0.3) by 5e-33)."""
    return expr.xreplace({f: sp.Rational(f) for f in expr.atoms(sp.Float)})


def to_arb(node: sp.Expr) -> arb:
    """An exact-or-enclosing arb for a SymPy number: integers, rationals, Floats exactly."""
    if node.is_Integer:
        return arb(int(node))
    if node.is_Rational:
        return arb(int(node.p)) / int(node.q)
    if node.is_Float:
        sign, man, exp, _bc = node._mpf_
        v = arb(int(man)) * arb(2) ** int(exp)
        return -v if sign else v
    if node is sp.pi:
        return arb.pi()
    if node is sp.E:
        return arb(1).exp()
    raise _err(f"cannot enclose the constant {node}")


class ArbCompiler:
    """Translate a SymPy tree in ``x`` into closures ``f(z, analytic)`` on arb/acb balls."""

    def __init__(self, x: sp.Symbol) -> None:
        self.x = x

    def build(self, node: Any) -> ArbFn:
        if node is sp.true or node is True:
            return lambda z, a: True
        if node is sp.false or node is False:
            return lambda z, a: False
        if node == self.x:
            return lambda z, a: z
        if isinstance(node, sp.DiracDelta):
            return lambda z, a: z * 0
        if isinstance(node, sp.Number) or node in (sp.pi, sp.E):
            if not node.is_finite or node.is_real is False:
                raise _err(f"the constant {node} is not a finite real number")
            c = to_arb(node)
            return lambda z, a: c
        if isinstance(node, sp.Expr) and node.free_symbols - {self.x}:
            names = ", ".join(sorted(str(s) for s in node.free_symbols - {self.x}))
            raise _err(f"free symbol(s) other than x: {names}")
        if isinstance(node, sp.Add):
            parts = [self.build(t) for t in node.args]
            return lambda z, a: functools.reduce(operator.add, (p(z, a) for p in parts))
        if isinstance(node, sp.Mul):
            parts = [self.build(t) for t in node.args]
            return lambda z, a: functools.reduce(operator.mul, (p(z, a) for p in parts))
        if isinstance(node, sp.Pow):
            return self._pow(node)
        if isinstance(node, (sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min)):
            return self._nonsmooth(node)
        if isinstance(node, Relational):
            d = self.build(node.lhs - node.rhs)
            op = {sp.StrictLessThan: operator.lt, sp.LessThan: operator.le,
                  sp.StrictGreaterThan: operator.gt, sp.GreaterThan: operator.ge,
                  sp.Equality: operator.eq, sp.Unequality: operator.ne}[type(node)]

            def rel(z: Ball, a: bool) -> bool | None:
                s = _sgn(d(z, a))
                return None if s is None else bool(op(s, 0))
            return rel
        if isinstance(node, (sp.And, sp.Or, sp.Not)):
            return self._logic(node)
        f = _FUNCS.get(type(node))
        if f is not None and len(node.args) == 1:
            arg = self.build(node.args[0])
            return lambda z, a: f(arg(z, a), a)
        raise _err(f"cannot enclose {type(node).__name__} in ball arithmetic")

    def _pow(self, node: sp.Pow) -> ArbFn:
        base, ex = node.args
        b = self.build(base)
        if ex.is_Integer:
            n = int(ex)
            return lambda z, a: b(z, a) ** n
        if ex == sp.S.Half:
            return lambda z, a: _sqrt(b(z, a), a)
        e = self.build(ex)
        return lambda z, a: _powg(b(z, a), e(z, a), a)

    def _logic(self, node: sp.Expr) -> ArbFn:
        parts = [self.build(t) for t in node.args]

        def logic(z: Ball, a: bool) -> bool | None:
            vals = [p(z, a) for p in parts]
            if isinstance(node, sp.Not):
                return None if vals[0] is None else not vals[0]
            if isinstance(node, sp.And):
                return False if False in vals else (None if None in vals else True)
            return True if True in vals else (None if None in vals else False)
        return logic

    def _nonsmooth(self, node: sp.Expr) -> ArbFn:
        if isinstance(node, sp.Piecewise):
            pairs = [(self.build(e), self.build(c)) for e, c in node.args]

            def pw(z: Ball, a: bool) -> Ball:
                cands: list[Ball] = []
                for e, c in pairs:
                    t = c(z, a)
                    if t is False:
                        continue
                    if t is True:
                        if not cands:
                            return e(z, a)
                        cands.append(e(z, a))
                        return _nan(z) if a else _hull(z, cands)
                    if a:
                        return _nan(z)
                    cands.append(e(z, a))
                return _hull(z, cands) if cands and not a else _nan(z)
            return pw
        args = [self.build(t) for t in node.args]
        if isinstance(node, (sp.Max, sp.Min)):
            pick = 1 if isinstance(node, sp.Max) else -1

            def mm(z: Ball, a: bool) -> Ball:
                vals = [g(z, a) for g in args]
                best = vals[0]
                for v in vals[1:]:
                    s = _sgn(v - best)
                    if s is None:
                        if a or not _is_real(z):
                            return _nan(z)
                        r = [w.real if isinstance(w, acb) else w for w in (best, v)]
                        m = r[0].max(r[1]) if pick > 0 else r[0].min(r[1])
                        best = acb(m) if isinstance(z, acb) else m
                    elif s * pick > 0:
                        best = v
                return best
            return mm
        h0 = arb(1) / 2
        kind = type(node)
        arg = args[0]

        def one(z: Ball, a: bool) -> Ball:
            v = arg(z, a)
            s = _sgn(v)
            if s is None:
                if a:
                    return _nan(z)
                cands = {sp.Abs: [v, -v], sp.sign: [v * 0 - 1, v * 0 + 1],
                         sp.Heaviside: [v * 0, v * 0 + 1]}[kind]
                return _hull(z, cands)
            if kind is sp.Abs:
                return v if s >= 0 else -v
            if kind is sp.sign:
                return v * 0 + s
            return v * 0 + (h0 if s == 0 else (1 if s > 0 else 0))
        return one


def _sqrt(v: Ball, a: bool) -> Ball:
    return v.sqrt(analytic=a) if isinstance(v, acb) else v.sqrt()


def _log(v: Ball, a: bool) -> Ball:
    return v.log(analytic=a) if isinstance(v, acb) else v.log()


def _powg(b: Ball, e: Ball, a: bool) -> Ball:
    if isinstance(b, acb) or isinstance(e, acb):
        return acb(b).pow(acb(e), analytic=a)
    return b ** e


_FUNCS: dict[type, Callable[[Ball, bool], Ball]] = {
    sp.exp: lambda v, a: v.exp(), sp.log: _log, sp.tanh: lambda v, a: v.tanh(),
    sp.sinh: lambda v, a: v.sinh(), sp.cosh: lambda v, a: v.cosh(),
    sp.sin: lambda v, a: v.sin(), sp.cos: lambda v, a: v.cos(),
    sp.atan: lambda v, a: v.atan(), sp.erf: lambda v, a: v.erf(),
    sp.erfc: lambda v, a: v.erfc(),
}


def compile_arb(expr: sp.Expr, x: sp.Symbol) -> ArbFn:
    """``f(z, analytic)`` enclosing ``expr`` on the ball z (arb or acb) at ``ctx.prec``.

    Raises ``not-certified`` (:class:`TheoryCheckError`) for a node it cannot enclose.
    """
    try:
        return ArbCompiler(x).build(expr)
    except RecursionError:
        raise _err("expression too deeply nested for the ball compiler") from None


# ---------------------------------------------------------------------------------------------
# panels: the analytic branch valid between consecutive switch points


def _dyadic(p: sp.Expr) -> bool:
    if not p.is_Rational:
        return False
    d = int(p.q)
    return d & (d - 1) == 0


def switch_points(expr: sp.Expr, x: sp.Symbol, extra: tuple[Any, ...] = ()) -> list[sp.Expr]:
    """Sorted real zeros of the switching functions of ``expr`` (and the points ``extra``):
    exact SymPy numbers where SymPy solves exactly, Floats where they were located numerically
    (:func:`panel_branches` encloses each one; a wrong location fails its sign proof)."""
    pts: set[sp.Expr] = {sp.nsimplify(p) for p in extra}
    for g in _switch_functions(expr, x):
        rts, _exact = _roots(g, x)
        pts.update(rts)
    return sorted(pts, key=lambda p: float(p))


def _to_rational(v: arb) -> sp.Rational:
    man, exp = v.man_exp()
    return sp.Rational(int(man)) * sp.Rational(2) ** int(exp)


def dyadic_bracket(p: sp.Expr, bits: int) -> tuple[sp.Rational, sp.Rational]:
    """Dyadic rationals lo < p < hi with hi - lo about 2^-bits (1 + |p|): the sliver that
    replaces a switch point that is not itself a dyadic rational (1/3, sqrt(2), a root)."""
    old = ctx.prec
    ctx.prec = bits + 30
    try:
        ball = compile_arb(sp.sympify(p), sp.Symbol("x"))(arb(0), False)
        margin = arb(2) ** (-bits) * (1 + abs(ball).upper())
        lo, hi = (ball - margin).lower(), (ball + margin).upper()
        return _to_rational(lo), _to_rational(hi)
    finally:
        ctx.prec = old


def _sliver(left: ArbFn, right: ArbFn) -> ArbFn:
    """f on a sliver around a switch point: the union of the branches on either side (every
    real point of the sliver takes one of them); never analytic, so ``acb.integral`` bounds
    the sliver by its width times this enclosure."""

    def f(z: Ball, analytic: bool) -> Ball:
        if analytic:
            return _nan(z)
        return _hull(z, [left(z, False), right(z, False)])

    return f


def _interval(lo: arb, hi: arb) -> arb:
    return (lo + hi) / 2 + arb(0, 1) * (hi - lo) / 2


def prove_sign(g: ArbFn, dg: ArbFn | None, lo: arb, hi: arb) -> int | None:
    """+1 or -1 when g is proved to have that sign on the open interval (lo, hi) except at
    finitely many points; None when bisection (depth :data:`SIGN_DEPTH`) cannot decide.

    A subinterval is decided by g's enclosure excluding 0, or by g' excluding 0 (g monotone)
    with g at the matching end >= 0 (resp. <= 0). Both are interval-arithmetic facts.
    """
    stack = [(lo, hi, 0)]
    sign: int | None = None
    while stack:
        a, b, depth = stack.pop()
        s = _sgn(g(_interval(a, b), False))
        if s == 0 or s is None:
            s = None
            if dg is not None:
                d = _sgn(dg(_interval(a, b), False))
                if d:
                    ga, gb = g(a, False), g(b, False)
                    if d > 0:
                        s = 1 if ga >= 0 else (-1 if gb <= 0 else None)
                    else:
                        s = -1 if ga <= 0 else (1 if gb >= 0 else None)
        if s is None:
            if depth >= SIGN_DEPTH:
                return None
            m = (a + b) / 2
            stack += [(a, m, depth + 1), (m, b, depth + 1)]
            continue
        if sign is not None and s != sign:
            return None
        sign = s
    return sign


def panel_branches(expr: sp.Expr, x: sp.Symbol, limit: sp.Rational,
                   extra: tuple[Any, ...] = ()) -> tuple[tuple[sp.Expr, ...], tuple[ArbFn, ...]]:
    """(breakpoints b_0 = -limit < ... < b_m = limit, the branch of ``expr`` on each panel).

    Each branch is the analytic expression equal to ``expr`` on the open panel (b_i, b_i+1)
    (found by :func:`~theorycheck.activations.branches.resolve_branches` at the midpoint),
    and every switching function is proved by :func:`prove_sign` to keep one sign there, so
    the branch equals ``expr`` on the panel almost everywhere. A switch point that is not a
    dyadic rational becomes a sliver [lo, hi] of width about 2^-(working precision) around it
    (:func:`dyadic_bracket`), integrated as the union of its neighbours' branches. Raises
    ``not-certified``.
    """
    return _panel_branches(expr, x, limit, tuple(extra), int(ctx.prec))


@functools.lru_cache(maxsize=256)
def _panel_branches(expr: sp.Expr, x: sp.Symbol, limit: sp.Rational, extra: tuple[Any, ...],
                    bits: int) -> tuple[tuple[sp.Expr, ...], tuple[ArbFn, ...]]:
    inner = [p for p in switch_points(expr, x, extra) if -limit < p < limit]
    pts: list[sp.Expr] = [-limit]
    slivers = set()
    for p in inner:
        if _dyadic(p):
            pts.append(p)
        else:
            lo, hi = dyadic_bracket(p, bits - 16)   # wider than the rounding of p at bits
            slivers.add(len(pts))          # the panel (lo, hi) is a sliver
            pts += [lo, hi]
    pts.append(limit)
    switches = [(compile_arb(g, x), _maybe_diff(g, x)) for g in _switch_functions(expr, x)]
    fns: list[ArbFn | None] = []
    for i, (a, b) in enumerate(itertools.pairwise(pts)):
        if i in slivers:
            fns.append(None)
            continue
        mid = (a + b) / 2
        try:
            branch = resolve_branches(expr, mid, x)
        except UnresolvedError:
            raise _err(f"the branch of {expr} on ({a}, {b}) is undecided") from None
        lo, hi = to_arb(a), to_arb(b)
        for g, dg in switches:
            if prove_sign(g, dg, lo, hi) is None:
                raise _err(f"could not prove that a switching function of {expr} keeps "
                           f"its sign on ({a}, {b})")
        fns.append(compile_arb(branch, x))
    done = [f if f is not None else _sliver(fns[i - 1], fns[i + 1])  # type: ignore[arg-type]
            for i, f in enumerate(fns)]
    return tuple(pts), tuple(done)


def _maybe_diff(g: sp.Expr, x: sp.Symbol) -> ArbFn | None:
    dg = sp.diff(g, x)
    if dg.has(sp.DiracDelta):
        return None
    try:
        return compile_arb(dg, x)
    except TheoryCheckError:
        return None
