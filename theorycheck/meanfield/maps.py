"""The variance and correlation maps of one activation at any q, to high precision (mpmath).

Notation (ARCHITECTURE.md): ``sw2 = sigma_w^2``, ``sb2 = sigma_b^2``, ``q`` the pre-activation
variance, ``s = sqrt(q)``, ``z ~ N(0, 1)``.  Every number is an :class:`Estimate` from the mpmath
engine (:func:`theorycheck.gaussian.expect_mp`, two tanh-sinh evaluations), computed at the
working precision of the run's :class:`~theorycheck.numbers.Precision` (dps + guard digits).
:class:`MeanFieldMaps` is the base of :class:`~theorycheck.meanfield.MeanField`, which adds the
fixed points, the quantities at q*, the depth scales and the edge of chaos.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import mpmath as mp
import sympy as sp

from theorycheck.cache import UncacheableError, key_of
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine, expect2_mp, expect_mp
from theorycheck.gaussian.mp import node_shared
from theorycheck.meanfield import jumps
from theorycheck.meanfield.adapter import (
    dpsi0_exact,
    jumps_of,
    kinks_of,
    max_variance,
    psi0_dpsi0,
    resolve_activation,
    to_mp,
)
from theorycheck.numbers import Estimate, Precision


def to_mpf(x: Any) -> mp.mpf:
    """An mpf from an Estimate, a string, or a float (floats via repr: 0.05 means 5/100)."""
    if isinstance(x, Estimate):
        return x.value
    if isinstance(x, float):
        return mp.mpf(repr(float(x)))
    return mp.mpf(x)


F = TypeVar("F", bound=Callable[..., Any])


def working_precision(fn: F) -> F:
    """Run a MeanField method at the working precision dps + guard (all intermediate mpmath
    arithmetic; ``Precision.work``)."""

    @wraps(fn)
    def wrapper(self: MeanFieldMaps, *args: Any, **kwargs: Any) -> Any:
        with self.precision.work():
            return fn(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def activation_identity(act: Any) -> dict[str, str] | None:
    """What identifies an activation in a cache key: its name and the exact SymPy tree of its
    formula (``srepr``); None for activations given only as callables (never cached)."""
    expr = getattr(act, "expr", None)
    if expr is None or not hasattr(expr, "func"):
        return None
    return {"name": str(getattr(act, "name", "")), "expr": sp.srepr(expr)}


def point_inputs(self: MeanFieldMaps, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """Cache key of a high-precision point computation: activation, dps and the exact inputs."""
    if self.identity is None:
        return None
    try:
        return {"activation": self.identity, "dps": self.dps, "args": key_of(list(args)),
                "kwargs": key_of(kwargs)}
    except UncacheableError:
        return None


class MeanFieldMaps:
    """The Gaussian integrals, variance map and correlation kernel of one activation.

    ``act``: an Activation (or a name / formula, resolved by ``get_activation``) or a
    :class:`~theorycheck.meanfield.adapter.CallableActivation`; ``dps``: decimal digits of
    every reported number (the error estimates say how many are actually reached), or
    ``precision``: the run's :class:`~theorycheck.numbers.Precision` (validated once there;
    ``dps`` alone builds one, so 10 <= dps <= 1000).
    """

    def __init__(self, act: Any, dps: int | None = None, *,
                 precision: Precision | None = None) -> None:
        if precision is None:
            precision = Precision(30 if dps is None else dps)
        elif dps is not None and dps != precision.dps:
            raise TheoryCheckError(f"dps={dps} disagrees with precision.dps={precision.dps}",
                                   status=Status.INVALID_ARGUMENT)
        self.precision = precision
        self.dps = precision.dps
        self.act = resolve_activation(act)
        self.name = str(getattr(self.act, "name", "activation"))
        self.kinks = kinks_of(self.act)
        self.jumps, self.jump_limits, self.piecewise_constant = jumps_of(self.act)
        self.psi0, self.dpsi0 = psi0_dpsi0(self.act)
        self._dpsi0_exact = dpsi0_exact(self.act)
        self.q_limit = max_variance(self.act)
        self.grid = GridEngine(self.act, kinks=self.kinks)
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._psi = [node_shared(self.act.mpmath(k)) for k in range(2)]
        self.identity = activation_identity(self.act)

    # -- Gaussian integrals ------------------------------------------------------------------
    def _psi2(self, k: int) -> Any:
        try:
            return self.act.mpmath(k)
        except TheoryCheckError:
            raise
        except Exception as err:  # a derivative the activation cannot provide
            raise TheoryCheckError(f"{self.name}: derivative {k} unavailable ({err})") from None

    @working_precision
    def expect(self, what: str, q: Any) -> Estimate:
        """E F(sqrt(q) z) for F named by ``what`` (cached per q and dps).

        ``psi2``: psi^2 (seed 000 Eq. (9)); ``dpsi2``: psi'^2 (Eq. (17)); ``dpsi4``: psi'^4
        (Eq. (65)); ``dpsi``: psi' (Stein route to beta); ``upsi``: u psi(u)/q (Eq. (38));
        ``slope``: u psi psi'(u)/q = d/dq E psi^2 (integration by parts); ``psi_ddpsi``: psi psi''
        (seed 002 Eq. (9)).
        """
        key = ("E", what, str(to_mpf(q)))
        if key in self._cache:
            return self._cache[key]
        qm = to_mpf(q)
        p, dp = self._psi
        fns = {
            "psi2": lambda u: p(u) ** 2,
            "dpsi2": lambda u: dp(u) ** 2,
            "dpsi4": lambda u: dp(u) ** 4,
            "dpsi": lambda u: dp(u),
            "upsi": lambda u: u * p(u) / qm,
            "slope": lambda u: u * p(u) * dp(u) / qm,
            "psi_ddpsi": lambda u: p(u) * self._psi2(2)(u),
        }
        if what not in fns:
            raise ValueError(what)
        est = expect_mp(fns[what], qm, dps=self.dps, breakpoints=self.kinks)
        self._cache[key] = est
        return est

    @working_precision
    def variance_map(self, q: Any, sw2: Any, sb2: Any) -> Estimate:
        """q -> sw2 E psi(sqrt(q) z)^2 + sb2.

        The correct map (Poole et al. 2016).  Printed forms: seed 002 Eq. (3) omits the square
        (``int Dz phi(sqrt(q) z)``), seed 000 Eq. (9) writes ``psi(sqrt(sigma) x)^2`` with sigma
        the standard deviation (should be ``psi(sigma x)``); both are misprints.
        Accuracy: that of :func:`expect_mp`.
        """
        e = self.expect("psi2", q)
        sw2m, sb2m = to_mpf(sw2), to_mpf(sb2)
        return Estimate(sw2m * e.value + sb2m, abs(sw2m) * e.error, e.method)

    @working_precision
    def map_slope(self, q: Any, sw2: Any) -> Estimate:
        """d/dq of the variance map: sw2 E[psi'^2 + psi psi''] = sw2 E[u psi(u) psi'(u)]/q.

        The second form (Gaussian integration by parts) holds for kinked psi as well; at q = 0 it
        is sw2 psi'(0)^2 (or its one-sided limit).  Seed 002 Eq. (9) (the argument of the log).
        Jumps of psi add sw2 sum_j (psi(a_j+)^2 - psi(a_j-)^2) a_j phi_q(a_j)/(2q)
        (:func:`theorycheck.meanfield.jumps.slope_term`).
        """
        qm, sw2m = to_mpf(q), to_mpf(sw2)
        if qm == 0:
            if self.psi0 != 0:
                # slope at 0 of E psi^2 is psi(0) psi''(0) + psi'(0)^2: use a tiny q
                qm = mp.mpf(10) ** (-self.dps // 2 - 5)
            elif self.dpsi0 is not None:
                return Estimate(sw2m * self.dpsi0_mp() ** 2, mp.mpf(0), "psi'(0)^2")
            else:
                qm = mp.mpf(10) ** (-self.dps // 2 - 5)
        e = self.expect("slope", qm)
        if self.jumps:  # the jumps of psi^2 (Gaussian integration by parts, meanfield.jumps)
            return Estimate(sw2m * (e.value + jumps.slope_term(self, qm)), abs(sw2m) * e.error,
                            e.method + "; plus the jumps' point masses")
        return Estimate(sw2m * e.value, abs(sw2m) * e.error, e.method)

    @working_precision
    def kernel(self, q: Any, c: Any) -> Estimate:
        """E psi(u1) psi(u2) with Var u = q, corr c (seed 000 Eq. (14); seed 002 Eqs. (5)-(7)).

        A piecewise-constant psi (sign, Heaviside) goes through orthant probabilities
        (:func:`theorycheck.meanfield.jumps.step_kernel`, ~10 ms); others through
        :func:`expect2_mp` (a nested quadrature, seconds to minutes).
        """
        if self.piecewise_constant and to_mpf(q) > 0:
            return jumps.step_kernel(self, to_mpf(q), to_mpf(c))[0]
        p = self._psi[0]
        return expect2_mp(p, p, q, q, c, dps=self.dps, breakpoints=self.kinks)

    def dpsi0_mp(self) -> mp.mpf:
        """psi'(0) at the current mpmath precision (exact SymPy value where known)."""
        if self.dpsi0 is None:
            raise TheoryCheckError(f"{self.name}: psi'(0) is undefined")
        return to_mp(self._dpsi0_exact if self._dpsi0_exact is not None else self.dpsi0)

    def dps_floor(self) -> mp.mpf:
        """The smallest error any reported number carries: 10**-(dps + 5)."""
        return mp.mpf(10) ** -(self.dps + 5)
