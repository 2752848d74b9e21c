"""Phase planes of q*, chi1, beta and xi_c over an (sw2, sb2) grid, in float64, fast.

Method. Every quantity depends on (sw2, sb2) only through q* and the one-dimensional integrals
g(q) = E psi^2, m(q) = E psi'^2, d(q) = E psi' (and, for c*, the normalised Hermite coefficients
beta_k(q) = E[psi(sqrt(q) z) He_k(z)] / sqrt(k!) of the bivariate grid engine,
:func:`theorycheck.gaussian.mehler.hermite_table`, with its Parseval tail T(q)). These are
tabulated once with the grid engine at the Chebyshev nodes of panels (one panel [0, 1e-8] in q,
then panels of width 0.5 in log q), so any q is interpolated by a degree-16 Chebyshev sum
(error: the size of the last coefficients, reported). For each sw2 the fixed-point equation q -
sw2 g(q) = sb2 is bracketed on the table nodes (the stable root is where map(q) - q changes from
+ to -) and polished by 6 vectorised Newton steps on the interpolant. chi1 = sw2 m(q*) (seed 000
Eq. (17)), beta = sw d(q*) (Eq. (38) by Stein's lemma), xi_c = -1/log(chi_c) with chi_c the
c-map slope at c* (Schoenholz et al. 2017; c* from the Mehler series K(q, c) = sum_{k<96}
beta_k^2 c^k in the chaotic phase, truncation bounded by c^96 T(q)). Accuracy: q*, chi1, beta
below 1e-10 (checked against mpmath in the tests); xi_c in the chaotic phase ~1e-12 away from
the EOC, growing towards it as c* -> 1 (the bound on the truncation and on c*'s error over 1 -
chi_c, reported in ``xi_c_err``: 4e-7 at tanh (1.8, 0.05), xi_c = 126). Cost: ~0.15-0.3 s for a
200 x 200 plane of tanh on 2 cores, ~0.7 s with xi_c.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from theorycheck.activations.jumps import describe_jumps
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import GridEngine
from theorycheck.gaussian.mehler import hermite_table
from theorycheck.meanfield.adapter import (
    jumps_of,
    kinks_of,
    max_variance,
    psi0_dpsi0,
    resolve_activation,
)
from theorycheck.meanfield.results import PhasePlane

DEG = 17            # Chebyshev nodes per panel
Q_LO = 1e-8         # the first panel is [0, Q_LO] in q; then panels in log q
PANEL = 0.5         # width of a log-q panel
N_HERMITE = 96      # Mehler series terms for the correlation map


class QTable:
    """Piecewise-Chebyshev interpolants of Gaussian integrals as functions of q in [0, q_hi]."""

    def __init__(self, engine: GridEngine, fns: Sequence[Any] | Any, q_hi: float,
                 q_min: float = Q_LO) -> None:
        self.t0 = math.log(max(Q_LO, q_min))
        self.npan = max(1, math.ceil((math.log(q_hi) - self.t0) / PANEL))
        self.q_hi = math.exp(self.t0 + self.npan * PANEL)
        k = np.arange(DEG)
        self.x = np.cos(np.pi * (k + 0.5) / DEG)[::-1]             # Chebyshev points of kind 1
        q0 = 0.5 * (self.x + 1) * Q_LO
        tj = self.t0 + PANEL * (np.arange(self.npan)[:, None] + 0.5 * (self.x[None, :] + 1))
        self.nodes = np.concatenate([q0, np.exp(tj).ravel()])        # (1 + npan) * DEG nodes
        if callable(fns):  # a builder returning (values, errors) of shape (nf, nodes)
            vals, errs = fns(self.nodes)
        else:
            vals, errs = engine.expect_xz(fns, self.nodes)
        self.nf = vals.shape[0]
        v = vals.reshape(self.nf, 1 + self.npan, DEG)
        # Chebyshev coefficients per panel (discrete cosine transform at kind-1 points)
        T = np.cos(np.outer(np.arange(DEG), np.arccos(self.x)))      # T[j, i] = T_j(x_i)
        self.coef = np.einsum("fpi,ji->fpj", v, T) * (2.0 / DEG)
        self.coef[..., 0] *= 0.5
        tail = np.abs(self.coef[..., -1]) + np.abs(self.coef[..., -2])
        self.err = errs.reshape(self.nf, 1 + self.npan, DEG).max(axis=2) + tail  # per panel
        self.dcoef = np.polynomial.chebyshev.chebder(self.coef, axis=2)

    def _locate(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Panel index, local x in [-1, 1], and dx/dq for each q."""
        q = np.clip(q, 0.0, self.q_hi)
        small = q <= Q_LO
        with np.errstate(divide="ignore"):
            t = np.log(np.where(small, Q_LO, q))
        j = np.clip(np.floor((t - self.t0) / PANEL).astype(int), 0, self.npan - 1)
        x_log = 2 * (t - self.t0 - PANEL * j) / PANEL - 1
        x = np.where(small, 2 * q / Q_LO - 1, x_log)
        with np.errstate(divide="ignore"):
            dxdq = np.where(small, 2 / Q_LO, 2 / (PANEL * np.where(small, 1.0, q)))
        return np.where(small, 0, j + 1), np.clip(x, -1, 1), dxdq

    @staticmethod
    def _clenshaw(c: np.ndarray, x: np.ndarray) -> np.ndarray:
        b1 = np.zeros_like(x)
        b2 = np.zeros_like(x)
        for k in range(c.shape[-1] - 1, 0, -1):
            b1, b2 = 2 * x * b1 - b2 + c[..., k], b1
        return x * b1 - b2 + c[..., 0]

    def __call__(self, i: int, q: np.ndarray, deriv: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
        """(value, error) of table function i at q, or (d/dq value, 0) when ``deriv``."""
        p, x, dxdq = self._locate(q)
        if deriv:
            return self._clenshaw(self.dcoef[i][p], x) * dxdq, np.zeros_like(x)
        return self._clenshaw(self.coef[i][p], x), self.err[i][p]


def phase_plane(act: Any, sw2_values: Sequence[float] | np.ndarray,
                sb2_values: Sequence[float] | np.ndarray, *, with_xi_c: bool = True
                ) -> PhasePlane:
    """q*, chi1, beta and xi_c on the grid sw2_values x sb2_values (float64, with errors).

    Axis 0 is sw2, axis 1 is sb2.  ``no_fixed_point`` marks points where the variance map has
    no finite stable fixed point (e.g. relu, sw2 > 2), ``non_unique`` several stable ones (or a
    continuum, as linear at sw2 = 1, sb2 = 0); the planes hold NaN there.  A jump of psi makes
    chi1 = inf and adds sqrt(sw2) J phi_q(a) to beta (Stein's lemma, meanfield.jumps).  See the
    module docstring for method, accuracy and cost; seed 000 Fig. 6b is the beta plane.
    """
    act = resolve_activation(act)
    sw2 = np.asarray(sw2_values, dtype=float)
    sb2 = np.asarray(sb2_values, dtype=float)
    if sw2.ndim != 1 or sb2.ndim != 1 or np.any(sw2 <= 0) or np.any(sb2 < 0):
        raise TheoryCheckError("sw2 values must be > 0 and sb2 values >= 0 (1-D arrays)")
    kinks = kinks_of(act)
    psi0, dpsi0 = psi0_dpsi0(act)
    eng = GridEngine(act, kinks=kinks)
    p, dp = eng.func(0), eng.func(1)
    qlim = max_variance(act)
    q_hi = min(1e6, 0.999 * qlim) if math.isfinite(qlim) else 1e6
    fns = [lambda x, z: p(x) ** 2, lambda x, z: dp(x) ** 2, lambda x, z: dp(x)]
    tab = QTable(eng, fns, q_hi)
    nodes = tab.nodes
    order = np.argsort(nodes)
    qn = nodes[order]
    gn = tab(0, qn)[0]
    S, B = np.meshgrid(sw2, sb2, indexing="ij")
    # H(q) = q - sw2 g(q) - sb2: the stable root is where H goes from < 0 to >= 0
    Hn = qn[None, :] - sw2[:, None] * gn[None, :]                    # (n_sw2, n_nodes)
    n_up = np.zeros(S.shape, dtype=int)
    q = np.zeros(S.shape)
    flat = np.zeros(S.shape, dtype=bool)
    for r in range(sw2.size):
        _brackets_row(qn, Hn[r], sb2, n_up[r], q[r], flat[r])
    zero_root = (B == 0) & (psi0 == 0)
    if dpsi0 is not None:
        zero_stable = zero_root & (S * dpsi0 ** 2 < 1)
    else:
        zero_stable = zero_root & (Hn[:, 1:2] > 0)
    # the zero root is already counted when the first node pair brackets it
    n_stable = n_up + (zero_stable & (n_up == 0)).astype(int)
    ok = (n_stable == 1) & ~flat
    non_unique = (n_stable > 1) | flat
    no_fp = (n_stable == 0) & ~flat
    q = np.where(zero_stable & (n_up == 0), 0.0, q)
    pos = ok & (q > 0)
    qv, Sv, Bv = q[pos], S[pos], B[pos]
    for _ in range(8):
        g, _e = tab(0, qv)
        dg, _z = tab(0, qv, deriv=True)
        step = (qv - Sv * g - Bv) / (1 - Sv * dg)
        qv = np.maximum(qv - step, 0.0)
    g, g_err = tab(0, qv)
    dg, _z = tab(0, qv, deriv=True)
    slope = Sv * dg
    q[pos] = qv
    q_err = np.zeros_like(q)
    with np.errstate(divide="ignore"):
        q_err[pos] = (Sv * g_err + np.abs(qv - Sv * g - Bv)) / np.abs(1 - slope)
    m, m_err = tab(1, q)
    d, d_err = tab(2, q)
    dm = np.abs(tab(1, q, deriv=True)[0])
    dd = np.abs(tab(2, q, deriv=True)[0])
    chi1 = S * m
    chi1_err = S * (m_err + dm * q_err)
    beta = np.sqrt(S) * d
    beta_err = np.sqrt(S) * (d_err + dd * q_err)
    lims = jumps_of(act)[1]
    if lims:  # point masses of psi' (meanfield.jumps): chi1 = inf, Stein's E psi' gains J phi_q(a)
        qs = np.where(q > 0, q, np.nan)
        for a, lo, hi in lims:
            a_f, jump = float(a), float(hi) - float(lo)
            with np.errstate(invalid="ignore", over="ignore"):
                dens = np.exp(-a_f * a_f / (2 * qs)) / np.sqrt(2 * np.pi * qs)
            beta = beta + np.sqrt(S) * jump * np.nan_to_num(dens)
        chi1 = np.where(ok, np.inf, chi1)
        chi1_err = np.zeros_like(chi1)
    at0 = ok & (q == 0)
    if np.any(at0):
        if dpsi0 is not None:
            chi1[at0], beta[at0] = S[at0] * dpsi0 ** 2, np.sqrt(S[at0]) * dpsi0
        chi1_err[at0], beta_err[at0] = 0.0, 0.0
    xi_c = np.full(q.shape, np.nan)
    xi_c_err = np.full(q.shape, np.nan)
    ordered = ok & (chi1 < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log(chi1)
        xi_c[ordered] = -1 / lg[ordered]
        xi_c_err[ordered] = (chi1_err / (chi1 * lg ** 2))[ordered]
    chaotic = ok & (chi1 > 1) & (q > 0)
    notes: dict[str, str] = {}
    if lims:
        notes["chi1"] = (f"{describe_jumps(jumps_of(act)[0])}: psi' has a point mass, chi1 = inf"
                         " at every sw2 > 0 (all chaotic)")
    if with_xi_c and np.any(chaotic):
        xc, xe = _xi_c_chaotic(eng, q_hi, q[chaotic], S[chaotic], B[chaotic])
        xi_c[chaotic], xi_c_err[chaotic] = xc, xe
        notes["xi_c"] = (f"chaotic phase: c* from a {N_HERMITE}-term Mehler series; "
                         "ordered phase: -1/log(chi1)")
    bad = ~ok
    for arr in (q, q_err, chi1, chi1_err, beta, beta_err, xi_c, xi_c_err):
        arr[bad] = np.nan
    return PhasePlane(str(getattr(act, "name", "activation")), sw2, sb2, q, q_err, chi1,
                      chi1_err, beta, beta_err, xi_c, xi_c_err, no_fp, non_unique, notes)


def _brackets_row(qn: np.ndarray, h: np.ndarray, levels: np.ndarray, count: np.ndarray,
                  q0: np.ndarray, flat: np.ndarray) -> None:
    """Upward crossings of each level by h on the increasing runs of h (in place)."""
    hp = h[1:]
    if np.ptp(hp) <= 1e-11 * max(1.0, float(qn[-1])) * 1e-3 or np.all(
            np.abs(np.diff(hp)) <= 1e-13 * np.maximum(qn[2:], 1e-300)):
        flat |= np.abs(levels - hp.mean()) <= 1e-11
    inc = np.diff(h) > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inc.astype(int), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):   # run of increasing steps a..b-1
        seg = h[a:b + 1]
        k = np.searchsorted(seg, levels, side="left")
        hit = (k > 0) & (k <= b - a) & (levels > seg[0])
        first = hit & (count == 0)
        i = a + k[first]
        ha, hb = h[i - 1], h[i]
        qa, qb = qn[i - 1], qn[i]
        q0[first] = qa + (levels[first] - ha) * (qb - qa) / (hb - ha)
        count += hit


def _xi_c_chaotic(eng: GridEngine, q_hi: float, q: np.ndarray, sw2: np.ndarray,
                  sb2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """xi_c in the chaotic phase from the Mehler series of the c-map (vectorised).

    K(q, c) = sum_k beta_k(q)^2 c^k with beta_k the normalised Hermite coefficients of
    :func:`theorycheck.gaussian.mehler.hermite_table` (the bivariate grid engine's), tabulated
    in q; truncation after N_HERMITE terms bounded by c^N T(q), T = E psi^2 - sum beta_k^2
    (Parseval), the tail also tabulated."""
    p = eng.func(0)
    kinks = np.asarray(eng.kinks, dtype=float)

    def build(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = hermite_table(p, kinks, np.sqrt(nodes), N_HERMITE, n=24)
        vals = np.concatenate([t.coef.T, t.tail[None, :]])
        errs = np.concatenate([t.coef_err.T, np.zeros((1, nodes.size))])
        return vals, errs

    tab = QTable(eng, build, min(q_hi, float(q.max()) * 1.1), q_min=float(q.min()) / 1.1)
    rows = [tab(k, q) for k in range(N_HERMITE + 1)]
    b = np.stack([v for v, _e in rows[:-1]])                          # (K, npts)
    b_err = np.stack([e for _v, e in rows[:-1]])
    tail = np.maximum(rows[-1][0], 0.0) + rows[-1][1]
    a = b * b                                                          # K(c) = sum a_k c^k
    da = 2 * np.abs(b) * b_err

    def K(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Horner evaluation of sum a_k c^k and its derivative."""
        v = np.zeros_like(c)
        dv = np.zeros_like(c)
        for k in range(N_HERMITE - 1, -1, -1):
            dv = dv * c + v
            v = v * c + a[k]
        return v, dv

    c = np.zeros_like(q)
    for _ in range(60):
        k0, k1 = K(c)
        F = (sw2 * k0 + sb2) / q - c
        dF = sw2 * k1 / q - 1
        step = np.where(dF < 0, -F / dF, 0.0)
        c = np.clip(c + step, -1.0, 1.0 - 1e-12)
        if np.all(np.abs(step) < 1e-15):
            break
    k0, k1 = K(c)
    chi_c = sw2 * k1 / q
    # errors: the map's value (coefficients + truncation c^N T) moves c* by dK sw2/q/(1 - chi_c);
    # the slope's own (sum_{k>=N} k a_k c^(k-1) <= N c^(N-1) T/(1 - c)^2), plus K'' times that
    ac = np.abs(c)
    kk = np.arange(N_HERMITE)[:, None]
    powers = ac ** np.maximum(kk - 1, 0)
    value_err = np.sum(da * ac ** kk, axis=0) + ac ** N_HERMITE * tail
    curvature = np.sum(kk * np.maximum(kk - 1, 0) * a * ac ** np.maximum(kk - 2, 0), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dc = sw2 / q * value_err / np.abs(1 - chi_c)
    slope_err = sw2 / q * (N_HERMITE * ac ** (N_HERMITE - 1) * tail / (1 - ac) ** 2
                           + np.sum(kk * da * powers, axis=0) + curvature * dc)
    del k0
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log(chi_c)
        xi = -1 / lg
        err = slope_err / (chi_c * lg ** 2) + 1e-12
    return xi, err
