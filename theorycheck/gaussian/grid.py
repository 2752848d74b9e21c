"""Vectorised float64 Gaussian expectations for whole grids of variances (the fast engine).

E_z F(sqrt(q) z) for an array of q at once, by composite Gauss-Legendre quadrature in z on
[-L, L] (L = 12 by default: the Gaussian mass outside is 2e-33).  For each q the panel boundaries
are a uniform grid of width ``panel`` in z, the activation's kinks b mapped to z = b/sqrt(q), and
the points +-{1/8, ..., 8}/sqrt(q) so that a steep activation (sigmoid near its critical line has
q* ~ 45; relu-like kinks) is resolved on its own scale.  The error estimate is the difference
between ``n_nodes``- and ``n_nodes - 8``-point rules on the same panels, plus the size of the
weighted integrand at |z| = L (a truncation indicator) and 4 ulp of sum |w F|.  Accuracy: below
1e-13 absolute for the smooth and piecewise-smooth activations of seed 000 / 002 at q <= 1e4.
Cost: ~ (24 + 14 + #kinks) x n_nodes evaluations per q (about 1000), i.e. ~40 us per q.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import panel_nodes

Func = Callable[[np.ndarray], np.ndarray]
FuncXZ = Callable[[np.ndarray, np.ndarray], np.ndarray]

_SCALE_POINTS = np.array([0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


class GridEngine:
    """Fast float64 Gaussian expectations E F(sqrt(q) z) over arrays of q (and bivariate ones).

    ``act``: an Activation (``.numpy(k)``, ``.kinks``) or a plain vectorised callable psi;
    ``kinks``: breakpoints in x (taken from ``act.kinks`` when omitted); ``n_nodes``:
    Gauss-Legendre points per panel (the error estimate compares with ``n_nodes - 8``);
    ``L``: half-width of the z range; ``panel``: base panel width in z; ``tail_shift``: extra
    half-width per unit sqrt(q) for activations growing like exp(k x) (use ~2k + 1).
    """

    def __init__(self, act: Any = None, *, kinks: Sequence[float] | None = None,
                 n_nodes: int = 24, L: float = 12.0, panel: float = 1.0,
                 tail_shift: float = 0.0) -> None:
        if n_nodes < 12:
            raise TheoryCheckError(f"n_nodes must be >= 12, got {n_nodes}")
        self.act = act
        if kinks is None:
            kinks = tuple(float(k) for k in getattr(act, "kinks", ()) or ())
        self.kinks = tuple(sorted(float(k) for k in kinks))
        self.n_nodes, self.L, self.panel, self.tail_shift = n_nodes, L, panel, tail_shift

    # -- integrands -------------------------------------------------------------------------
    def func(self, k: int) -> Func:
        """The vectorised k-th derivative of the activation."""
        if callable(getattr(self.act, "numpy", None)):
            return self.act.numpy(k)
        if k == 0 and callable(self.act):
            return self.act
        raise TheoryCheckError(f"derivative {k} needs an Activation, not a plain callable")

    # -- one-dimensional ----------------------------------------------------------------------
    def expect_xz(self, fns: Sequence[FuncXZ], q: np.ndarray | float,
                  shift: np.ndarray | float = 0.0, *, strict: bool = True
                  ) -> tuple[np.ndarray, np.ndarray]:
        """E F_i(shift + sqrt(q) z, z) for each F_i: (values, errors), each (len(fns), *q.shape).

        ``strict``: raise DIVERGENT_INTEGRAL when the integrand is not finite on the grid;
        otherwise report +inf for those q (used by scans over q).
        """
        q = np.asarray(q, dtype=float)
        shape = q.shape
        qf = q.reshape(-1)
        a = np.broadcast_to(np.asarray(shift, dtype=float), shape).reshape(-1)
        if np.any(~np.isfinite(qf)) or np.any(qf < 0):
            raise TheoryCheckError("variances must be finite and >= 0")
        s = np.sqrt(qf)
        L = self.L + self.tail_shift * s
        vals = np.empty((len(fns), qf.size))
        errs = np.empty((len(fns), qf.size))
        chunk = max(1, 200_000 // (60 * self.n_nodes))
        for start in range(0, qf.size, chunk):
            sl = slice(start, start + chunk)
            bp = self._bp(a[sl], s[sl], L[sl])
            zf, wf = panel_nodes(bp, self.n_nodes)
            zc, wc = panel_nodes(bp, self.n_nodes - 8)
            gf = np.exp(-0.5 * zf * zf) * _INV_SQRT_2PI
            gc = np.exp(-0.5 * zc * zc) * _INV_SQRT_2PI
            xf = a[sl, None] + s[sl, None] * zf
            xc = a[sl, None] + s[sl, None] * zc
            Ls = L[sl]
            for i, fn in enumerate(fns):
                with np.errstate(all="ignore"):
                    Ff = np.asarray(fn(xf, zf), dtype=float) * gf
                    Fc = np.asarray(fn(xc, zc), dtype=float) * gc
                    edge = (np.abs(fn(a[sl] + s[sl] * Ls, Ls)) + np.abs(fn(a[sl] - s[sl] * Ls, -Ls))
                            ) * np.exp(-0.5 * Ls * Ls) * _INV_SQRT_2PI
                bad = ~(np.all(np.isfinite(Ff), axis=1) & np.all(np.isfinite(Fc), axis=1))
                # a convergent integrand is negligible at |z| = L; one that is not diverges
                # (or needs a larger L / tail_shift)
                vf0 = np.sum(np.abs(wf * np.nan_to_num(Ff)), axis=1)
                bad |= ~np.isfinite(edge) | (edge > 1e-3 * vf0 + 1e-24)
                if strict and np.any(bad):
                    raise TheoryCheckError(
                        "the Gaussian integrand is not finite or does not decay on the quadrature"
                        " grid: the expectation diverges", status=Status.DIVERGENT_INTEGRAL)
                Ff[bad], Fc[bad] = 0.0, 0.0
                vf = np.sum(wf * Ff, axis=1)
                vc = np.sum(wc * Fc, axis=1)
                vf[bad], vc[bad] = np.inf, np.inf
                vals[i, sl] = vf
                with np.errstate(invalid="ignore"):
                    diff = np.abs(vf - vc)
                ulp = 4 * np.finfo(float).eps * np.sum(np.abs(wf * Ff), axis=1)
                errs[i, sl] = diff + ulp + np.broadcast_to(edge, vf.shape)
        return vals.reshape((len(fns), *shape)), errs.reshape((len(fns), *shape))

    def _bp(self, a: np.ndarray, s: np.ndarray, L: np.ndarray) -> np.ndarray:
        # uniform base panels scaled to each row's L (same count of panels for every row)
        m = round(2 * self.L / self.panel)
        base = np.linspace(-1.0, 1.0, m + 1)[None, :] * L[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(s > 0, 1.0 / s, np.inf)
            sc = np.concatenate([-_SCALE_POINTS[::-1], _SCALE_POINTS])
            extra = [(sc[None, :] - a[:, None]) * inv[:, None]]
            if self.kinks:
                kb = np.asarray(self.kinks)
                extra.append((kb[None, :] - a[:, None]) * inv[:, None])
            ex = np.concatenate(extra, axis=1)
        ex = np.nan_to_num(ex, nan=0.0, posinf=np.inf, neginf=-np.inf)
        ex = np.clip(ex, -L[:, None], L[:, None])
        bp = np.concatenate([base, ex], axis=1)
        bp.sort(axis=1)
        return bp

    def hermite_coefficients(self, f: Func, q: np.ndarray, K: int
                             ) -> tuple[np.ndarray, np.ndarray]:
        """b_k(q) = E[f(sqrt(q) z) He_k(z)] for k < K in one pass (probabilists' Hermite).

        The Mehler expansion E f(u1) f(u2) = sum_k b_k^2 c^k / k! (corr c) gives the correlation
        map (seed 002 Eq. (5)).  Use L >= 20 for K ~ 40 (z^k e^{-z^2/2} reaches |z| ~ 16).
        Returns (values, errors), each (K, q.size); errors as in :meth:`expect_xz`.
        """
        qf = np.asarray(q, dtype=float).reshape(-1)
        s = np.sqrt(qf)
        a = np.zeros_like(qf)
        L = self.L + self.tail_shift * s
        bp = self._bp(a, s, L)
        out = []
        for n in (self.n_nodes, self.n_nodes - 8):
            z, w = panel_nodes(bp, n)
            wf = w * np.exp(-0.5 * z * z) * _INV_SQRT_2PI * f(s[:, None] * z)
            vals = np.empty((K, qf.size))
            h0, h1 = np.ones_like(z), z
            vals[0] = np.sum(wf, axis=1)
            for k in range(1, K):
                vals[k] = np.sum(wf * h1, axis=1)
                h0, h1 = h1, z * h1 - k * h0
            out.append(vals)
        return out[0], np.abs(out[0] - out[1]) + 1e-15 * np.abs(out[0]).max(axis=0)

    def expect_many(self, fns: Sequence[Func], q: np.ndarray | float
                    ) -> tuple[np.ndarray, np.ndarray]:
        """E F_i(sqrt(q) z) for several integrands F_i of x on shared nodes: (values, errors)."""
        wrapped = [(lambda x, z, f=f: f(x)) for f in fns]
        return self.expect_xz(wrapped, q)

    def expect(self, k_or_fn: int | Func, q: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """E F(sqrt(q) z) with F = psi^(k) (int) or a vectorised callable; (values, errors)."""
        fn = self.func(k_or_fn) if isinstance(k_or_fn, int) else k_or_fn
        v, e = self.expect_many([fn], q)
        return v[0], e[0]

    # -- bivariate ----------------------------------------------------------------------------
    def expect2(self, f: Func, g: Func, q: np.ndarray | float, c: np.ndarray | float
                ) -> tuple[np.ndarray, np.ndarray]:
        """E f(u1) g(u2), u1 = sqrt(q) z1, u2 = sqrt(q)(c z1 + sqrt(1-c^2) z2) (002 Eqs. 5-7).

        Nested composite Gauss-Legendre: for each outer node z1 the inner z2 panels are split
        where u2 crosses a kink.  Error: outer and inner two-resolution differences added.
        Cost ~ 1e6 evaluations per (q, c) pair; meant for tens to hundreds of pairs.
        """
        q = np.asarray(q, dtype=float)
        c = np.asarray(c, dtype=float)
        q, c = np.broadcast_arrays(q, c)
        shape = q.shape
        qf, cf = q.reshape(-1), np.clip(c.reshape(-1), -1.0, 1.0)
        vals = np.empty(qf.size)
        errs = np.empty(qf.size)
        for i in range(qf.size):
            s = np.sqrt(qf[i])
            r = np.sqrt(max(0.0, 1.0 - cf[i] ** 2))
            bp = self._bp(np.zeros(1), np.array([s]), np.array([self.L]))
            res = []
            for n in (self.n_nodes, self.n_nodes - 8):
                z1, w1 = panel_nodes(bp, n)
                z1, w1 = z1[0], w1[0]
                a = s * cf[i] * z1
                q_in = np.full(z1.size, (s * r) ** 2)
                inner_v, inner_e = self.expect_xz([lambda x, z: g(x)], q_in, shift=a)
                outer = w1 * np.exp(-0.5 * z1 * z1) * _INV_SQRT_2PI * f(s * z1)
                res.append((np.sum(outer * inner_v[0]), np.sum(np.abs(outer) * inner_e[0])))
            vals[i] = res[0][0]
            errs[i] = abs(res[0][0] - res[1][0]) + res[0][1]
        return vals.reshape(shape), errs.reshape(shape)
