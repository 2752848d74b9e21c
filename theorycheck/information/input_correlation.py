"""The correlation C^(0,1) between a layer's outputs and its i.i.d. inputs (seed 000, Sec. III,
Eqs. (20)-(33)).

For one weight draw, Eq. (20) gives C^(0,1) = W_ji beta0 / sqrt(alpha sum_k W_jk^2) with
beta0 = E[psi(s0 z) z] and alpha = Var psi: a scaled coordinate u_i of the unit row u = W_j/|W_j|.

* :func:`layer_one_correlation_symbolic` -- that form in SymPy, its scale invariance, the bound
  C^2 = (W_1^2/|W|^2)(beta0^2/alpha) <= 1, and the printed (31) against it;
* :func:`ratio_moment_symbolic` -- the printed (32)'s E[W_i^2 / (sum_k W_k^2)^2] for
  W ~ N(0, (sw2/N0) I), by two routes: the polar decomposition W = R u (R^2 = (sw2/N0)
  chi^2(N0) independent of u, E u_i^2 = 1/N0) and the Laplace form 1/R^4 = int t e^{-t R^2} dt;
  1/(sw2 (N0 - 2)) for N0 >= 3, oo for N0 = 1, 2;
* :func:`true_variance_symbolic` -- V(C^(0,1)) = beta0^2/(alpha N0) with sigma_j^(1) a standard
  deviation (the corrected (32));
* :func:`truncated_ratio_moment` -- the same with small radii cut off (divergent as the cut-off
  goes to 0 where the moment is infinite); :func:`truncated_ratio_table` tabulates it,
  :func:`ratio_moment_finite` decides finiteness from it and :func:`ratio_moment_growth` shows
  the growth;
* :func:`ratio_moment_monte_carlo` -- the same by plain sample means (which keep growing where the
  moment is infinite) and an importance-sampled estimate with finite variance where it is finite;
* :func:`layer_one_variances` -- beta0, alpha, the bound on |C^(0,1)| and V(C^(0,1)) per N0,
  against the printed (32), from the Gaussian moments of :func:`layer_one_moments`;
* :func:`beta0_bracket`, :func:`beta0_root` -- a zero of beta0(s) = E[psi(s z) z] in the input
  std s, where V(C^(0,1)) = 0 (float64 scan, mpmath root).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from scipy import stats

from theorycheck.gaussian import GridEngine, expect_mp, integrate_mp
from theorycheck.numbers import Estimate, to_decimal

N0_RANGE = range(1, 7)     # the input dimensions N0 both routes evaluate


def layer_one_correlation_symbolic() -> dict[str, Any]:
    """C^(0,1) of Eq. (20) for one weight row W = (W1, W2, W3) (N0 = 3) in SymPy, exact.

    Returns the symbols ``W``, ``beta0``, ``alpha_c`` (= Var psi), ``rowsq`` = sum W^2, the true
    ``c_true`` = W_1 beta0 / sqrt(alpha_c rowsq), the ratios C(tW)/C(W) of the true form
    (``scaled_true``, 1) and of the printed (31) (``scaled_printed``, 1/t), and ``bound_terms``
    = C^2 / ((W_1^2/rowsq)(beta0^2/alpha_c)) (1: the bound |C| <= 1 for every draw).
    """
    W = sp.symbols("W1:4", real=True)                   # one row W_j of a layer with N0 = 3
    alpha, alpha_c, beta0, s0, t = sp.symbols("alpha alpha_c beta0 s0 t", positive=True)
    rowsq = sum(w**2 for w in W)
    cov = W[0] * s0 * beta0              # Cov(X_j^(1), X_1) = W_j1 Cov(psi(X_1), X_1)
    var = alpha_c * rowsq                # Var(X_j^(1) | W) = sum_k W_jk^2 Var psi(X_k)
    c_true = sp.simplify(cov / (s0 * sp.sqrt(var)))
    c_printed = W[0] * beta0 / (rowsq * alpha)
    scaled_true = sp.simplify(c_true.subs({w: t * w for w in W}, simultaneous=True) / c_true)
    scaled_printed = sp.simplify(c_printed.subs({w: t * w for w in W}, simultaneous=True)
                                 / c_printed)
    sq = sp.simplify(c_true**2)
    bound_terms = sp.simplify(sq / ((W[0] ** 2 / rowsq) * (beta0**2 / alpha_c)))
    return {"W": W, "beta0": beta0, "alpha_c": alpha_c, "rowsq": rowsq, "c_true": c_true,
            "scaled_true": scaled_true, "scaled_printed": scaled_printed,
            "bound_terms": bound_terms}


def same_value(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two SymPy values are equal: both oo, or their difference simplifies to 0."""
    return bool((a == sp.oo and b == sp.oo) or sp.simplify(a - b) == 0)


def ratio_moment_symbolic() -> dict[str, Any]:
    """E[W_i^2/(sum W^2)^2] for W ~ N(0, (sw2/N0) I): polar decomposition and Laplace form.

    Returns ``inv_chi2`` (E[1/chi^2_N0], piecewise in N0), ``polar`` and ``laplace`` ({N0: value}
    for N0 = 1..6), ``general`` (the Laplace route for symbolic N0), the symbols ``sw2``,
    ``nu`` (N0), and the comparisons: ``agree`` (both routes give the same value at every N0),
    ``infinite`` (the N0 where it is oo) and ``closed_ok`` (``polar`` equals 1/(sw2 (N0 - 2))
    for N0 >= 3).  Exact; cost a few seconds of SymPy integration.
    """
    x, t = sp.symbols("x t", positive=True)
    nu = sp.Symbol("N0", positive=True)
    sw2 = sp.Symbol("sigma_w^2", positive=True)
    pdf = x ** (nu / 2 - 1) * sp.exp(-x / 2) / (2 ** (nu / 2) * sp.gamma(nu / 2))
    inv_chi2 = sp.integrate(pdf / x, (x, 0, sp.oo), conds="piecewise")
    # (1) polar: W = R u, R^2 = (sw2/N0) chi^2(N0) independent of u uniform, E u_i^2 = 1/N0
    polar = {}
    for n in N0_RANGE:
        e_inv = sp.integrate(pdf.subs(nu, n) / x, (x, 0, sp.oo))
        polar[n] = sp.simplify(sp.Rational(1, n) * (n / sw2) * e_inv)
    # (2) Laplace: 1/R^4 = int_0^inf t e^{-t R^2} dt, E[W_i^2 e^{-t W_i^2}] prod_k E e^{-t W_k^2}
    s2 = sw2 / nu
    integrand = t * s2 * (1 + 2 * t * s2) ** (-(nu + 2) / 2)
    general = sp.simplify(sp.integrate(integrand, (t, 0, sp.oo), conds="piecewise"))
    laplace = {n: sp.simplify(sp.integrate(integrand.subs(nu, n), (t, 0, sp.oo)))
               for n in N0_RANGE}
    agree = all(same_value(polar[n], laplace[n]) for n in polar)
    infinite = [n for n, v in polar.items() if v == sp.oo]
    closed = {n: sp.simplify(1 / (sw2 * (n - 2))) for n in polar if n > 2}
    closed_ok = all(sp.simplify(polar[n] - v) == 0 for n, v in closed.items())
    return {"inv_chi2": inv_chi2, "polar": polar, "laplace": laplace, "general": general,
            "sw2": sw2, "nu": nu, "agree": agree, "infinite": infinite, "closed_ok": closed_ok}


def true_variance_symbolic() -> dict[str, Any]:
    """V(C^(0,1)) = beta0^2/(alpha N0) with sigma_j^(1) a standard deviation (seed 000, Eq. (32)
    corrected): C = u_i beta0/sqrt(alpha), E C = 0, and E u_i^2 = 1/N0 by exchangeability and
    sum_i u_i^2 = 1.

    Returns ``eu2`` (E u_i^2), ``V`` and ``limit`` (V as N0 -> oo) in the symbols N0, beta0,
    alpha.  Exact SymPy; cost well under a second.
    """
    n = sp.Symbol("N0", positive=True, integer=True)
    u2 = sp.Symbol("E[u_i^2]", positive=True)
    # symmetry: E u_i^2 is the same for every i and sum_i u_i^2 = 1
    eu2 = sp.solve(sp.Eq(n * u2, 1), u2)[0]
    beta0, alpha = sp.symbols("beta0 alpha", positive=True)
    V = beta0**2 / alpha * eu2
    return {"eu2": eu2, "V": V, "limit": sp.limit(V, n, sp.oo)}


def layer_one_moments(act: Any, q: Any, dps: int) -> tuple[Estimate, Estimate, Estimate]:
    """The Gaussian moments behind C^(0,1) at input variance ``q`` = s0^2 (seed 000, Eq. (30)):
    E[u psi(u)] (= s0 beta0), E psi(u) and E psi(u)^2 with u = sqrt(q) z, by tanh-sinh at
    ``dps`` digits with the activation's kinks as breakpoints (:func:`expect_mp`)."""
    p = act.mpmath(0)
    kinks = [float(k) for k in act.kinks]

    def u_psi(u: mp.mpf) -> mp.mpf:
        return u * p(u)

    def psi_sq(u: mp.mpf) -> mp.mpf:
        return p(u) ** 2

    b0 = expect_mp(u_psi, q, dps=dps, breakpoints=kinks)
    m1 = expect_mp(p, q, dps=dps, breakpoints=kinks)
    m2 = expect_mp(psi_sq, q, dps=dps, breakpoints=kinks)
    return b0, m1, m2


def layer_one_variances(b0: Estimate, m1: Estimate, m2: Estimate, q: Any, sw2: Any
                        ) -> dict[str, Any]:
    """From the moments of :func:`layer_one_moments`: beta0 = E[u psi(u)]/s0, alpha as printed
    (E psi^2) and as it is (Var psi = E psi^2 - (E psi)^2), the bound |C^(0,1)| <= |beta0|/
    sqrt(Var psi), and per N0 in 1, 2, 3, 8, 64 V(C^(0,1)) = beta0^2/(Var psi N0) against the
    printed (32)'s beta0^2/(E psi^2)^2 / (sw2 (N0 - 2)) (None: infinite, N0 <= 2) (seed 000,
    Eqs. (30)-(32)).

    Returns ``estimates`` ({name: (value, error)}: ``beta0``, ``alpha_printed_E_psi2``,
    ``alpha_Var_psi``, ``max_abs_C01_bound``), ``bound`` and ``V`` ({N0: (true, printed)}); at
    the caller's mpmath precision, first-order error propagation.
    """
    beta0 = b0.value / mp.sqrt(q)
    var = m2.value - m1.value**2
    bound = abs(beta0) / mp.sqrt(var)
    estimates = {"beta0": (beta0, b0.error), "alpha_printed_E_psi2": (m2.value, m2.error),
                 "alpha_Var_psi": (var, m2.error + 2 * abs(m1.value) * m1.error),
                 "max_abs_C01_bound": (bound, b0.error / mp.sqrt(var))}
    V = {n0: (beta0**2 / (var * n0),
              None if n0 <= 2 else beta0**2 / m2.value**2 / (sw2 * (n0 - 2)))
         for n0 in (1, 2, 3, 8, 64)}
    return {"estimates": estimates, "bound": bound, "V": V}


def beta0_bracket(act: Any, kinks: Sequence[float]) -> tuple[float, float] | None:
    """A sign change of beta0(s) = E[psi(s z) z] for s in (0.05, 5] (float64, both values
    resolved beyond their error bounds), or None.  Used by the search; the root is refined with
    mpmath only for the reported counterexample."""
    p = act.numpy(0)
    s = np.linspace(0.05, 5.0, 100)
    eng = GridEngine(act, kinks=kinks, n_nodes=16)
    (v,), (e,) = eng.expect_xz([lambda x, z: p(x) * z], s * s)
    sign = np.sign(np.where(np.abs(v) > e, v, 0.0))
    idx = np.flatnonzero(sign[:-1] * sign[1:] < 0)
    return None if idx.size == 0 else (float(s[idx[0]]), float(s[idx[0] + 1]))


def beta0_root(act: Any, kinks: Sequence[float], bracket: tuple[float, float], dps: int
               ) -> tuple[mp.mpf, mp.mpf]:
    """The zero s0 of beta0(s) in ``bracket`` and beta0 there (the step 'two odd functions =>
    non-zero integral' of Sec. III B), by mpmath at ``dps`` + 10 digits (Anderson steps on
    tanh-sinh integrals)."""
    pm = act.mpmath(0)
    kinks = list(kinks)
    with mp.workdps(dps + 10):
        def f(sv: mp.mpf) -> mp.mpf:
            return expect_mp(lambda u: u * pm(u), sv * sv, dps=dps, breakpoints=kinks).value

        root = mp.findroot(f, (mp.mpf(bracket[0]), mp.mpf(bracket[1])), solver="anderson")
        return root, f(root)


def truncated_ratio_moment(n0: int, eps: mp.mpf, sw2: mp.mpf) -> mp.mpf:
    """E[W_i^2/R^4 ; R^2 > eps] = (1/N0) E[1/R^2 ; R^2 > eps], R^2 = (sw2/N0) chi^2(N0).

    The printed (32)'s moment with the radii below sqrt(eps) cut off: it grows without bound as
    eps -> 0 for N0 = 1, 2 (the moment is infinite) and converges for N0 >= 3.  tanh-sinh on
    panels of the chi^2 density at the caller's precision.
    """
    s2 = sw2 / n0
    k = mp.mpf(n0) / 2
    pdf = lambda x: x ** (k - 1) * mp.exp(-x / 2) / (2**k * mp.gamma(k))  # noqa: E731
    lo = eps / s2
    return integrate_mp(lambda x: pdf(x) / x, [lo, lo * 10, 1, 10, mp.inf]) / (n0 * s2)


def truncated_ratio_table(sw2: mp.mpf, dps: int) -> tuple[dict[str, Any], list[str]]:
    """:func:`truncated_ratio_moment` for N0 = 1..4 at the cut-offs eps = 1e-2, 1e-4, 1e-6, 1e-8
    (10 digits each) with its growth from 1e-2 to 1e-8, and the N0 where it grows by more than
    1.5 (the printed (32) diverges: seed 000, Eq. (32)); mpmath at ``dps`` + 10 digits.
    """
    with mp.workdps(dps + 10):
        trunc: dict[str, Any] = {}
        for n0 in (1, 2, 3, 4):
            vals = [truncated_ratio_moment(n0, mp.mpf(10) ** -k, sw2) for k in (2, 4, 6, 8)]
            trunc[str(n0)] = {f"eps=1e-{k}": to_decimal(v, 10) for k, v in zip((2, 4, 6, 8), vals,
                                                                                 strict=True)}
            trunc[str(n0)]["growth_1e-8_over_1e-2"] = to_decimal(vals[-1] / vals[0], 8)
        diverging = [n for n in ("1", "2", "3", "4")
                     if mp.mpf(trunc[n]["growth_1e-8_over_1e-2"]) > 1.5]
    return trunc, diverging


def ratio_moment_finite(n0: int) -> bool:
    """Whether the printed (32)'s moment is finite at ``n0`` (seed 000, Eq. (32)): the truncated
    moment (sw2 = 1) changes by less than 1e-3 relative from eps = 1e-6 to 1e-12; 25 digits."""
    with mp.workdps(25):
        a = truncated_ratio_moment(n0, mp.mpf(10) ** -6, mp.mpf(1))
        b = truncated_ratio_moment(n0, mp.mpf(10) ** -12, mp.mpf(1))
        return bool(b / a < 1 + mp.mpf(10) ** -3)


def ratio_moment_growth(n0: int) -> dict[str, str]:
    """The truncated moment (sw2 = 1) at eps = 1e-3, 1e-6, 1e-9, 1e-12 (8 digits), showing how
    it grows where the printed (32) diverges (seed 000, Eq. (32)); 25 digits."""
    with mp.workdps(25):
        return {f"eps=1e-{k}": to_decimal(truncated_ratio_moment(n0, mp.mpf(10) ** -k,
                                                                  mp.mpf(1)), 8)
                for k in (3, 6, 9, 12)}


def ratio_moment_monte_carlo(seed: int, sw2: float, max_log10_samples: int) -> dict[str, Any]:
    """Plain Monte Carlo of W_1^2/(sum W^2)^2 at growing sample sizes (the running mean and the
    sample variance grow for N0 <= 2), and an importance-sampled estimate for N0 >= 3: radius^2
    from a Gamma((N0-2)/2, 2 s2) proposal (heavier near 0), direction uniform, weighted by the
    density ratio -- finite variance whenever the target is finite.

    ``seed``: the generator's seed; ``sw2``: the weight variance (s2 = sw2/N0 per entry);
    sample sizes 10^3 .. 10^max_log10_samples.  Returns, per N0 = 1..6 (as a string), the plain
    means and variances, and for N0 >= 3 the importance-sampled mean, its standard error, the
    exact 1/(sw2 (N0 - 2)), the z-score and whether it is within 5 standard errors.
    """
    rng = np.random.default_rng(seed)
    sizes = [10**k for k in range(3, max_log10_samples + 1)]
    out: dict[str, Any] = {}
    for n0 in N0_RANGE:
        s2 = sw2 / n0
        w = rng.normal(0.0, np.sqrt(s2), size=(sizes[-1], n0))
        f = w[:, 0] ** 2 / np.sum(w * w, axis=1) ** 2
        row: dict[str, Any] = {}
        for m in sizes:
            row[f"plain_mean_n{m:.0e}"] = f"{f[:m].mean():.6g}"
            row[f"plain_var_n{m:.0e}"] = f"{f[:m].var(ddof=1):.6g}"
        if n0 >= 3:
            m = sizes[-1]
            shape = (n0 - 2) / 2
            r2 = rng.gamma(shape, 2 * s2, size=m)
            g = rng.normal(size=(m, n0))
            u1 = g[:, 0] ** 2 / np.sum(g * g, axis=1)
            target = stats.gamma(n0 / 2, scale=2 * s2)
            proposal = stats.gamma(shape, scale=2 * s2)
            vals = u1 / r2 * np.exp(target.logpdf(r2) - proposal.logpdf(r2))
            mean, se = vals.mean(), vals.std(ddof=1) / np.sqrt(m)
            exact = 1 / (sw2 * (n0 - 2))
            row.update({"importance_mean": f"{mean:.8g}", "importance_se": f"{se:.3g}",
                        "exact": f"{exact:.8g}", "z_score": f"{(mean - exact) / se:.3g}",
                        "within_5_se": bool(abs(mean - exact) <= 5 * se)})
        else:
            means = [float(f[:m].mean()) for m in sizes]
            row["plain_mean_grows_with_n"] = bool(means[-1] > means[0])
        out[str(n0)] = row
    return out


__all__ = ["N0_RANGE", "beta0_bracket", "beta0_root", "layer_one_correlation_symbolic",
           "layer_one_moments",
           "ratio_moment_monte_carlo", "ratio_moment_symbolic", "same_value",
           "truncated_ratio_moment"]
