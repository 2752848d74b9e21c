"""Elementwise building blocks of the expression compiler, one table per backend.

The compiler in ``_compile`` maps each SymPy function class to an implementation from
:data:`NP_FUNCS` (numpy/scipy), :data:`MP_FUNCS` (mpmath) or :func:`torch_funcs`; the mpmath
ones are guarded so that a huge argument gives inf/0/NaN instead of a runaway-precision
computation (exp, sinh, cosh beyond |a| = 1e15, sin/cos beyond magnitude 2^4096, powers whose
logarithm exceeds 1e15).  :class:`Expit` is the internal logistic node of the numeric builds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np
import scipy.special as sps
import sympy as sp

Fn = Callable[[Any], Any]

#: |argument| above which mpmath's exp is taken as overflowing (guards runaway precision)
MP_EXP_LIMIT = mp.mpf(10) ** 15
#: magnitude (bits) of a trigonometric argument above which sin/cos give NaN (not computed)
_MP_TRIG_MAG = 4096


# ---------------------------------------------------------------------------------------------
# structural helpers


def one_plus_exp(node: sp.Expr) -> sp.Expr | None:
    """Return ``a`` when ``node`` is ``1 + exp(a)``, else None."""
    if isinstance(node, sp.Add) and len(node.args) == 2:
        one, other = node.args
        if other == 1:
            one, other = other, one
        if one == 1 and isinstance(other, sp.exp):
            return other.args[0]
    return None


def heaviside_h0(node: sp.Heaviside) -> float:
    """The value H0 of ``Heaviside(a, H0)`` at 0 (1/2 unless given)."""
    if len(node.args) > 1 and node.args[1] is not None and node.args[1].is_number:
        return float(node.args[1])
    return 0.5


# ---------------------------------------------------------------------------------------------
# mpmath scalar functions with guards against runaway precision


def _mp_exp(a: Any) -> Any:
    if isinstance(a, mp.mpf) and abs(a) > MP_EXP_LIMIT:
        return mp.inf if a > 0 else mp.mpf(0)
    return mp.exp(a)


def _mp_guard_trig(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def g(a: Any) -> Any:
        if isinstance(a, mp.mpf) and (not mp.isfinite(a) or (a != 0 and
                                                              mp.mag(a) > _MP_TRIG_MAG)):
            return mp.nan  # sin/cos of an astronomically large argument: no usable value
        return f(a)
    return g


def _mp_sinh(a: Any) -> Any:
    if isinstance(a, mp.mpf) and abs(a) > MP_EXP_LIMIT:
        return mp.inf if a > 0 else -mp.inf
    return mp.sinh(a)


def _mp_cosh(a: Any) -> Any:
    if isinstance(a, mp.mpf) and abs(a) > MP_EXP_LIMIT:
        return mp.inf
    return mp.cosh(a)


def mp_heaviside(a: Any, h0: float) -> Any:
    if a > 0:
        return mp.mpf(1)
    if a < 0:
        return mp.mpf(0)
    return mp.mpf(h0)


def mp_pow(b: Any, e: Any) -> Any:
    if b == 0:
        return mp.power(b, e)
    lg = e * mp.log(abs(b)) if isinstance(e, mp.mpf) else None
    if lg is not None and abs(lg) > MP_EXP_LIMIT:
        if b > 0:
            return mp.inf if lg > 0 else mp.mpf(0)
        return mp.nan
    return mp.power(b, e)


# ---------------------------------------------------------------------------------------------
# backends: each maps a SymPy function class to an elementwise implementation


def np_heaviside(a: Any, h0: float) -> Any:
    return np.heaviside(a, h0)


def np_zero(a: Any) -> Any:
    return np.zeros_like(np.asarray(a, dtype=np.float64))


class Expit(sp.Function):
    """The logistic function 1/(1 + exp(-a)): only an internal node of the numeric builds."""

    nargs = 1


NP_FUNCS: dict[type, Fn] = {
    Expit: sps.expit,
    sp.exp: np.exp, sp.log: np.log, sp.tanh: np.tanh, sp.sinh: np.sinh, sp.cosh: np.cosh,
    sp.sin: np.sin, sp.cos: np.cos, sp.atan: np.arctan, sp.erf: sps.erf, sp.erfc: sps.erfc,
    sp.Abs: np.abs, sp.sign: np.sign,
}

MP_FUNCS: dict[type, Fn] = {
    sp.exp: _mp_exp, sp.log: mp.log, sp.tanh: mp.tanh, sp.sinh: _mp_sinh, sp.cosh: _mp_cosh,
    sp.sin: _mp_guard_trig(mp.sin), sp.cos: _mp_guard_trig(mp.cos), sp.atan: mp.atan,
    sp.erf: mp.erf, sp.erfc: mp.erfc, sp.Abs: abs, sp.sign: mp.sign,
}


def torch_funcs(torch: Any) -> dict[type, Fn]:
    return {
        Expit: torch.sigmoid,
        sp.exp: torch.exp, sp.log: torch.log, sp.tanh: torch.tanh, sp.sinh: torch.sinh,
        sp.cosh: torch.cosh, sp.sin: torch.sin, sp.cos: torch.cos, sp.atan: torch.atan,
        sp.erf: torch.erf, sp.erfc: torch.erfc, sp.Abs: torch.abs, sp.sign: torch.sign,
    }
