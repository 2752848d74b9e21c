"""The mean field of a deep fully-connected network at initialisation, to high precision.

:class:`MeanField` = the maps (:mod:`~theorycheck.meanfield.maps`) + their fixed points and the
quantities at q* (:mod:`~theorycheck.meanfield.fixed_points`) + what this module adds: the depth
scales xi_q and xi_c, the edge of chaos and the dynamical-isometry point
(:mod:`~theorycheck.meanfield.eoc`), and everything at one point (:meth:`MeanField.point`).
Every number is an :class:`Estimate` at the run's precision (dps digits, computed at dps +
guard); float64 routes (measured depth scales, c*) say so in their Estimate.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np

from theorycheck.cache import disk_cached
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine
from theorycheck.gaussian.mp import shared_nodes
from theorycheck.meanfield import eoc, jumps
from theorycheck.meanfield.fixed_points import MeanFieldFixedPoints
from theorycheck.meanfield.grid_maps import qmap_grid
from theorycheck.meanfield.maps import point_inputs, to_mpf, working_precision
from theorycheck.meanfield.point_arb import arb_point
from theorycheck.meanfield.rates import fit_rate, neg_inv_log
from theorycheck.meanfield.results import DIPoint, EOCPoint, MeanFieldPoint
from theorycheck.numbers import Estimate


class MeanField(MeanFieldFixedPoints):
    """Mean-field theory of one activation at ``dps`` digits (or at ``precision``).

    ``act``: an Activation (or a name / formula, resolved by ``get_activation``) or a
    :class:`~theorycheck.meanfield.adapter.CallableActivation`; ``dps``: decimal digits of
    every reported number (the error estimates say how many are actually reached);
    ``precision``: the run's :class:`~theorycheck.numbers.Precision` instead of ``dps``.
    Maps: :meth:`variance_map`, :meth:`map_slope`, :meth:`kernel`, :meth:`c_map`; fixed
    points: :meth:`fixed_points`, :meth:`q_star`, :meth:`c_star`; at q*: :meth:`chi1`,
    :meth:`mu`, :meth:`beta`, :meth:`xi_q`, :meth:`xi_c`; EOC: :meth:`eoc_sw2`,
    :meth:`eoc_sb2`, :meth:`di_point`.
    """

    # -- depth scales ------------------------------------------------------------------------
    @working_precision
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
            a = self.chi1(sw2, sb2)   # both errors carry q*'s (_E_star)
            b = self._E_star("psi_ddpsi", sw2, sb2)
            arg = Estimate(a.value + to_mpf(sw2) * b.value, a.error + abs(to_mpf(sw2)) * b.error)
        elif form in ("printed", "schoenholz"):
            arg = self.map_slope(q.value, sw2)
            # plus q*'s error: |d/dq (g/q)| <= |g'|/q + |g|/q^2 for g = E[u psi psi'(u)]
            if q.value != 0:
                sens = (self._dq_sens("slope", q) * abs(to_mpf(sw2))
                        + abs(arg.value) * q.error / q.value)
                arg = Estimate(arg.value, arg.error + sens, arg.method)
        else:
            raise TheoryCheckError(f"unknown form {form!r} (printed, schoenholz, measured)")
        if self.jumps and arg.value == 0 and arg.error == 0:
            # a flat q-map (sign: E sign^2 = 1 for every q > 0) reaches q* in one layer
            return Estimate(mp.mpf(0), mp.mpf(0), "the q-map is constant near q*: xi_q = 0")
        return neg_inv_log(arg)

    @working_precision
    def xi_c(self, sw2: Any, sb2: Any, form: str = "schoenholz") -> Estimate | None:
        """Depth scale of c.  ``schoenholz`` (the correct one): xi_c^-1 = -log(sw2 int int
        psi'(u1*) psi'(u2*)), the slope of the c-map at c* (Schoenholz et al. 2017 Eq. (8));
        = -1/log(chi1) at c* = 1.  ``printed``: seed 002 Eq. (10) literally,
        -log(sw2 int int psi''(u1*) psi(u2*)) -- a misprint (psi'' psi for psi' psi'); None when
        its log argument is <= 0 (e.g. tanh in the ordered phase).  ``measured``: iterate the
        exact c-map (float64 grid engine) and fit.  With jumps psi' has point masses and the
        slope at c* is that of the c-map itself (:meth:`_jump_c_slope`).
        """
        q = self.q_star(sw2, sb2)
        if q.value == 0:
            return None
        cs = self.c_star(sw2, sb2)
        sw2m = to_mpf(sw2)
        if form == "measured":
            return self._measure_xi_c(float(sw2), float(sb2), float(q.value), float(cs.value))
        if cs.value == 1:
            if form == "schoenholz":
                return neg_inv_log(self.chi1(sw2, sb2))
            if form == "printed":
                if self.kinks:
                    return None
                b = self.expect("psi_ddpsi", q.value)
                return neg_inv_log(Estimate(sw2m * b.value, abs(sw2m) * b.error))
            raise TheoryCheckError(f"unknown form {form!r}")
        if form not in ("schoenholz", "printed"):
            raise TheoryCheckError(f"unknown form {form!r}")
        if form == "printed" and self.kinks:
            return None
        if self.jumps:
            return neg_inv_log(self._jump_c_slope(sw2, sb2, q, cs))
        return neg_inv_log(self._c_slope_grid(sw2, q, cs, form))

    def _jump_c_slope(self, sw2: Any, sb2: Any, q: Estimate, cs: Estimate) -> Estimate:
        """The c-map's slope at c* < 1 for psi with jumps: sw2 K'(c*)/q* from Price's theorem
        with the point masses (piecewise constant, to dps digits), else a float64 central
        difference of the grid engine's c-map (h = 1e-5, error ~1e-8)."""
        if self.piecewise_constant:
            c, slope = jumps.c_star(self, sw2, sb2, q, float(cs.value))
            return Estimate(slope, abs(slope) * (c.error + q.error) * 10 + self.dps_floor(),
                            c.method)
        p = self.grid.func(0)
        g2 = GridEngine(self.act, kinks=self.kinks, n_nodes=16)
        qf, c0, h = float(q.value), float(cs.value), 1e-5
        k, ke = g2.expect2(p, p, np.array([qf, qf]), np.array([c0 - h, min(c0 + h, 1.0)]))
        d = float(sw2) * (float(k[1]) - float(k[0])) / (2 * h * qf)
        err = float(sw2) * (float(ke[0]) + float(ke[1])) / (2 * h * qf) + abs(d) * 1e-8 + 1e-8
        return Estimate(mp.mpf(d), mp.mpf(err) + cs.error, "float64 central difference")

    def _measure_xi_q(self, sw2: float, sb2: float, q: float) -> Estimate | None:
        if q == 0:
            return None
        x = q * (1 + 1e-3)
        dev = []
        for _ in range(60):
            x = float(qmap_grid(self.act, self.grid, np.array([x]), sw2, sb2)[0][0])
            d = abs(x - q)
            if d < 1e-9 * q or not math.isfinite(d):
                break
            dev.append(d)
        return fit_rate(dev)

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
        return fit_rate(dev)

    # -- edge of chaos ---------------------------------------------------------------------------
    @disk_cached("meanfield.eoc_sw2", point_inputs, cache_errors=True)
    @working_precision
    def eoc_sw2(self, sb2: Any) -> EOCPoint:
        """EOC point at bias variance sb2 (see :func:`theorycheck.meanfield.eoc.eoc_sw2`)."""
        return eoc.eoc_sw2(self, sb2)

    @disk_cached("meanfield.eoc_sb2", point_inputs, cache_errors=True)
    @working_precision
    def eoc_sb2(self, sw2: Any) -> EOCPoint:
        """EOC point at weight variance sw2 (see :func:`theorycheck.meanfield.eoc.eoc_sb2`)."""
        return eoc.eoc_sb2(self, sw2)

    def di_point(self) -> DIPoint | None:
        """Dynamical-isometry point (1/psi'(0)^2, 0) or None (seed 000 Eqs. (58)-(59))."""
        return eoc.di_point(self)

    # -- everything at one point -----------------------------------------------------------------
    @working_precision
    def point(self, sw2: Any, sb2: Any, *, method: str = "arb") -> MeanFieldPoint:
        """All mean-field quantities at (sw2, sb2), None with a reason in ``notes`` where absent.

        ``method="arb"`` (default): each number is the midpoint of its Arb enclosure, the error
        its radius (:mod:`~theorycheck.meanfield.point_arb`; ~0.4 s for tanh at 30 digits, c*
        and xi_c to the run's precision), wherever that route applies and proves every number;
        elsewhere, and for ``method="mpmath"``, the mpmath path: tanh-sinh integrals (seed 000
        Sec. II), q* by Newton, c* and xi_c from the float64 engine (~1e-13). The two routes
        are independent, agree within their errors, and give the same notes and None entries.
        """
        if method not in ("arb", "mpmath"):
            raise TheoryCheckError(f"unknown method {method!r} (arb, mpmath)")
        if method == "arb":
            pt = arb_point(self, sw2, sb2)
            if pt is not None:
                return pt
        with shared_nodes():  # psi, psi' and the weights once per node (bit-identical)
            return self._point(sw2, sb2)

    def _point(self, sw2: Any, sb2: Any) -> MeanFieldPoint:
        pt = MeanFieldPoint(self.name, to_mpf(sw2), to_mpf(sb2), self.dps)
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
        if self.jumps:
            pt.notes.update(jumps.notes(self))
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
