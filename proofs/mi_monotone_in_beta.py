r"""mi-monotone-in-beta: seed 000, Sec. IV B, Eqs. (44)-(49).

``I_N = -1/2 sum_i log(1 - beta^(2l) w_i)`` at fixed ``w_i >= 0`` (the eigenvalues of
``L^T M L``) increases with ``beta^2`` on the domain ``beta^(2l) w_i < 1``. It is even in ``beta``,
so "increases monotonically with beta" holds for ``beta >= 0`` only; ``beta`` has the sign of
``sigma_w`` (Eq. (38); ``q*`` depends on ``sigma_w^2``) and the source's domain
``(sigma_w, sigma_b) in R x (0, inf)`` includes ``sigma_w < 0``.

Source:
    seed 000, Sec. IV B, Eqs. (44)-(49)
Statement:
    I_N(Z; Z^(l)) increases monotonically with beta = beta(sigma_w, sigma_b)
Hypotheses:
    - M (Eq. 45), C^(0,0), C^(l,l) fixed ('principally fixed' given the weight
      distribution and depth)
    - beta^(2l) w_i < 1 for every i (Eq. 49 domain)
Printed:
    - \mathcal I_{\mathcal N} = \tfrac12\log\frac{1}{\det(I - \beta^{2l}\widetilde M C^{(0
      ,0)})} \quad (44)
    - \det(I - \beta^{2l}\widetilde M C^{(0,0)}) = \prod_i (1 - \beta^{2l}\omega_i) \qua
      d (49)
    - \text{``} \mathcal I_{\mathcal N}(\mathbf Z;\mathbf Z^{(l)}) \text{ monotonically in
      creases with } \beta(\sigma_w,\sigma_b)\text{''}
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import Check, CheckResult, ClaimRun, Condition, Finding, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import note, passed_if, unstated_condition
from theorycheck.claims.model import DerivationStep
from theorycheck.errors import TheoryCheckError
from theorycheck.information import cholesky_omegas, mi_from_omegas
from theorycheck.information.randmat import random_psd, random_spd
from theorycheck.numbers import to_decimal

CONDITION = ("beta >= 0 (equivalently sigma_w >= 0 for an increasing activation), with M and "
             "C^(l,l) held fixed and beta^(2l) w_i < 1")


NOTE_FIXED_C = note(
    "seed 000, Sec. IV B, 'C^(0,0), prod W, C^(l,l) principally fixed'",
    r"\beta = \beta(\sigma_w,\sigma_b) \text{ is the only non-trivial variable}",
    (r"\partial\mathcal I_{\mathcal N}/\partial\beta \text{ at fixed } "
     r"\widetilde M, C^{(l,l)};\ C^{(l,l)} \text{ also depends on } "
     r"(\sigma_w,\sigma_b)"),
    ("the monotonicity proved (and checked here) is a partial derivative at fixed "
     "M = P C^(l,l)^-1 P^T; in a network C^(l,l) (correlations among the units of "
     "layer l) moves with (sigma_w, sigma_b) too, so I_N is not a function of beta "
     "alone. Not simulated in this claim (the finite-network comparison belongs to "
     "mi-max-at-di); recorded as an assumption the argument needs"))

MI_MONOTONE_IN_BETA = claim(
    "mi-monotone-in-beta", __doc__,
    condition=Condition(text=CONDITION, search="all beta",
                        inside=Check("property", "beta >= 0",
                                     lambda run: _property(run, nonneg=True)),
                        finding=lambda ce: _even_in_beta(ce)),
    findings=[NOTE_FIXED_C],
)


@MI_MONOTONE_IN_BETA.check("symbolic", "derivative")
def _symbolic(run: ClaimRun) -> CheckResult:
    """dI_N/d(beta^2) >= 0 on the domain of seed 000, Eq. (49), the chain rule to beta and the
    evenness of I_N in beta (SymPy, two eigenvalues; the sum is termwise), and beta odd in sigma_w
    by Eq. (38)."""
    t, beta = sp.symbols("t beta", real=True)
    lyr = sp.Symbol("l", positive=True, integer=True)
    w1, w2 = sp.symbols("omega_1 omega_2", nonnegative=True)
    i_t = -(sp.log(1 - t ** lyr * w1) + sp.log(1 - t ** lyr * w2)) / 2
    d_t = sp.simplify(sp.diff(i_t, t))
    expected = lyr * t ** (lyr - 1) / 2 * (w1 / (1 - t ** lyr * w1) + w2 / (1 - t ** lyr * w2))
    ok_dt = sp.simplify(d_t - expected) == 0
    i_b = i_t.subs(t, beta ** 2)
    d_b = sp.diff(i_b, beta)
    ok_chain = sp.simplify(d_b - 2 * beta * expected.subs(t, beta ** 2)) == 0
    ok_even = sp.simplify(i_b.subs(beta, -beta) - i_b) == 0
    steps = [
        DerivationStep(rf"\frac{{\partial\mathcal I_{{\mathcal N}}}}{{\partial(\beta^2)}} = "
                       rf"{sp.latex(expected)} \ge 0",
                       "each term w_i t^(l-1) / (1 - t^l w_i) >= 0 for t = beta^2 >= 0, w_i >= 0, "
                       "t^l w_i < 1 (two eigenvalues shown; the sum is termwise)", ok_dt),
        DerivationStep(r"\frac{\partial\mathcal I_{\mathcal N}}{\partial\beta} = 2\beta\,"
                       r"\frac{\partial\mathcal I_{\mathcal N}}{\partial(\beta^2)}",
                       "chain rule: the sign of the beta-derivative is the sign of beta", ok_chain),
        DerivationStep(r"\mathcal I_{\mathcal N}(-\beta) = \mathcal I_{\mathcal N}(\beta)",
                       "I_N depends on beta only through beta^(2l): decreasing for beta < 0",
                       ok_even),
    ]
    steps.append(DerivationStep(
        r"\beta = \sigma_w\int\frac{\psi(\sigma^*z)}{\sigma^*}z\,\mathcal Dz,\ "
        r"\sigma^* = \sigma^*(\sigma_w^2, \sigma_b) \Rightarrow "
        r"\beta(-\sigma_w) = -\beta(\sigma_w)",
        "Eq. (38): the integral J = E[z psi(s z)] = s E[psi'(s z)] > 0 for increasing psi does not "
        "depend on the sign of sigma_w", True))
    ok = ok_dt and ok_chain and ok_even
    return passed_if(ok, "symbolic",
                     "dI_N/d(beta^2) >= 0 on the domain (SymPy); dI_N/dbeta = 2 beta "
                     "dI_N/d(beta^2), so I_N decreases in beta for beta < 0; "
                     "I_N is even",
                     {"dI_dt": str(d_t), "dI_dt_matches": ok_dt,
                      "chain_rule": ok_chain, "even_in_beta": ok_even},
                     name="derivative of I_N in beta^2 and in beta",
                     steps=steps)


@MI_MONOTONE_IN_BETA.check("numeric", "grid")
def _numeric(run: ClaimRun) -> CheckResult:
    """I_N of seed 000, Eqs. (44), (49) on a beta grid over [-0.9, 0.9] beta_max for fixed w_i of
    a random PSD M and SPD C (mpmath at ``run.dps + 10``)."""
    rng = np.random.default_rng(run.seed + 44)
    m, c = random_psd(rng, 4, 3), random_spd(rng, 4)
    w = cholesky_omegas(m, c)
    depth = 2
    with mp.workdps(run.dps + 10):
        ws = [mp.mpf(v) if v > 1e-12 else mp.mpf(0) for v in w]
        bmax = (1 / max(ws)) ** (mp.mpf(1) / (2 * depth))
        betas = [bmax * mp.mpf(k) / 10 for k in (-9, -6, -3, 0, 3, 6, 9)]
        vals = [-mp.fsum(mp.log1p(-(b ** (2 * depth)) * wi) for wi in ws) / 2 for b in betas]
    rows = [{"beta": to_decimal(b, 12), "I_N": to_decimal(v, run.dps)}
            for b, v in zip(betas, vals, strict=True)]
    inc_pos = all(vals[i] < vals[i + 1] for i in range(3, 6))
    dec_neg = all(vals[i] > vals[i + 1] for i in range(0, 3))
    even = all(abs(vals[i] - vals[6 - i]) <= mp.mpf(10) ** (-run.dps) for i in range(3))
    ok = inc_pos and even
    return passed_if(
        ok, "numeric",
        f"I_N increases on [0, 0.9 beta_max] and is even; on [-0.9 beta_max, 0] it "
        f"decreases (decreasing there: {dec_neg})",
        {"omegas": [to_decimal(v, 12) for v in w], "depth": depth,
         "beta_max": to_decimal(bmax, 12), "rows": rows,
         "increasing_for_beta_ge_0": inc_pos, "decreasing_for_beta_le_0": dec_neg,
         "even": even},
        name="I_N(beta) on a grid, fixed w_i")


def _pair_holds(ex: tuple[int, int, int, float, float, int], nonneg: bool) -> bool:
    """One example ``(n, rank M, depth l, u1, u2, seed)``: ``I_N`` of seed 000, Eq. (49) at
    ``beta = u beta_max`` is no smaller at the larger beta (with |beta| when ``nonneg``)."""
    n, rank, depth, u1, u2, seed = ex
    rng = np.random.default_rng(seed)
    w = cholesky_omegas(random_psd(rng, n, min(rank, n)), random_spd(rng, n))
    w = np.where(w > 1e-12 * max(1.0, float(np.max(w))), w, 0.0)
    if float(np.max(w)) <= 0:
        return True
    bmax = (0.999 / float(np.max(w))) ** (1.0 / (2 * depth))
    b1, b2 = sorted((u1 * bmax, u2 * bmax))
    if nonneg:
        b1, b2 = abs(b1), abs(b2)
        b1, b2 = min(b1, b2), max(b1, b2)
    if b1 == b2:
        return True
    try:
        return mi_from_omegas(w, b1, depth) <= mi_from_omegas(w, b2, depth) + 1e-12
    except TheoryCheckError:
        return True


def _property(run: ClaimRun, nonneg: bool) -> CheckResult:
    """beta1 < beta2 => I_N(beta1) <= I_N(beta2) (seed 000, Eq. (49)) searched over random M, C,
    depth and beta pairs, for every beta in the domain or (``nonneg``) for beta >= 0 only."""
    strategy = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4),
                         st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.integers(0, 2 ** 32 - 1))
    where = "beta >= 0" if nonneg else "all beta in the domain"
    return property_result(
        f"I_N increasing in beta ({where})",
        f"beta1 < beta2 => I_N(beta1) <= I_N(beta2), {where}, random PSD M and SPD C",
        strategy, lambda ex: _pair_holds(ex, nonneg), max_examples=run.pick(80, 600),
        seed=run.seed + (7 if nonneg else 0),
        describe=lambda ex: {"n": ex[0], "rank_M": min(ex[1], ex[0]), "depth": ex[2],
                             "beta1_over_beta_max": ex[3], "beta2_over_beta_max": ex[4],
                             "seed": ex[5]})




@MI_MONOTONE_IN_BETA.check("property", "all beta")
def _all_beta(run: ClaimRun) -> CheckResult:
    """The search of :func:`_property` over every beta in the domain, negative ones included."""
    return _property(run, nonneg=False)
def _even_in_beta(ce: dict[str, Any]) -> Finding:
    """The unstated condition beta >= 0, with the shrunk counterexample of the all-beta search."""
    return unstated_condition(
        "seed 000, Sec. IV B (after Eq. (49))",
        MI_MONOTONE_IN_BETA.printed[2],
        (r"\mathcal I_{\mathcal N} \text{ increases with } \beta^2 \text{ (with } "
         r"|\beta|\text{); with } \beta \text{ only for } \beta \ge 0"),
        (f"I_N is even in beta (SymPy); shrunk counterexample with beta < 0: {ce}; "
         "beta < 0 whenever sigma_w < 0, which the source's domain "
         "(sigma_w, sigma_b) in R x (0, inf) allows"),
        affects_conclusion=True)
