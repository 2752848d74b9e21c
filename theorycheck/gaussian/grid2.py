"""Whole-grid bivariate Gaussian expectations E f(u1) g(u2) in float64, with error estimates.

(u1, u2) ~ N(0, [[q1, c sqrt(q1 q2)], [c sqrt(q1 q2), q2]]) for whole arrays of (q1, q2, c)
(seed 000, Eq. (14); seed 002, Eqs. (5)-(7)): the correlation map, its iterates and the NNGP
kernel on grids.  Two routes, each with its own error estimate; every pair takes the first whose
estimate is below ``tol`` x max(1, sqrt(E f^2 E g^2)):

1. the Mehler series (:mod:`~theorycheck.gaussian.mehler`): K normalised Hermite coefficients
   per distinct q, then one Horner sum per pair; error = Cauchy-Schwarz/Parseval truncation bound
   + coefficient errors (two rules) + Horner's running rounding bound.  Covers |c| <~ 0.95 for
   kinked activations and nearly all of [-1, 1] for smooth ones at moderate q.
2. the product Gauss-Legendre rule with kink-aware panels
   (:mod:`~theorycheck.gaussian.grid2_panels`), ``n_nodes`` against ``n_nodes - 2`` points per
   panel in both directions; c = +-1 (and q = 0) reduce to one-dimensional integrals.

Accuracy (tests/test_grid2.py): below 1e-15 x max(1, q) against the relu arc-cosine, erf
arcsine and linear kernels on q in [1e-2, 1e3], c in {-1, -0.999999, 0, 0.5, 0.999999, 1}, and
below 1e-14 against ``expect2_mp`` for tanh.  Cost (BENCHMARKS.md): tens of microseconds per
pair on the Mehler route (coefficients ~15 ms per distinct q), 0.2-4 ms per pair on the
product rule.  |z| is cut at ``L`` = 9 in the product rule (mass outside 2e-19): activations
growing faster than a polynomial need a larger ``L``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.grid2_panels import line_rule, product_rule
from theorycheck.gaussian.mehler import L_HERMITE, HermiteTable, hermite_table, mehler_sum

Func = Callable[[np.ndarray], np.ndarray]
_EPS = float(np.finfo(float).eps)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_CHUNK = 400_000          # product-rule elements per numpy expression


def _resolve(fn: Any, kinks: Any) -> tuple[Func, np.ndarray]:
    if callable(getattr(fn, "numpy", None)):
        func = fn.numpy(0)
        if kinks is None:
            kinks = getattr(fn, "kinks", ()) or ()
    elif callable(fn):
        func = fn
    else:
        raise TheoryCheckError(f"not an activation or a vectorised function: {fn!r}")
    ks = sorted({float(k) for k in (kinks or ())})
    return func, np.array([k for k in ks if np.isfinite(k)], dtype=float)


class BivariateGrid:
    """E f(u1) g(u2) over arrays of (q1, c[, q2]) at once; see the module docstring.

    ``f``, ``g``: Activations (``numpy(0)``, ``kinks``) or vectorised callables (``g``
    defaults to ``f``); ``kinks_f``/``kinks_g``: breakpoints in x (from the activations when
    omitted); ``n_nodes``: Gauss-Legendre points per panel of the product rule; ``L``: its |z|
    cut; ``K``: Mehler terms; ``tol``: the accepted error estimate, relative to
    max(1, sqrt(E f^2 E g^2)).
    """

    def __init__(self, f: Any, g: Any = None, *, kinks_f: Any = None, kinks_g: Any = None,
                 n_nodes: int = 14, L: float = 9.0, K: int = 1024, tol: float = 2e-14) -> None:
        if n_nodes < 6 or K < 8 or not (L > 0 and tol > 0):
            raise TheoryCheckError("need n_nodes >= 6, K >= 8, L > 0 and tol > 0")
        self.f, self.kf = _resolve(f, kinks_f)
        self.g, self.kg = _resolve(f if g is None else g, kinks_g if g is not None else
                                   (kinks_f if kinks_g is None else kinks_g))
        self.same = g is None and kinks_g is None   # g = f: one Hermite table serves both
        self.n, self.L, self.K, self.tol = n_nodes, L, K, tol
        self._tables: dict[tuple[int, float], HermiteTable] = {}
        #: how many pairs each route took in the last call (for the benchmarks and tests)
        self.last_routes: dict[str, int] = {}

    # -- the tails ----------------------------------------------------------------------------
    def _check_tails(self, s: np.ndarray, fn: Func) -> None:
        """Refuse when fn(s z) phi(z) is not negligible at |z| = L (the product rule's cut) or
        fn(s z) sqrt(phi(z)) at |z| = 14 (the Mehler coefficients'): the integral diverges or
        needs a larger L."""
        u = np.unique(s)
        with np.errstate(all="ignore"):
            size = np.maximum(1.0, np.max(np.abs(np.stack([fn(k * u) for k in
                                                            (-2.0, -1.0, 1.0, 2.0)])), axis=0))
            for cut, weight in ((self.L, np.exp(-0.5 * self.L ** 2) * _INV_SQRT_2PI),
                                (L_HERMITE, np.exp(-0.25 * L_HERMITE ** 2))):
                edge = (np.abs(fn(cut * u)) + np.abs(fn(-cut * u))) * weight
                if not np.all(np.isfinite(edge) & (edge <= 1e-15 * size)):
                    raise TheoryCheckError(
                        "the bivariate Gaussian integrand does not decay at |z| = "
                        f"{cut:g}: the expectation diverges (or grows too fast for this cut)",
                        status=Status.DIVERGENT_INTEGRAL)

    # -- the Mehler route ---------------------------------------------------------------------
    def _table(self, which: int, s: np.ndarray) -> HermiteTable:
        which = 0 if self.same else which
        fn, kinks = (self.f, self.kf) if which == 0 else (self.g, self.kg)
        missing = [float(x) for x in s if (which, float(x)) not in self._tables]
        if missing:
            with np.errstate(all="ignore"):
                t = hermite_table(fn, kinks, np.array(missing), self.K)
            for r, x in enumerate(missing):
                self._tables[(which, x)] = HermiteTable(t.coef[r:r + 1], t.coef_err[r:r + 1],
                                                        t.norm2[r:r + 1], t.tail[r:r + 1])
        rows = [self._tables[(which, float(x))] for x in s]
        return HermiteTable(*(np.concatenate([getattr(t, k) for t in rows])
                              for k in ("coef", "coef_err", "norm2", "tail")))

    def _mehler(self, s1: np.ndarray, s2: np.ndarray, c: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u1, i = np.unique(s1, return_inverse=True)
        u2, j = np.unique(s2, return_inverse=True)
        tf, tg = self._table(0, u1), self._table(1, u2)
        v, e = mehler_sum(tf, tg, i, j, c)
        scale = np.maximum(1.0, np.sqrt(np.abs(tf.norm2[i] * tg.norm2[j])))
        return v, e, scale

    # -- the product rule ---------------------------------------------------------------------
    def _quadrature(self, s1: np.ndarray, s2: np.ndarray, c: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
        vals, errs = np.empty(c.size), np.empty(c.size)
        line = (np.abs(c) == 1.0) | (s1 == 0) | (s2 == 0)
        for mask, two_d in ((line, False), (~line, True)):
            idx = np.flatnonzero(mask)
            step = max(1, _CHUNK // (40 * self.n) ** (2 if two_d else 1))
            for start in range(0, idx.size, step):
                k = idx[start:start + step]
                res = []
                for n in (self.n, self.n - 2):
                    with np.errstate(all="ignore"):
                        if two_d:
                            res.append(product_rule(self.f, self.g, self.kf, self.kg, s1[k],
                                                    s2[k], c[k], n, self.L))
                        else:
                            s2c = np.where(s1[k] == 0, s2[k], s2[k] * c[k])
                            res.append(line_rule(self.f, self.g, self.kf, self.kg, s1[k],
                                                 s2c, n, self.L))
                (vf, af), (vc, _ac) = res
                if not (np.all(np.isfinite(vf)) and np.all(np.isfinite(vc))):
                    raise TheoryCheckError("the bivariate Gaussian integrand is not finite on"
                                           " the quadrature grid: the expectation diverges",
                                           status=Status.DIVERGENT_INTEGRAL)
                vals[k] = vf
                errs[k] = np.abs(vf - vc) + 8 * _EPS * af
        return vals, errs

    # -- public -------------------------------------------------------------------------------
    def expect2(self, q1: Any, c: Any, q2: Any = None, *, route: str = "auto"
                ) -> tuple[np.ndarray, np.ndarray]:
        """E f(u1) g(u2), Var u1 = q1, Var u2 = q2 (default q1), corr c: (values, errors).

        Inputs broadcast together; |c| <= 1 (up to 1e-12, then clipped), q >= 0, finite.
        ``route``: "auto" (the Mehler series where its estimate is below ``tol``, else the
        product rule), "quadrature" (the product rule everywhere) or "mehler" (the series for
        every |c| < 1, whatever its estimate: for tests and benchmarks).
        """
        if route not in ("auto", "quadrature", "mehler"):
            raise TheoryCheckError(f"unknown route {route!r}: auto, quadrature or mehler")
        q1a = np.asarray(q1, dtype=float)
        q2a = q1a if q2 is None else np.asarray(q2, dtype=float)
        ca = np.asarray(c, dtype=float)
        q1a, q2a, ca = np.broadcast_arrays(q1a, q2a, ca)
        shape = ca.shape
        q1f, q2f, cf = q1a.reshape(-1), q2a.reshape(-1), ca.reshape(-1)
        if not (np.all(np.isfinite(q1f)) and np.all(np.isfinite(q2f)) and
                np.all(np.isfinite(cf))):
            raise TheoryCheckError("variances and correlations must be finite (got NaN or inf)")
        if np.any(q1f < 0) or np.any(q2f < 0):
            raise TheoryCheckError("variances must be >= 0")
        if np.any(np.abs(cf) > 1 + 1e-12):
            raise TheoryCheckError("correlations must lie in [-1, 1]")
        cf = np.clip(cf, -1.0, 1.0)
        s1, s2 = np.sqrt(q1f), np.sqrt(q2f)
        self._check_tails(s1, self.f)
        self._check_tails(s2, self.g)
        vals, errs = np.empty(cf.size), np.full(cf.size, np.inf)
        inner = (np.abs(cf) < 1) & (s1 > 0) & (s2 > 0)
        if np.any(inner) and route != "quadrature":
            v, e, scale = self._mehler(s1[inner], s2[inner], cf[inner])
            ok = np.isfinite(v) & ((e <= self.tol * scale) | (route == "mehler"))
            idx = np.flatnonzero(inner)[ok]
            vals[idx], errs[idx] = v[ok], e[ok]
        rest = ~np.isfinite(errs)
        self.last_routes = {"mehler": int(cf.size - rest.sum()), "quadrature": int(rest.sum())}
        if np.any(rest):
            v, e = self._quadrature(s1[rest], s2[rest], cf[rest])
            vals[rest], errs[rest] = v, e
        return vals.reshape(shape), errs.reshape(shape)
