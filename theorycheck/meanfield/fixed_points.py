"""Fixed points q* and c* of the mean-field maps, and the quantities evaluated at q*.

q* is bracketed on the scan grid of :mod:`theorycheck.meanfield.roots` with the float64 grid
engine and polished by Newton steps in mpmath (error ~ 10**-dps); chi1, mu_k and beta are
Gaussian integrals at q* with the q* error propagated; c* (chaotic phase) is a float64 root of
the correlation map (error ~1e-12, stated in its Estimate).
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np
from scipy.optimize import brentq

from theorycheck.cache import disk_cached
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine
from theorycheck.meanfield import jumps, roots
from theorycheck.meanfield.adapter import to_mp
from theorycheck.meanfield.grid_maps import qmap_grid
from theorycheck.meanfield.maps import MeanFieldMaps, point_inputs, to_mpf, working_precision
from theorycheck.numbers import Estimate

_TINY = mp.mpf(10) ** -40
#: Estimate.method of the float64 c* (chaotic phase)
C_STAR_GRID = "float64 grid engine, Newton on the c-map"


class MeanFieldFixedPoints(MeanFieldMaps):
    """The maps of :class:`MeanFieldMaps` plus their fixed points and the quantities at q*."""

    # -- fixed points of the variance map ---------------------------------------------------
    def _scan(self, sw2: float, sb2: float) -> tuple[np.ndarray, np.ndarray]:
        """(qs, map(q) - q) on the scan grid, float64 (cached per instance: the mpmath and the
        Arb routes of :meth:`MeanField.point` both start from it)."""
        key = ("scan", sw2, sb2)
        hit: tuple[np.ndarray, np.ndarray] | None = self._cache.get(key)
        if hit is not None:
            return hit
        psi = self.grid.func(0)
        qs, vals = roots.scan(self.grid, [lambda x, z: psi(x) ** 2], self.q_limit,
                              with_zero=True)
        g = vals[0]
        with np.errstate(invalid="ignore", over="ignore"):
            h = sw2 * g + sb2 - qs
        h[~np.isfinite(h)] = np.inf
        self._cache[key] = qs, h
        return qs, h

    def _scan_checked(self, sw2: Any, sb2: Any) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_scan` after the input checks: sw2, sb2 >= 0, and NON_UNIQUE_FIXED_POINT when
        the map equals the identity on an interval (5 or more flat grid points)."""
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
        return qs, h

    @working_precision
    def fixed_points(self, sw2: Any, sb2: Any) -> list[tuple[mp.mpf, Estimate, str]]:
        """All fixed points q of the variance map in [0, 1e8]: (q, slope, 'stable'|'unstable').

        Sign changes of map(q) - q on a 321-point log grid (float64 engine), each polished by
        Newton steps in mpmath (error ~ 10**-dps).  Raises NON_UNIQUE_FIXED_POINT when the map
        coincides with the identity on an interval (e.g. linear at sw2 = 1, relu at sw2 = 2,
        with sb2 = 0).  Seed 000 Eqs. (9), (52); seed 002 Eq. (3).
        """
        key = ("fp", str(to_mpf(sw2)), str(to_mpf(sb2)))
        if key in self._cache:
            return self._cache[key]
        sb2f = float(sb2)
        qs, h = self._scan_checked(sw2, sb2)
        found: list[tuple[mp.mpf, Estimate, str]] = []
        if sb2f == 0 and self.psi0 == 0 and self.jumps and jumps.lifts_at_zero(self):
            # a jump at 0: E psi^2 -> (psi(0-)^2 + psi(0+)^2)/2 > 0 as q -> 0+, the map jumps up
            found.append((mp.mpf(0), Estimate(mp.inf, mp.mpf(0), "psi jumps at 0"), "unstable"))
        elif sb2f == 0 and self.psi0 == 0:
            slope0 = self.map_slope(0, sw2)
            if abs(slope0.value - 1) <= max(slope0.error, mp.mpf(10) ** (-self.dps // 2)):
                kind = "stable" if h[1] < 0 else "unstable"  # next order decides
            else:
                kind = "stable" if slope0.value < 1 else "unstable"
            found.append((mp.mpf(0), slope0, kind))
        for a, b in roots.brackets(qs[1:], h[1:], finite_only=False):
            q = self._polish(a, b, sw2, sb2)
            slope = self.map_slope(q, sw2)
            found.append((q, slope, "stable" if abs(slope.value) < 1 else "unstable"))
        self._cache[key] = found
        self._cache[("scan_end", *key[1:])] = float(h[-1])
        return found

    def _polish(self, a: float, b: float, sw2: Any, sb2: Any) -> mp.mpf:
        """Root of map(q) - q in [a, b]: float64 Brent, then mpmath Newton to 10**-dps."""
        sw2f, sb2f = float(sw2), float(sb2)

        def hf(q: float) -> float:
            return float(qmap_grid(self.act, self.grid, np.array([q]), sw2f, sb2f)[0][0] - q)

        sw2m = to_mpf(sw2)

        def F_dF(q: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
            return (self.variance_map(q, sw2, sb2).value - q,
                    sw2m * self.expect("slope", q).value - 1)

        q, step = roots.newton(F_dF, roots.refine(hf, a, b), self.dps)
        self._cache[("qstep", str(q))] = step
        return q

    @disk_cached("meanfield.q_star", point_inputs, cache_errors=True)
    @working_precision
    def q_star(self, sw2: Any, sb2: Any) -> Estimate:
        """The stable fixed point q* of the variance map (seed 000 Eq. (52); seed 002 Eq. (3)).

        q* = 0 when sb2 = 0, psi(0) = 0 and sw2 psi'(0)^2 < 1 (or = 1 with the map below the
        identity).  Raises NO_FINITE_FIXED_POINT (no stable fixed point and map(q) > q at large
        q, e.g. relu with sw2 > 2), NON_UNIQUE_FIXED_POINT (several stable ones, or a continuum),
        UNSTABLE_FIXED_POINT (fixed points exist but none is stable).  Error: the last Newton
        step plus the map's quadrature error divided by |1 - slope|.
        """
        found = self.fixed_points(sw2, sb2)
        stable = [r for r in found if r[2] == "stable"]
        end = self._cache.get(("scan_end", str(to_mpf(sw2)), str(to_mpf(sb2))), 0.0)
        if len(stable) > 1:
            listing = ", ".join(mp.nstr(r[0], 8) for r in stable)
            raise TheoryCheckError(
                f"{self.name} at sw2={sw2}, sb2={sb2}: several stable fixed points q = {listing};"
                " which one is reached depends on the input's q0",
                status=Status.NON_UNIQUE_FIXED_POINT, fixed_points=listing)
        if not stable:
            if end > 0 and (not found or found[-1][2] == "unstable"):
                hi = min(roots.Q_MAX, self.q_limit)
                if math.isfinite(self.q_limit) and self.q_limit < roots.Q_MAX:
                    raise TheoryCheckError(
                        f"{self.name} at sw2={sw2}, sb2={sb2}: the variance map stays above the"
                        f" identity until q={hi:.6g}, beyond which E psi(sqrt(q) z)^2 diverges;"
                        " q grows into the divergent region (no finite fixed point)",
                        status=Status.DIVERGENT_INTEGRAL)
                raise TheoryCheckError(
                    f"{self.name} at sw2={sw2}, sb2={sb2}: no finite stable fixed point -- the"
                    f" variance map stays above the identity up to q={hi:.3g} (q grows without"
                    " bound)", status=Status.NO_FINITE_FIXED_POINT)
            listing = ", ".join(mp.nstr(r[0], 8) for r in found) or "none"
            raise TheoryCheckError(
                f"{self.name} at sw2={sw2}, sb2={sb2}: fixed points {listing} are all unstable",
                status=Status.UNSTABLE_FIXED_POINT)
        q, slope, _ = stable[0]
        if q == 0:
            return Estimate(mp.mpf(0), mp.mpf(0), "exact (sb2 = 0, psi(0) = 0)")
        qerr = self.expect("psi2", q).error * abs(to_mpf(sw2))
        step = self._cache.get(("qstep", str(q)), mp.mpf(0))
        err = (qerr + step) / max(abs(1 - slope.value), _TINY) + mp.mpf(10) ** -(self.dps + 5)
        return Estimate(q, err, "Newton on map(q) - q; quadrature error / |1 - slope|")

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
                "psi2": lambda x, z: p(x) ** 2,
                # the q-map's slope / sw2 (u psi psi'(u)/q, q held at q*) and psi psi''
                "slope": lambda x, z: x * p(x) * dp(x) / q,
                "psi_ddpsi": lambda x, z: p(x) * self.grid.func(2)(x)}[what]

    @working_precision
    def chi1(self, sw2: Any, sb2: Any) -> Estimate:
        """chi1 = sw2 E psi'(sqrt(q*) z)^2 (seed 000 Eq. (17), 002 Eq. (8)); sw2 psi'(0)^2 at 0.

        inf (an mpf) when psi jumps and sw2 > 0: psi' has a point mass (meanfield.jumps).
        """
        if self.jumps and to_mpf(sw2) > 0:
            return Estimate(mp.inf, mp.mpf(0), "psi jumps: psi' has a point mass")
        e = self._E_star("dpsi2", sw2, sb2)
        return Estimate(to_mpf(sw2) * e.value, abs(to_mpf(sw2)) * e.error, e.method)

    @working_precision
    def mu(self, k: int, sw2: Any, sb2: Any) -> Estimate:
        """mu_k = E psi'(sqrt(q*) z)^(2k) (seed 000 Eq. (65)); k = 1, 2; inf when psi jumps."""
        if k not in (1, 2):
            raise TheoryCheckError(f"mu(k) is implemented for k = 1, 2 (got {k})")
        if self.jumps:
            return Estimate(mp.inf, mp.mpf(0), "psi jumps: psi' has a point mass")
        return self._E_star("dpsi2" if k == 1 else "dpsi4", sw2, sb2)

    @working_precision
    def beta(self, sw2: Any, sb2: Any, *, route: str = "direct") -> Estimate:
        """beta = sw E[psi(s z) z] / s with s = sqrt(q*), sw = sqrt(sw2) (seed 000 Eq. (38)).

        ``route="direct"`` integrates psi(u) u / q; ``route="stein"`` uses Stein's lemma,
        E[psi(s z) z] = s E psi'(s z), an independent integrand.  At q* = 0 both give the limit
        sw psi'(0) (seed 000 Eq. (57)).  The two routes' difference is added to the error.
        With jumps the Stein route uses the distributional psi': E psi' gains sum_j J_j phi_q(a_j).
        """
        a = self._E_star("upsi", sw2, sb2)
        b = self._E_star("dpsi", sw2, sb2)
        if self.jumps:
            b = self._with_mass(b, sw2, sb2)
        sw = mp.sqrt(to_mpf(sw2))
        main, other = (a, b) if route == "direct" else (b, a)
        err = main.error + abs(main.value - other.value)
        return Estimate(sw * main.value, sw * err, f"{route} route; checked by the other route")

    def _with_mass(self, e: Estimate, sw2: Any, sb2: Any) -> Estimate:
        """E psi'_ac + sum_j J_j phi_q*(a_j) (Stein's lemma with the point masses), with the q*
        error's share of the mass (|d phi_q(a)/dq| <= phi_q(a) (1 + a^2/q)/(2q))."""
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            return e
        m = jumps.mass(self, q.value)
        a2 = max((to_mp(a) ** 2 for a, _j in self.jumps), default=mp.mpf(0))
        sens = abs(m) * (1 + a2 / q.value) / (2 * q.value) * q.error
        return Estimate(e.value + m, e.error + sens, e.method + "; plus the point masses")

    # -- correlation map at q* ------------------------------------------------------------------
    @working_precision
    def c_map(self, c: Any, sw2: Any, sb2: Any) -> Estimate:
        """c -> (sw2 E psi(u1) psi(u2) + sb2) / q* at q* (seed 000 Eq. (15); seed 002 Eq. (5))."""
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            raise TheoryCheckError("the correlation map is undefined at q* = 0",
                                   status=Status.NOT_FINITE)
        k = self.kernel(q.value, c)
        return Estimate((to_mpf(sw2) * k.value + to_mpf(sb2)) / q.value,
                        (to_mpf(sw2) * k.error) / q.value + q.error / q.value, k.method)

    @working_precision
    def c_star(self, sw2: Any, sb2: Any) -> Estimate:
        """The stable fixed point c* of the correlation map (seed 002 Eqs. (5)-(8)).

        c* = 1 when chi1 < 1 (stable, seed 000 Eq. (16)); when chi1 > 1 the root in [-1, 1) of
        the c-map, found with the float64 bivariate grid engine (error ~1e-12, stated in the
        Estimate, not dps digits).  At chi1 = 1 (within error) c* = 1 is marginal.  With a jump
        chi1 = inf and c = 1 is unstable; a piecewise-constant psi's c* < 1 is polished by Newton
        in mpmath to the run's precision (:func:`theorycheck.meanfield.jumps.c_star`).
        """
        chi = self.chi1(sw2, sb2)
        if chi.value <= 1 + chi.error:
            return Estimate(mp.mpf(1), mp.mpf(0), "c* = 1 (chi1 <= 1)")
        q = float(self.q_star(sw2, sb2).value)
        c, err = self._c_star_grid(float(sw2), float(sb2), q)
        if self.piecewise_constant:
            return jumps.c_star(self, sw2, sb2, self.q_star(sw2, sb2), c)[0]
        return Estimate(mp.mpf(c), mp.mpf(err), C_STAR_GRID)

    def _c_slope_grid(self, sw2: Any, q: Estimate, cs: Estimate, form: str = "schoenholz"
                      ) -> Estimate:
        """The c-map's slope at c* < 1, sw2 E psi'(u1) psi'(u2) (``printed``: seed 002 Eq. (10)'s
        psi''(u1) psi(u2)) by the float64 bivariate grid engine, error + that of c*."""
        sw2m = to_mpf(sw2)
        f = self.grid.func(2 if form == "printed" else 1)
        g = self.grid.func(0 if form == "printed" else 1)
        v, e = self.grid.expect2(f, g, np.array([float(q.value)]), np.array([float(cs.value)]))
        return Estimate(sw2m * mp.mpf(v[0]), abs(sw2m) * mp.mpf(e[0]) + cs.error)

    def _c_star_grid(self, sw2: float, sb2: float, q: float) -> tuple[float, float]:
        """Stable root c* < 1 of the c-map (chaotic phase), float64: bracket then Brent
        (cached per instance: c_star and xi_c both need it)."""
        key = ("c*grid", sw2, sb2, q)
        hit: tuple[float, float] | None = self._cache.get(key)
        if hit is not None:
            return hit
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
        hit = self._cache[key] = float(c), 10 * max(errs[-3:]) + 1e-13
        return hit
