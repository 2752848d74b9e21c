"""The float64 mean field for property searches, and the mpmath polish of what they find.

:class:`FastMeanField` evaluates the variance map, its fixed points, the beta plane and the
beta gap in float64 on the grid engine (accuracy ~1e-12, microseconds per point), so a
hypothesis search can try thousands of generated activations; every candidate counterexample is
then re-computed with :func:`mp_fixed_point_beta` (mpmath, ``dps`` digits) before it is
reported.  Seed 000 Eqs. (9), (38), (52).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
from scipy.optimize import brentq

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian import GridEngine, expect_mp
from theorycheck.meanfield.roots import brackets
from theorycheck.numbers import GUARD_DIGITS


@dataclass
class FixedPoint:
    """A fixed point q of the variance map with the map's slope there; ``kind`` is "stable"
    (slope < 1), "neutral" (|slope - 1| <= tol: e.g. a continuum of fixed points) or
    "unstable"."""

    q: float
    slope: float
    kind: str


class FastMeanField:
    """Variance map, fixed points and beta in float64 on the grid engine, for searches.

    The slow parts of an Activation (its full property set) are never touched: ``psi`` and
    ``psi'`` come from ``act.numpy``; kinks are used only when given.  Accuracy ~1e-12; every
    candidate counterexample a search finds is re-computed with mpmath before it is reported.
    """

    def __init__(self, act: Any, *, kinks: Sequence[float] = (), q_lo: float = 1e-6,
                 q_hi: float = 1e3, n_q: int = 160) -> None:
        self.act = act
        self.psi, self.dpsi = act.numpy(0), act.numpy(1)
        self.engine = GridEngine(act, kinks=tuple(kinks), n_nodes=16)
        self.q = np.logspace(np.log10(q_lo), np.log10(q_hi), n_q)
        self._tab: tuple[np.ndarray, np.ndarray] | None = None

    def expect(self, fns: Sequence[Callable[[np.ndarray, np.ndarray], np.ndarray]],
               q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.engine.expect_xz(list(fns), np.asarray(q, dtype=float))

    def _psi2_slope(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """E psi^2, E u psi psi'/q (= d/dq E psi^2), errors of the first."""
        p, dp = self.psi, self.dpsi
        s = np.sqrt(q)
        (g, d), (eg, _) = self.expect(
            [lambda x, z: p(x) ** 2, lambda x, z: p(x) * dp(x) * z], q)
        return g, d / s, eg

    def fixed_points(self, sw2: float, sb2: float, tol: float = 1e-9) -> list[FixedPoint]:
        """Fixed points of q -> sw2 E psi^2 + sb2 on [q_lo, q_hi] (sign changes of the map
        minus the identity, refined by brentq), plus q = 0 when it is one, plus a continuum
        (|map - q| <= tol (1 + q) on >= 5 consecutive grid points: every such q is returned)."""
        if self._tab is None:
            g, _, eg = self._psi2_slope(self.q)
            self._tab = (g, eg)
        g, eg = self._tab
        H = sw2 * g + sb2 - self.q
        flat = np.abs(H) <= tol * self.q + sw2 * eg
        out: list[FixedPoint] = []
        if sb2 == 0 and abs(float(self.psi(np.array([0.0]))[0])) == 0:
            out.append(FixedPoint(0.0, float("nan"), "zero"))
        start = 0
        for i in range(self.q.size + 1):
            if i < self.q.size and flat[i]:
                continue
            if i - start >= 5:
                # a continuum of fixed points: one representative (the grid point nearest 1)
                qs = self.q[start:i]
                v = qs[int(np.argmin(np.abs(np.log(qs))))]
                _, sl, _ = self._psi2_slope(np.array([v]))
                out.append(FixedPoint(float(v), float(sw2 * sl[0]), "neutral"))
            start = i + 1
        if any(f.kind == "neutral" for f in out):
            return out

        def h(v: float) -> float:
            gv, _, _ = self._psi2_slope(np.array([v]))
            return float(sw2 * gv[0] + sb2 - v)

        for a, b in brackets(self.q, H, finite_only=False):
            r = brentq(h, a, b, xtol=1e-15, rtol=1e-13)
            _, sl, _ = self._psi2_slope(np.array([r]))
            slope = float(sw2 * sl[0])
            kind = "neutral" if abs(slope - 1) <= 1e-7 else ("stable" if slope < 1 else
                                                              "unstable")
            out.append(FixedPoint(float(r), slope, kind))
        return out

    def plane(self, sw2: np.ndarray, sb2: np.ndarray) -> dict[str, np.ndarray]:
        """q*, beta (and errors) over the grid sw2 (axis 0) x sb2 (axis 1): the stable root is
        the unique down-crossing of map(q) - q on the q grid, polished by vectorised Newton
        steps; q* = 0 where the map stays below the identity at sb2 = 0 and psi(0) = 0; NaN
        where there is no finite, or no unique, stable fixed point."""
        if self._tab is None:
            g, _, eg = self._psi2_slope(self.q)
            self._tab = (g, eg)
        g, _ = self._tab
        S, B = np.meshgrid(sw2, sb2, indexing="ij")
        H = S[..., None] * g + B[..., None] - self.q              # (n_w, n_b, n_q)
        down = (H[..., :-1] > 0) & (H[..., 1:] <= 0)
        n_down = down.sum(axis=-1)
        idx = np.argmax(down, axis=-1)
        lo, hi = self.q[idx], self.q[np.minimum(idx + 1, self.q.size - 1)]
        Hlo = np.take_along_axis(H, idx[..., None], -1)[..., 0]
        Hhi = np.take_along_axis(H, np.minimum(idx + 1, self.q.size - 1)[..., None], -1)[..., 0]
        q = np.where(n_down == 1, lo + (hi - lo) * Hlo / np.where(Hlo != Hhi, Hlo - Hhi, 1.0),
                     np.nan)
        ok = np.isfinite(q)
        for _ in range(6):
            if not ok.any():
                break
            gv, dv, _ = self._psi2_slope(q[ok])
            h = S[ok] * gv + B[ok] - q[ok]
            q[ok] = np.clip(q[ok] - h / (S[ok] * dv - 1), lo[ok], hi[ok])
        zero = (n_down == 0) & (H[..., 0] < 0) & (B == 0) \
            & (abs(float(self.psi(np.array([0.0]))[0])) == 0)
        q = np.where(zero, 0.0, q)
        beta = np.full(q.shape, np.nan)
        beta_err = np.full(q.shape, np.nan)
        pos = np.isfinite(q) & (q > 0)
        if pos.any():
            p = self.psi
            (a,), (ea,) = self.expect([lambda x, z: p(x) * z], q[pos])
            s = np.sqrt(q[pos])
            beta[pos] = np.sqrt(S[pos]) * a / s
            beta_err[pos] = np.sqrt(S[pos]) * ea / s
        return {"q_star": q, "beta": beta, "beta_err": beta_err}

    def beta_gap(self, q: float, sw2: float, sb2: float) -> tuple[float, float]:
        """(1 - beta^2, its uncertainty) at a fixed point q from the identity
        1 - beta^2 = sb2/q + sw2 E[(psi(s z) - a z)^2]/q, a = E[psi(s z) z]: a non-negative
        integrand, so a gap far above the uncertainty certifies beta < 1 in float64."""
        p = self.psi
        (a,), _ = self.expect([lambda x, z: p(x) * z], np.array([q]))
        av = float(a[0])
        (R, g), (eR, eg) = self.expect([lambda x, z: (p(x) - av * z) ** 2,
                                         lambda x, z: p(x) ** 2], np.array([q]))
        gap = sb2 / q + sw2 * float(R[0]) / q
        H = sw2 * float(g[0]) + sb2 - q
        unc = abs(H) / q + sw2 * (float(eR[0]) + float(eg[0])) / q + 1e-13 * (1 + av * av / q)
        return gap, unc

    def beta(self, q: float, sw2: float) -> tuple[float, float]:
        """beta = sw E[psi(s z) z]/s at q = s^2 (seed 000 Eq. (38)), direct route: (value, err)."""
        p = self.psi
        (v,), (e,) = self.expect([lambda x, z: p(x) * z], np.array([q]))
        s = np.sqrt(q)
        return float(np.sqrt(sw2) * v[0] / s), float(np.sqrt(sw2) * e[0] / s)


def mp_fixed_point_beta(act: Any, q0: float, sw2: Any, sb2: Any, dps: int,
                        breakpoints: Sequence[Any] = ()) -> dict[str, mp.mpf]:
    """Polish a fixed point q of the variance map from ``q0`` and evaluate beta there, with
    mpmath at ``dps`` digits (tanh-sinh, gaussian layer): q, the residual map(q) - q, the slope,
    beta by the direct route and by Stein's lemma (sw E psi'(s z))."""
    p, dp = act.mpmath(0), act.mpmath(1)
    with mp.workdps(dps + GUARD_DIGITS):
        w, b = mp.mpf(sw2), mp.mpf(sb2)
        q = mp.mpf(q0)

        def gap(v: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
            g = expect_mp(lambda u: p(u) ** 2, v, dps=dps, breakpoints=breakpoints).value
            d = expect_mp(lambda u: u * p(u) * dp(u), v, dps=dps,
                          breakpoints=breakpoints).value / v
            return w * g + b - v, w * d

        for _ in range(8):
            H, slope = gap(q)
            if abs(H) <= mp.mpf(10) ** (-dps) * (1 + q):
                break
            if abs(slope - 1) < mp.mpf(10) ** -8:
                break          # neutral: q0 is on a continuum of fixed points (or tangential)
            q = q - H / (slope - 1)
            if q <= 0:
                raise TheoryCheckError("Newton for the fixed point left q > 0",
                                       status=Status.PRECISION_NOT_REACHED)
        H, slope = gap(q)
        direct = expect_mp(lambda u: u * p(u), q, dps=dps, breakpoints=breakpoints)
        stein = expect_mp(dp, q, dps=dps, breakpoints=breakpoints)
        sw = mp.sqrt(w)
        return {"q": q, "residual": H, "slope": slope, "beta": sw * direct.value / q,
                "beta_err": sw * direct.error / q + abs(sw * direct.value / q
                                                         - sw * stein.value),
                "beta_stein": sw * stein.value}
