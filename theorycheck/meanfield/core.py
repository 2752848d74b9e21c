"""The mean-field maps of a deep fully-connected network at initialisation, to high precision.

Notation (ARCHITECTURE.md): ``sw2 = sigma_w^2``, ``sb2 = sigma_b^2``, ``q`` the pre-activation
variance, ``s = sqrt(q)``, ``z ~ N(0, 1)``.  Every number is an :class:`Estimate` from the mpmath
engine (:func:`theorycheck.gaussian.expect_mp`, two tanh-sinh evaluations); fixed points are
bracketed with the float64 grid engine and then polished by Newton steps in mpmath.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import mpmath as mp
import numpy as np

from theorycheck.cache import UncacheableError, disk_cached, key_of
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine, expect2_mp, expect_mp
from theorycheck.meanfield import eoc
from theorycheck.meanfield.adapter import (
    dpsi0_exact,
    kinks_of,
    max_variance,
    psi0_dpsi0,
    resolve_activation,
    to_mp,
)
from theorycheck.meanfield.results import DIPoint, EOCPoint, MeanFieldPoint
from theorycheck.numbers import Estimate

Q_MIN, Q_MAX, N_SCAN = 1e-12, 1e8, 321
_TINY = mp.mpf(10) ** -40


def _mpf(x: Any) -> mp.mpf:
    """An mpf from an Estimate, a string, or a float (floats via repr: 0.05 means 5/100)."""
    if isinstance(x, Estimate):
        return x.value
    if isinstance(x, float):
        return mp.mpf(repr(float(x)))
    return mp.mpf(x)


F = TypeVar("F", bound=Callable[..., Any])


def _working_precision(fn: F) -> F:
    """Run a MeanField method at dps + 10 digits (all intermediate mpmath arithmetic)."""

    @wraps(fn)
    def wrapper(self: MeanField, *args: Any, **kwargs: Any) -> Any:
        with mp.workdps(self.dps + 10):
            return fn(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def activation_identity(act: Any) -> dict[str, str] | None:
    """What identifies an activation in a cache key: its name and the exact SymPy tree of its
    formula (``srepr``); None for activations given only as callables (never cached)."""
    expr = getattr(act, "expr", None)
    if expr is None or not hasattr(expr, "func"):
        return None
    import sympy as sp

    return {"name": str(getattr(act, "name", "")), "expr": sp.srepr(expr)}


def _point_inputs(self: MeanField, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """Cache key of a high-precision point computation: activation, dps and the exact inputs."""
    if self.identity is None:
        return None
    try:
        return {"activation": self.identity, "dps": self.dps, "args": key_of(list(args)),
                "kwargs": key_of(kwargs)}
    except UncacheableError:
        return None


class MeanField:
    """Mean-field theory of one activation at ``dps`` digits.

    ``act``: an Activation (or a name / formula, resolved by ``get_activation``) or a
    :class:`~theorycheck.meanfield.adapter.CallableActivation`; ``dps``: decimal digits of
    every reported number (the error estimates say how many are actually reached).
    """

    def __init__(self, act: Any, dps: int = 30) -> None:
        if dps < 10:
            raise TheoryCheckError(f"dps must be at least 10, got {dps}")
        self.act = resolve_activation(act)
        self.name = str(getattr(self.act, "name", "activation"))
        self.dps = dps
        self.kinks = kinks_of(self.act)
        self.psi0, self.dpsi0 = psi0_dpsi0(self.act)
        self._dpsi0_exact = dpsi0_exact(self.act)
        self.q_limit = max_variance(self.act)
        self.grid = GridEngine(self.act, kinks=self.kinks)
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._psi = [self.act.mpmath(k) for k in range(2)]
        self.identity = activation_identity(self.act)

    # -- Gaussian integrals ------------------------------------------------------------------
    def _psi2(self, k: int) -> Any:
        try:
            return self.act.mpmath(k)
        except TheoryCheckError:
            raise
        except Exception as err:  # a derivative the activation cannot provide
            raise TheoryCheckError(f"{self.name}: derivative {k} unavailable ({err})") from None

    @_working_precision
    def expect(self, what: str, q: Any) -> Estimate:
        """E F(sqrt(q) z) for F named by ``what`` (cached per q and dps).

        ``psi2``: psi^2 (seed 000 Eq. (9)); ``dpsi2``: psi'^2 (Eq. (17)); ``dpsi4``: psi'^4
        (Eq. (65)); ``dpsi``: psi' (Stein route to beta); ``upsi``: u psi(u)/q (Eq. (38));
        ``slope``: u psi psi'(u)/q = d/dq E psi^2 (integration by parts); ``psi_ddpsi``: psi psi''
        (seed 002 Eq. (9)).
        """
        key = ("E", what, str(_mpf(q)))
        if key in self._cache:
            return self._cache[key]
        qm = _mpf(q)
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

    @_working_precision
    def variance_map(self, q: Any, sw2: Any, sb2: Any) -> Estimate:
        """q -> sw2 E psi(sqrt(q) z)^2 + sb2.

        The correct map (Poole et al. 2016).  Printed forms: seed 002 Eq. (3) omits the square
        (``int Dz phi(sqrt(q) z)``), seed 000 Eq. (9) writes ``psi(sqrt(sigma) x)^2`` with sigma
        the standard deviation (should be ``psi(sigma x)``); both are misprints.
        Accuracy: that of :func:`expect_mp`.
        """
        e = self.expect("psi2", q)
        sw2m, sb2m = _mpf(sw2), _mpf(sb2)
        with mp.workdps(self.dps + 10):
            return Estimate(sw2m * e.value + sb2m, abs(sw2m) * e.error, e.method)

    @_working_precision
    def map_slope(self, q: Any, sw2: Any) -> Estimate:
        """d/dq of the variance map: sw2 E[psi'^2 + psi psi''] = sw2 E[u psi(u) psi'(u)]/q.

        The second form (Gaussian integration by parts) holds for kinked psi as well; at q = 0 it
        is sw2 psi'(0)^2 (or its one-sided limit).  Seed 002 Eq. (9) (the argument of the log).
        """
        qm, sw2m = _mpf(q), _mpf(sw2)
        if qm == 0:
            if self.psi0 != 0:
                # slope at 0 of E psi^2 is psi(0) psi''(0) + psi'(0)^2: use a tiny q
                qm = mp.mpf(10) ** (-self.dps // 2 - 5)
            elif self.dpsi0 is not None:
                return Estimate(sw2m * self.dpsi0_mp() ** 2, mp.mpf(0), "psi'(0)^2")
            else:
                qm = mp.mpf(10) ** (-self.dps // 2 - 5)
        e = self.expect("slope", qm)
        return Estimate(sw2m * e.value, abs(sw2m) * e.error, e.method)

    # -- fixed points of the variance map ---------------------------------------------------
    def _scan(self, sw2: float, sb2: float) -> tuple[np.ndarray, np.ndarray]:
        hi = min(Q_MAX, 0.999 * self.q_limit) if math.isfinite(self.q_limit) else Q_MAX
        qs = np.concatenate([[0.0], np.logspace(math.log10(Q_MIN), math.log10(hi), N_SCAN)])
        psi = self.grid.func(0)
        vals, _ = self.grid.expect_xz([lambda x, z: psi(x) ** 2], qs, strict=False)
        g = vals[0]
        with np.errstate(invalid="ignore", over="ignore"):
            h = sw2 * g + sb2 - qs
        h[~np.isfinite(h)] = np.inf
        return qs, h

    @_working_precision
    def fixed_points(self, sw2: Any, sb2: Any) -> list[tuple[mp.mpf, Estimate, str]]:
        """All fixed points q of the variance map in [0, 1e8]: (q, slope, 'stable'|'unstable').

        Sign changes of map(q) - q on a 321-point log grid (float64 engine), each polished by
        Newton steps in mpmath (error ~ 10**-dps).  Raises NON_UNIQUE_FIXED_POINT when the map
        coincides with the identity on an interval (e.g. linear at sw2 = 1, relu at sw2 = 2,
        with sb2 = 0).  Seed 000 Eqs. (9), (52); seed 002 Eq. (3).
        """
        key = ("fp", str(_mpf(sw2)), str(_mpf(sb2)))
        if key in self._cache:
            return self._cache[key]
        sw2f, sb2f = float(sw2), float(sb2)
        if sw2f < 0 or sb2f < 0:
            raise TheoryCheckError(f"sw2 and sb2 must be >= 0 (got {sw2}, {sb2})")
        qs, h = self._scan(sw2f, sb2f)
        tol = 1e-11 * np.maximum(qs, 1e-300) + 1e-300
        flat = np.abs(h[1:]) <= tol[1:]
        if np.count_nonzero(flat) >= 5:
            idx = np.flatnonzero(flat)
            raise TheoryCheckError(
                f"{self.name} at sw2={sw2}, sb2={sb2}: the variance map equals the identity for"
                f" q in [{qs[1 + idx[0]]:.3g}, {qs[1 + idx[-1]]:.3g}] -- every such q is a fixed"
                " point (marginal case), so q* is not unique",
                status=Status.NON_UNIQUE_FIXED_POINT)
        roots: list[tuple[mp.mpf, Estimate, str]] = []
        if sb2f == 0 and self.psi0 == 0:
            slope0 = self.map_slope(0, sw2)
            if abs(slope0.value - 1) <= max(slope0.error, mp.mpf(10) ** (-self.dps // 2)):
                kind = "stable" if h[1] < 0 else "unstable"  # next order decides
            else:
                kind = "stable" if slope0.value < 1 else "unstable"
            roots.append((mp.mpf(0), slope0, kind))
        sgn = np.sign(h[1:])
        for i in np.flatnonzero(sgn[:-1] * sgn[1:] < 0):
            a, b = qs[1 + i], qs[2 + i]
            q = self._polish(a, b, sw2, sb2)
            slope = self.map_slope(q, sw2)
            roots.append((q, slope, "stable" if abs(slope.value) < 1 else "unstable"))
        self._cache[key] = roots
        self._cache[("scan_end", *key[1:])] = float(h[-1])
        return roots

    def _polish(self, a: float, b: float, sw2: Any, sb2: Any) -> mp.mpf:
        """Root of map(q) - q in [a, b]: float64 Brent, then mpmath Newton to 10**-dps."""
        from scipy.optimize import brentq

        psi = self.grid.func(0)
        sw2f, sb2f = float(sw2), float(sb2)

        def hf(q: float) -> float:
            v, _ = self.grid.expect(lambda x: psi(x) ** 2, np.array([q]))
            return float(sw2f * v[0] + sb2f - q)

        q0 = brentq(hf, a, b, xtol=1e-300, rtol=1e-15, maxiter=200)
        q = mp.mpf(q0)
        sw2m = _mpf(sw2)
        for _ in range(12):
            F = self.variance_map(q, sw2, sb2).value - q
            dF = sw2m * self.expect("slope", q).value - 1
            if dF == 0:
                break
            step = F / dF
            with mp.workdps(self.dps + 10):
                q = q - step
            if abs(step) <= mp.mpf(10) ** (-self.dps - 3) * max(abs(q), mp.mpf(1)):
                break
        self._cache[("qstep", str(q))] = abs(step)
        return q

    @disk_cached("meanfield.q_star", _point_inputs, cache_errors=True)
    @_working_precision
    def q_star(self, sw2: Any, sb2: Any) -> Estimate:
        """The stable fixed point q* of the variance map (seed 000 Eq. (52); seed 002 Eq. (3)).

        q* = 0 when sb2 = 0, psi(0) = 0 and sw2 psi'(0)^2 < 1 (or = 1 with the map below the
        identity).  Raises NO_FINITE_FIXED_POINT (no stable fixed point and map(q) > q at large
        q, e.g. relu with sw2 > 2), NON_UNIQUE_FIXED_POINT (several stable ones, or a continuum),
        UNSTABLE_FIXED_POINT (fixed points exist but none is stable).  Error: the last Newton
        step plus the map's quadrature error divided by |1 - slope|.
        """
        roots = self.fixed_points(sw2, sb2)
        stable = [r for r in roots if r[2] == "stable"]
        end = self._cache.get(("scan_end", str(_mpf(sw2)), str(_mpf(sb2))), 0.0)
        if len(stable) > 1:
            listing = ", ".join(mp.nstr(r[0], 8) for r in stable)
            raise TheoryCheckError(
                f"{self.name} at sw2={sw2}, sb2={sb2}: several stable fixed points q = {listing};"
                " which one is reached depends on the input's q0",
                status=Status.NON_UNIQUE_FIXED_POINT, fixed_points=listing)
        if not stable:
            if end > 0 and (not roots or roots[-1][2] == "unstable"):
                hi = min(Q_MAX, self.q_limit)
                if math.isfinite(self.q_limit) and self.q_limit < Q_MAX:
                    raise TheoryCheckError(
                        f"{self.name} at sw2={sw2}, sb2={sb2}: the variance map stays above the"
                        f" identity until q={hi:.6g}, beyond which E psi(sqrt(q) z)^2 diverges;"
                        " q grows into the divergent region (no finite fixed point)",
                        status=Status.DIVERGENT_INTEGRAL)
                raise TheoryCheckError(
                    f"{self.name} at sw2={sw2}, sb2={sb2}: no finite stable fixed point -- the"
                    f" variance map stays above the identity up to q={hi:.3g} (q grows without"
                    " bound)", status=Status.NO_FINITE_FIXED_POINT)
            listing = ", ".join(mp.nstr(r[0], 8) for r in roots) or "none"
            raise TheoryCheckError(
                f"{self.name} at sw2={sw2}, sb2={sb2}: fixed points {listing} are all unstable",
                status=Status.UNSTABLE_FIXED_POINT)
        q, slope, _ = stable[0]
        if q == 0:
            return Estimate(mp.mpf(0), mp.mpf(0), "exact (sb2 = 0, psi(0) = 0)")
        qerr = self.expect("psi2", q).error * abs(_mpf(sw2))
        step = self._cache.get(("qstep", str(q)), mp.mpf(0))
        err = (qerr + step) / max(abs(1 - slope.value), _TINY) + mp.mpf(10) ** -(self.dps + 5)
        return Estimate(q, err, "Newton on map(q) - q; quadrature error / |1 - slope|")

    def dpsi0_mp(self) -> mp.mpf:
        """psi'(0) at the current mpmath precision (exact SymPy value where known)."""
        if self.dpsi0 is None:
            raise TheoryCheckError(f"{self.name}: psi'(0) is undefined")
        return to_mp(self._dpsi0_exact if self._dpsi0_exact is not None else self.dpsi0)

    # -- derived quantities at q* -------------------------------------------------------------
    def _at_zero(self, what: str) -> Estimate:
        """lim_{q -> 0+} E F(sqrt(q) z) for F = psi'^2, psi'^4, psi', u psi / q."""
        if self.dpsi0 is not None:
            d = self.dpsi0_mp()
            v = {"dpsi2": d ** 2, "dpsi4": d ** 4, "dpsi": d, "upsi": d}[what]
            return Estimate(v, mp.mpf(0), "psi'(0) (q* = 0)")
        qt = mp.mpf(10) ** (-2 * self.dps)
        e = self.expect(what, qt)
        return Estimate(e.value, e.error + mp.mpf(10) ** (-self.dps), "limit q -> 0+ (q = 1e-2dps)")

    def _E_star(self, what: str, sw2: Any, sb2: Any) -> Estimate:
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            return self._at_zero(what)
        e = self.expect(what, q.value)
        # propagate the q* error with a one-sided difference of the integral
        return Estimate(e.value, e.error + self._dq_sens(what, q), e.method)

    def _dq_sens(self, what: str, q: Estimate) -> mp.mpf:
        if q.error == 0:
            return mp.mpf(0)
        # |dE/dq| <= |E(q) - E(q(1+1e-6))| / (1e-6 q), times the error of q
        v, _ = self.grid.expect_xz([self._np_integrand(what, float(q.value))],
                                   np.array([float(q.value), float(q.value) * (1 + 1e-6)]),
                                   strict=False)
        d = abs(v[0][1] - v[0][0]) / (1e-6 * float(q.value))
        return mp.mpf(d) * q.error if math.isfinite(d) else q.error

    def _np_integrand(self, what: str, q: float) -> Any:
        p, dp = self.grid.func(0), self.grid.func(1)
        return {"dpsi2": lambda x, z: dp(x) ** 2, "dpsi4": lambda x, z: dp(x) ** 4,
                "dpsi": lambda x, z: dp(x), "upsi": lambda x, z: p(x) * z / math.sqrt(q),
                "psi2": lambda x, z: p(x) ** 2}[what]

    @_working_precision
    def chi1(self, sw2: Any, sb2: Any) -> Estimate:
        """chi1 = sw2 E psi'(sqrt(q*) z)^2 (seed 000 Eq. (17), 002 Eq. (8)); sw2 psi'(0)^2 at 0."""
        e = self._E_star("dpsi2", sw2, sb2)
        return Estimate(_mpf(sw2) * e.value, abs(_mpf(sw2)) * e.error, e.method)

    @_working_precision
    def mu(self, k: int, sw2: Any, sb2: Any) -> Estimate:
        """mu_k = E psi'(sqrt(q*) z)^(2k) (seed 000 Eq. (65)); k = 1, 2."""
        if k not in (1, 2):
            raise TheoryCheckError(f"mu(k) is implemented for k = 1, 2 (got {k})")
        return self._E_star("dpsi2" if k == 1 else "dpsi4", sw2, sb2)

    @_working_precision
    def beta(self, sw2: Any, sb2: Any, *, route: str = "direct") -> Estimate:
        """beta = sw E[psi(s z) z] / s with s = sqrt(q*), sw = sqrt(sw2) (seed 000 Eq. (38)).

        ``route="direct"`` integrates psi(u) u / q; ``route="stein"`` uses Stein's lemma,
        E[psi(s z) z] = s E psi'(s z), an independent integrand.  At q* = 0 both give the limit
        sw psi'(0) (seed 000 Eq. (57)).  The two routes' difference is added to the error.
        """
        a = self._E_star("upsi", sw2, sb2)
        b = self._E_star("dpsi", sw2, sb2)
        sw = mp.sqrt(_mpf(sw2))
        main, other = (a, b) if route == "direct" else (b, a)
        err = main.error + abs(main.value - other.value)
        return Estimate(sw * main.value, sw * err, f"{route} route; checked by the other route")

    # -- correlation map ------------------------------------------------------------------------
    @_working_precision
    def kernel(self, q: Any, c: Any) -> Estimate:
        """E psi(u1) psi(u2) with Var u = q, corr c (seed 000 Eq. (14); seed 002 Eqs. (5)-(7))."""
        p = self._psi[0]
        return expect2_mp(p, p, q, q, c, dps=self.dps, breakpoints=self.kinks)

    @_working_precision
    def c_map(self, c: Any, sw2: Any, sb2: Any) -> Estimate:
        """c -> (sw2 E psi(u1) psi(u2) + sb2) / q* at q* (seed 000 Eq. (15); seed 002 Eq. (5))."""
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            raise TheoryCheckError("the correlation map is undefined at q* = 0",
                                   status=Status.NOT_FINITE)
        k = self.kernel(q.value, c)
        return Estimate((_mpf(sw2) * k.value + _mpf(sb2)) / q.value,
                        (_mpf(sw2) * k.error) / q.value + q.error / q.value, k.method)

    @_working_precision
    def c_star(self, sw2: Any, sb2: Any) -> Estimate:
        """The stable fixed point c* of the correlation map (seed 002 Eqs. (5)-(8)).

        c* = 1 when chi1 < 1 (stable, seed 000 Eq. (16)); when chi1 > 1 the root in [-1, 1) of
        the c-map, found with the float64 bivariate grid engine (error ~1e-12, stated in the
        Estimate, not dps digits).  At chi1 = 1 (within error) c* = 1 is marginal.
        """
        chi = self.chi1(sw2, sb2)
        if chi.value <= 1 + chi.error:
            return Estimate(mp.mpf(1), mp.mpf(0), "c* = 1 (chi1 <= 1)")
        q = float(self.q_star(sw2, sb2).value)
        c, err = self._c_star_grid(float(sw2), float(sb2), q)
        return Estimate(mp.mpf(c), mp.mpf(err), "float64 grid engine, Newton on the c-map")

    def _c_star_grid(self, sw2: float, sb2: float, q: float) -> tuple[float, float]:
        """Stable root c* < 1 of the c-map (chaotic phase), float64: bracket then Brent."""
        from scipy.optimize import brentq

        p = self.grid.func(0)
        g2 = GridEngine(self.act, kinks=self.kinks, n_nodes=16)
        errs: list[float] = []

        def F(c: float) -> float:
            k, ke = g2.expect2(p, p, np.array([q]), np.array([c]))
            errs.append(sw2 * float(ke[0]) / q)
            return (sw2 * float(k[0]) + sb2) / q - c

        # F(1) = 0 and F'(1) = chi1 - 1 > 0, so F < 0 just below 1; walk left to a sign change
        hi = 1.0 - 1e-4
        if F(hi) >= 0:
            raise TheoryCheckError("c-map: chi1 is too close to 1 to separate c* from 1",
                                   status=Status.ILL_CONDITIONED)
        step = 1e-3
        lo = hi - step
        while F(lo) < 0:
            hi = lo
            if lo <= -1.0:
                return -1.0, 1e-12
            step *= 2
            lo = max(-1.0, lo - step)
        c = brentq(F, lo, hi, xtol=1e-15, rtol=1e-15)
        return float(c), 10 * max(errs[-3:]) + 1e-13

    # -- depth scales ------------------------------------------------------------------------
    @_working_precision
    def xi_q(self, sw2: Any, sb2: Any, form: str = "printed") -> Estimate | None:
        """Depth scale of q: xi_q^-1 = -log(chi1 + sw2 int Dz psi'' psi) (seed 002 Eq. (9)).

        ``printed``: the formula as printed, evaluated literally (needs psi''; for kinked psi the
        integration-by-parts form sw2 E[u psi psi'(u)]/q is used, which equals it for smooth
        psi).  It is correct: it is -log of the slope of the q-map at q* (Schoenholz et al. 2017
        Eq. (5)), so ``schoenholz`` gives the same.  ``measured``: iterate the exact map from
        q*(1 + 1e-3) in float64 and fit the rate.  None when the log's argument is <= 0.
        """
        q = self.q_star(sw2, sb2)
        if form == "measured":
            return self._measure_xi_q(float(sw2), float(sb2), float(q.value))
        if form == "printed" and not self.kinks and q.value != 0:
            a = self.chi1(sw2, sb2)
            b = self.expect("psi_ddpsi", q.value)
            arg = Estimate(a.value + _mpf(sw2) * b.value, a.error + abs(_mpf(sw2)) * b.error)
        elif form in ("printed", "schoenholz"):
            arg = self.map_slope(q.value, sw2)
        else:
            raise TheoryCheckError(f"unknown form {form!r} (printed, schoenholz, measured)")
        return _neg_inv_log(arg)

    @_working_precision
    def xi_c(self, sw2: Any, sb2: Any, form: str = "schoenholz") -> Estimate | None:
        """Depth scale of c.  ``schoenholz`` (the correct one): xi_c^-1 = -log(sw2 int int
        psi'(u1*) psi'(u2*)), the slope of the c-map at c* (Schoenholz et al. 2017 Eq. (8));
        = -1/log(chi1) at c* = 1.  ``printed``: seed 002 Eq. (10) literally,
        -log(sw2 int int psi''(u1*) psi(u2*)) -- a misprint (psi'' psi for psi' psi'); None when
        its log argument is <= 0 (e.g. tanh in the ordered phase).  ``measured``: iterate the
        exact c-map (float64 grid engine) and fit.
        """
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            return None
        cs = self.c_star(sw2, sb2)
        sw2m = _mpf(sw2)
        if form == "measured":
            return self._measure_xi_c(float(sw2), float(sb2), float(q.value), float(cs.value))
        if cs.value == 1:
            if form == "schoenholz":
                return _neg_inv_log(self.chi1(sw2, sb2))
            if form == "printed":
                if self.kinks:
                    return None
                b = self.expect("psi_ddpsi", q.value)
                return _neg_inv_log(Estimate(sw2m * b.value, abs(sw2m) * b.error))
            raise TheoryCheckError(f"unknown form {form!r}")
        if form not in ("schoenholz", "printed"):
            raise TheoryCheckError(f"unknown form {form!r}")
        if form == "printed" and self.kinks:
            return None
        f = self.grid.func(2 if form == "printed" else 1)
        g = self.grid.func(0 if form == "printed" else 1)
        v, e = self.grid.expect2(f, g, np.array([float(q.value)]), np.array([float(cs.value)]))
        return _neg_inv_log(Estimate(sw2m * mp.mpf(v[0]), abs(sw2m) * mp.mpf(e[0]) + cs.error))

    def _measure_xi_q(self, sw2: float, sb2: float, q: float) -> Estimate | None:
        psi = self.grid.func(0)
        if q == 0:
            return None
        x = q * (1 + 1e-3)
        dev = []
        for _ in range(60):
            v, _e = self.grid.expect(lambda u: psi(u) ** 2, np.array([x]))
            x = sw2 * float(v[0]) + sb2
            d = abs(x - q)
            if d < 1e-9 * q or not math.isfinite(d):
                break
            dev.append(d)
        return _fit_rate(dev)

    def _measure_xi_c(self, sw2: float, sb2: float, q: float, cs: float) -> Estimate | None:
        p = self.grid.func(0)
        g2 = GridEngine(self.act, kinks=self.kinks, n_nodes=16)
        c = cs - 1e-3 if cs > -1 + 2e-3 else cs + 1e-3
        dev = []
        for _ in range(40):
            k, _e = g2.expect2(p, p, np.array([q]), np.array([min(c, 1.0)]))
            c = (sw2 * float(k[0]) + sb2) / q
            d = abs(c - cs)
            if d < 1e-8 or not math.isfinite(d):
                break
            dev.append(d)
        return _fit_rate(dev)

    # -- edge of chaos ---------------------------------------------------------------------------
    def dps_floor(self) -> mp.mpf:
        """The smallest error any reported number carries: 10**-(dps + 5)."""
        return mp.mpf(10) ** -(self.dps + 5)

    @disk_cached("meanfield.eoc_sw2", _point_inputs, cache_errors=True)
    @_working_precision
    def eoc_sw2(self, sb2: Any) -> EOCPoint:
        """EOC point at bias variance sb2 (see :func:`theorycheck.meanfield.eoc.eoc_sw2`)."""
        return eoc.eoc_sw2(self, sb2)

    @disk_cached("meanfield.eoc_sb2", _point_inputs, cache_errors=True)
    @_working_precision
    def eoc_sb2(self, sw2: Any) -> EOCPoint:
        """EOC point at weight variance sw2 (see :func:`theorycheck.meanfield.eoc.eoc_sb2`)."""
        return eoc.eoc_sb2(self, sw2)

    def di_point(self) -> DIPoint | None:
        """Dynamical-isometry point (1/psi'(0)^2, 0) or None (seed 000 Eqs. (58)-(59))."""
        return eoc.di_point(self)

    # -- everything at one point -----------------------------------------------------------------
    @_working_precision
    def point(self, sw2: Any, sb2: Any) -> MeanFieldPoint:
        """All mean-field quantities at (sw2, sb2), None with a reason in ``notes`` where absent."""
        pt = MeanFieldPoint(self.name, _mpf(sw2), _mpf(sb2), self.dps)
        try:
            pt.q_star = self.q_star(sw2, sb2)
        except TheoryCheckError as err:
            pt.notes["q_star"] = f"[{err.status}] {err.message}"
            for n in MeanFieldPoint.NUMBERS[1:]:
                pt.notes[n] = f"undefined: no unique stable q* ({err.status})"
            return pt
        for name, fn in (("chi1", lambda: self.chi1(sw2, sb2)),
                         ("beta", lambda: self.beta(sw2, sb2)),
                         ("mu1", lambda: self.mu(1, sw2, sb2)),
                         ("mu2", lambda: self.mu(2, sw2, sb2)),
                         ("c_star", lambda: self.c_star(sw2, sb2)),
                         ("xi_q", lambda: self.xi_q(sw2, sb2, "printed")),
                         ("xi_c", lambda: self.xi_c(sw2, sb2, "schoenholz"))):
            try:
                val = fn()
            except TheoryCheckError as err:
                val = None
                pt.notes[name] = f"[{err.status}] {err.message}"
            setattr(pt, name, val)
            if val is None and name not in pt.notes:
                pt.notes[name] = _why_none(name, pt)
        if pt.q_star is not None and pt.q_star.value == 0:
            pt.notes.setdefault("beta", "q* = 0: beta is the limit sw psi'(0) (seed 000 Eq. (57))")
        try:
            pt.extra["beta_stein"] = self.beta(sw2, sb2, route="stein")
        except TheoryCheckError as err:
            pt.notes["beta_stein"] = err.message
        return pt


def _why_none(name: str, pt: MeanFieldPoint) -> str:
    if pt.q_star is not None and pt.q_star.value == 0 and name == "xi_c":
        return "q* = 0: the correlation map is undefined (0/0)"
    if name in ("xi_q", "xi_c"):
        return "the depth scale is undefined: the log's argument is <= 0 or equals 1"
    return "not defined here"


def _neg_inv_log(arg: Estimate) -> Estimate | None:
    """xi = -1/log(arg) with error propagation; None when arg <= 0 or arg == 1 (infinite)."""
    a = arg.value
    if a <= 0 or a == 1:
        return None
    with mp.workdps(mp.mp.dps + 10):
        L = mp.log(a)
        xi = -1 / L
        err = arg.error / (abs(a) * L * L)
    return Estimate(xi, err, arg.method)


def _fit_rate(dev: list[float]) -> Estimate | None:
    """xi from a least-squares fit log|x_l - x*| = const - l / xi; error from two halves."""
    d = np.log(np.asarray([v for v in dev if v > 0]))
    if d.size < 4:
        return None
    lay = np.arange(d.size)
    slope = np.polyfit(lay, d, 1)[0]
    h = d.size // 2
    s1 = np.polyfit(lay[:h], d[:h], 1)[0] if h >= 2 else slope
    s2 = np.polyfit(lay[h:], d[h:], 1)[0] if d.size - h >= 2 else slope
    if slope >= 0:
        return None
    xi = -1 / slope
    err = abs(-1 / s1 + 1 / s2) if s1 < 0 and s2 < 0 else abs(xi)
    return Estimate(mp.mpf(xi), mp.mpf(err), "fit of the iterated exact map (float64)")

