"""Compile a SymPy expression in x into numpy, mpmath or torch callables, without exec.

A small recursive translator over the expression tree (Add, Mul, Pow, the whitelisted
functions, Piecewise, Heaviside, Max/Min, DiracDelta) builds a tree of closures. No source text
is generated and nothing is evaluated as Python code, so a user formula can never run code.

Conventions shared by every backend:
- ``Heaviside(0) = 1/2`` (SymPy's default; the midpoint of the one-sided limits).
- ``DiracDelta`` evaluates to 0 pointwise: numeric callables give the pointwise (almost
  everywhere) derivative; the distributional part at a kink is not represented.
- ``sign(0) = 0``; ``Abs`` is the real absolute value.

Stability (numpy and torch): ``1/(1+exp(a))**n`` is evaluated as ``expit(-a)**n`` and
``log(1+exp(a))`` as ``logaddexp(0, a)``; numpy evaluation runs with floating-point warnings
silenced, and entries that come out non-finite are recomputed pointwise with mpmath (at most
``FALLBACK_LIMIT`` of them per call), so a correct finite value is returned where one exists.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np
import scipy.special as sps
import sympy as sp
from sympy.core.relational import Relational

from theorycheck.activations._backends import (
    MP_FUNCS,
    NP_FUNCS,
    Expit,
    Fn,
    heaviside_h0,
    mp_heaviside,
    mp_pow,
    np_heaviside,
    np_zero,
    one_plus_exp,
    torch_funcs,
)
from theorycheck.errors import Status, TheoryCheckError

#: the most non-finite numpy entries recomputed with mpmath in one call
FALLBACK_LIMIT = 4096


class _Compiler:
    """Translate a SymPy tree into closures for one backend ("numpy", "mpmath" or "torch")."""

    def __init__(self, backend: str, x: sp.Symbol) -> None:
        self.backend = backend
        self.x = x
        if backend == "torch":
            import torch  # lazy: torch is only needed for torch callables

            self.torch = torch
            self.funcs = torch_funcs(torch)
        elif backend == "numpy":
            self.funcs = NP_FUNCS
        elif backend == "mpmath":
            self.funcs = MP_FUNCS
        else:  # pragma: no cover - internal misuse
            raise ValueError(backend)

    # -- constants ---------------------------------------------------------------------------
    def const(self, node: sp.Expr) -> Fn:
        if self.backend == "mpmath":
            cache: dict[int, Any] = {}

            def c(_x: Any) -> Any:
                prec = mp.mp.prec
                if prec not in cache:
                    if node.is_Integer:
                        cache[prec] = mp.mpf(int(node))
                    elif node.is_Rational:
                        cache[prec] = mp.mpf(int(node.p)) / int(node.q)
                    else:
                        dps = mp.mp.dps + 10
                        val = sp.Float(node.evalf(dps), dps)
                        cache[prec] = +mp.mp.make_mpf(val._as_mpf_val(prec + 20))
                return cache[prec]
            return c
        value = complex(node.evalf(20)) if node.is_real is False else float(node.evalf(20))
        return lambda _x: value

    def tensor(self, v: Any, x: Any) -> Any:
        """``v`` as a tensor like ``x`` (torch) or an array broadcastable to ``x`` (numpy)."""
        if self.backend == "torch":
            if isinstance(v, self.torch.Tensor):
                return v
            return self.torch.as_tensor(v, dtype=x.dtype, device=x.device).expand_as(x)
        return np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(x))

    # -- the tree ------------------------------------------------------------------------------
    def build(self, node: Any) -> Fn:
        if node is sp.true or node is True:
            return lambda _x: True
        if node is sp.false or node is False:
            return lambda _x: False
        if node == self.x:
            return lambda x: x
        if isinstance(node, sp.Expr) and not node.free_symbols:
            if isinstance(node, sp.DiracDelta):
                return self._zero()
            if not node.is_finite and node.is_finite is not None:
                raise TheoryCheckError(f"the expression contains the non-finite constant {node}",
                                       status=Status.NOT_FINITE)
            return self.const(node)
        if node.free_symbols - {self.x}:
            names = ", ".join(sorted(str(s) for s in node.free_symbols - {self.x}))
            raise TheoryCheckError(f"free symbol(s) other than x: {names}",
                                   status=Status.INVALID_FORMULA)
        if isinstance(node, sp.Add):
            parts = [self.build(a) for a in node.args]
            return lambda x: functools.reduce(operator.add, (p(x) for p in parts))
        if isinstance(node, sp.Mul):
            parts = [self.build(a) for a in self._logistic_products(node)]
            return lambda x: functools.reduce(operator.mul, (p(x) for p in parts))
        if isinstance(node, sp.Pow):
            return self._pow(node)
        if isinstance(node, sp.log) and self.backend != "mpmath":
            a = one_plus_exp(node.args[0])
            if a is not None:
                inner = self.build(a)
                if self.backend == "numpy":
                    return lambda x: np.logaddexp(0.0, inner(x))

                def t_softplus(x: Any) -> Any:
                    a = self.tensor(inner(x), x)
                    return self.torch.logaddexp(self.torch.zeros_like(a), a)
                return t_softplus
        if isinstance(node, sp.Piecewise):
            return self._piecewise(node)
        if isinstance(node, sp.Heaviside):
            return self._heaviside(node)
        if isinstance(node, sp.DiracDelta):
            return self._zero()
        if isinstance(node, (sp.Max, sp.Min)):
            return self._maxmin(node)
        if isinstance(node, Relational):
            lhs, rhs = self.build(node.lhs), self.build(node.rhs)
            op = {sp.StrictLessThan: operator.lt, sp.LessThan: operator.le,
                  sp.StrictGreaterThan: operator.gt, sp.GreaterThan: operator.ge,
                  sp.Equality: operator.eq, sp.Unequality: operator.ne}[type(node)]
            return lambda x: op(lhs(x), rhs(x))
        if isinstance(node, (sp.And, sp.Or, sp.Not)):
            return self._logic(node)
        f = self.funcs.get(type(node))
        if f is not None and len(node.args) == 1:
            arg = self.build(node.args[0])
            return lambda x: f(arg(x))
        raise TheoryCheckError(f"cannot evaluate {type(node).__name__} numerically",
                               status=Status.INVALID_FORMULA)

    def _logistic_products(self, node: sp.Mul) -> list[Any]:
        """The factors of ``node`` with each ``exp(k a) (1 + exp(a))**-n`` (integer 0 < k <= n)
        rewritten as ``expit(a)**k expit(-a)**(n-k)``.

        These products are what SymPy's derivatives of sigmoid, swish and softplus are made of;
        evaluated as written they give inf * 0 = NaN once exp(a) overflows (|a| > 709), although
        the product itself is finite. The rewrite is exact. mpmath (no overflow) keeps the tree.
        """
        if self.backend == "mpmath":
            return list(node.args)
        denominators: dict[sp.Expr, int] = {}
        rest: list[Any] = []
        for factor in node.args:
            if isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0:
                a = one_plus_exp(factor.base)
                if a is not None:
                    denominators[a] = denominators.get(a, 0) + int(-factor.exp)
                    continue
            rest.append(factor)
        if not denominators:
            return list(node.args)
        out: list[Any] = []
        for factor in rest:
            if isinstance(factor, sp.exp):
                for a, n in denominators.items():
                    k = sp.simplify(factor.args[0] / a)
                    if k.is_Integer and 0 < int(k) <= n:
                        out.append(Expit(a) ** int(k))
                        denominators[a] = n - int(k)
                        break
                else:
                    out.append(factor)
                continue
            out.append(factor)
        out += [Expit(-a) ** n for a, n in denominators.items() if n > 0]
        return out

    def _zero(self) -> Fn:
        if self.backend == "mpmath":
            return lambda _x: mp.mpf(0)
        if self.backend == "torch":
            return lambda x: self.torch.zeros_like(x)
        return np_zero

    def _pow(self, node: sp.Pow) -> Fn:
        base, ex = node.args
        if self.backend != "mpmath" and ex.is_Integer and ex < 0:
            a = one_plus_exp(base)
            if a is not None:
                inner, n = self.build(a), int(-ex)
                if self.backend == "numpy":
                    return lambda x: sps.expit(-inner(x)) ** n
                return lambda x: self.torch.sigmoid(-inner(x)) ** n
        b = self.build(base)
        if ex == sp.S.Half:
            sqrt = {"numpy": np.sqrt, "mpmath": mp.sqrt}.get(self.backend)
            if sqrt is None:
                sqrt = self.torch.sqrt
            return lambda x: sqrt(b(x))
        if ex.is_Integer:
            n = int(ex)
            if self.backend == "mpmath":
                return lambda x: b(x) ** n
            if n < 0:
                return lambda x: 1.0 / (b(x) ** (-n))
            return lambda x: b(x) ** n
        e = self.build(ex)
        if self.backend == "mpmath":
            return lambda x: mp_pow(b(x), e(x))
        return lambda x: b(x) ** e(x)

    def _heaviside(self, node: sp.Heaviside) -> Fn:
        arg, h0 = self.build(node.args[0]), heaviside_h0(node)
        if self.backend == "mpmath":
            return lambda x: mp_heaviside(arg(x), h0)
        if self.backend == "numpy":
            return lambda x: np_heaviside(arg(x), h0)

        def th(x: Any) -> Any:
            a = self.tensor(arg(x), x)
            return self.torch.heaviside(a, self.torch.as_tensor(h0, dtype=a.dtype,
                                                                 device=a.device))
        return th

    def _maxmin(self, node: sp.Expr) -> Fn:
        parts = [self.build(a) for a in node.args]
        is_max = isinstance(node, sp.Max)
        if self.backend == "mpmath":
            pick = max if is_max else min
            return lambda x: pick(p(x) for p in parts)
        if self.backend == "numpy":
            npf = np.maximum if is_max else np.minimum
            return lambda x: functools.reduce(npf, (p(x) for p in parts))
        tf = self.torch.maximum if is_max else self.torch.minimum
        return lambda x: functools.reduce(tf, (self.tensor(p(x), x) for p in parts))

    def _logic(self, node: sp.Expr) -> Fn:
        parts = [self.build(a) for a in node.args]
        if self.backend == "mpmath":
            if isinstance(node, sp.And):
                return lambda x: all(p(x) for p in parts)
            if isinstance(node, sp.Or):
                return lambda x: any(p(x) for p in parts)
            return lambda x: not parts[0](x)
        if isinstance(node, sp.And):
            return lambda x: functools.reduce(operator.and_, (p(x) for p in parts))
        if isinstance(node, sp.Or):
            return lambda x: functools.reduce(operator.or_, (p(x) for p in parts))
        return lambda x: ~parts[0](x)

    def _piecewise(self, node: sp.Piecewise) -> Fn:
        pairs = [(self.build(e), self.build(c)) for e, c in node.args]
        if self.backend == "mpmath":
            def mpf_pw(x: Any) -> Any:
                for e, c in pairs:
                    if c(x):
                        return e(x)
                return mp.nan
            return mpf_pw
        if self.backend == "numpy":
            def np_pw(x: Any) -> Any:
                shape = np.shape(x)
                conds = [np.broadcast_to(np.asarray(c(x), dtype=bool), shape) for _, c in pairs]
                vals = [np.broadcast_to(np.asarray(e(x), dtype=np.float64), shape)
                        for e, _ in pairs]
                return np.select(conds, vals, default=np.nan)
            return np_pw

        def t_pw(x: Any) -> Any:
            out = self.tensor(float("nan"), x)
            for e, c in reversed(pairs):
                cond = c(x)
                if cond is True:
                    out = self.tensor(e(x), x)
                elif cond is not False:
                    out = self.torch.where(cond, self.tensor(e(x), x), out)
            return out
        return t_pw


# ---------------------------------------------------------------------------------------------
# public entry points


def compile_mpmath(expr: sp.Expr, x: sp.Symbol) -> Callable[[Any], Any]:
    """A scalar mpmath callable for ``expr`` at the caller's current ``mp.prec``."""
    f = _Compiler("mpmath", x).build(expr)

    def call(v: Any) -> Any:
        return f(mp.mpf(v) if not isinstance(v, (mp.mpf, mp.mpc)) else v)
    call.__doc__ = f"mpmath evaluation of {expr}"
    return call


def compile_numpy(expr: sp.Expr, x: sp.Symbol,
                  fallback: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    """A vectorised float64 numpy callable for ``expr``; non-finite entries go to ``fallback``."""
    f = _Compiler("numpy", x).build(expr)
    mpf_fallback = fallback if fallback is not None else compile_mpmath(expr, x)

    def call(v: Any) -> Any:
        arr = np.asarray(v, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = np.array(np.broadcast_to(f(arr), arr.shape), dtype=np.float64)
        bad = ~np.isfinite(out) & np.isfinite(arr)
        if bad.any():
            idx = np.flatnonzero(bad)[:FALLBACK_LIMIT]
            flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
            with mp.workdps(20):
                for i in idx:
                    flat_out[i] = _mp_to_float(mpf_fallback, float(flat_in[i]))
        return out[()] if out.ndim == 0 else out
    call.__doc__ = f"numpy evaluation of {expr}"
    return call


def _mp_to_float(f: Callable[[Any], Any], v: float) -> float:
    try:
        r = f(mp.mpf(v))
    except (TheoryCheckError, ZeroDivisionError, ValueError, OverflowError):
        return float("nan")
    if isinstance(r, mp.mpc):
        return float(r.real) if abs(r.imag) <= 1e-15 * (1 + abs(r.real)) else float("nan")
    return float(r)


def compile_torch(expr: sp.Expr, x: sp.Symbol) -> Callable[[Any], Any]:
    """A torch callable for ``expr`` (elementwise, same dtype and device as the input)."""
    comp = _Compiler("torch", x)
    f = comp.build(expr)

    def call(t: Any) -> Any:
        return comp.tensor(f(t), t)
    call.__doc__ = f"torch evaluation of {expr}"
    return call
