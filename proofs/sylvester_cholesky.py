r"""sylvester-cholesky: seed 000, Eqs. (45)-(49).

``det(I - b M C) = det(I - b L^T M L) = prod_i (1 - b w_i)`` with ``C = L L^T`` (Cholesky) and
``w_i`` the eigenvalues of ``L^T M L`` (``b = beta^(2l)``, ``M`` the matrix of Eq. (45)). The
printed (49) indexes the product by ``i = 1..dim(M)`` but defines the eigenvalue set with
``w_i > 0``; for singular ``M`` (any layer narrower than the input) zero eigenvalues occur and
contribute factors of 1, so the two readings agree; checked here.

Source:
    seed 000, Eqs. (45)-(49)
Statement:
    det(I - b M C) = det(I - b L^T M L) = prod_i (1 - b w_i) with C = L L^T and w_i the
    eigenvalues of L^T M L (M positive semi-definite, C positive definite)
Hypotheses:
    - C^(0,0) symmetric positive definite (Cholesky factor L exists)
    - M (Eq. 45) symmetric positive semi-definite
Printed:
    - \det(I - \beta^{2l}\widetilde M C^{(0,0)}) = \det(I - \beta^{2l}\widetilde M LL^T) \
      quad (46)
    - = \det(L^T(L^T)^{-1} - \beta^{2l}L^T\widetilde M LL^T(L^T)^{-1}) \quad (47)
    - = \det(I - \beta^{2l}L^T\widetilde M L) \quad (48)
    - \{\omega_i \mid i = 1,\dots,\dim\widetilde M,\ \omega_i > 0\}:\ \det(I - \beta^{2l}\
      widetilde M C^{(0,0)}) = \prod_{i=1}^{\dim\widetilde M}(1 - \beta^{2l}\omega_i) \qua
      d (49)
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import CheckResult, ClaimRun, Finding, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import note, passed_if
from theorycheck.claims.model import DerivationStep
from theorycheck.information import cholesky_omegas, sylvester_forms
from theorycheck.information.randmat import random_psd, random_spd, weight_product
from theorycheck.numbers import to_decimal

SYLVESTER_CHOLESKY = claim("sylvester-cholesky", __doc__)


@SYLVESTER_CHOLESKY.check("symbolic", "Eqs. (46)-(49) symbolic")
def _symbolic(run: ClaimRun) -> CheckResult:
    """seed 000, Eqs. (46) = (47) = (48) with explicit symbolic n x n determinants (n = 1, 2, 3),
    (48) = (49) by the eigenvalues of a symmetric 2x2 matrix, and zero w_i giving factors 1."""
    steps: list[DerivationStep] = []
    b = sp.Symbol("b", real=True)
    results: dict[str, bool] = {}
    for n in (1, 2, 3):
        lo = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"l{i + 1}{j + 1}", positive=(i == j))
                       if i >= j else 0)
        m = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"m{min(i, j) + 1}{max(i, j) + 1}"))
        eye = sp.eye(n)
        d46 = (eye - b * m * lo * lo.T).det()
        lt_inv = lo.T.inv()
        d47 = (lo.T * lt_inv - b * lo.T * m * lo * lo.T * lt_inv).det()
        d48 = (eye - b * lo.T * m * lo).det()
        ok47 = sp.expand(sp.cancel(d46 - d47)) == 0
        ok48 = sp.expand(sp.cancel(d47 - d48)) == 0
        results[f"n={n}: (46)=(47)"] = ok47
        results[f"n={n}: (47)=(48)"] = ok48
        steps.append(DerivationStep(
            rf"n={n}:\ \det(I - bMLL^T) - \det(L^T(L^T)^{{-1}} - bL^TMLL^T(L^T)^{{-1}}) = 0,\ "
            rf"\ldots - \det(I - bL^TML) = 0",
            "explicit SymPy determinants, L lower-triangular and M symmetric symbolic",
            ok47 and ok48))
    # (49): det(I - b A) = prod (1 - b w_i) for symmetric A (2x2 with explicit eigenvalues)
    p, q, r = sp.symbols("p q r", real=True)
    a = sp.Matrix([[p, q], [q, r]])
    ev = list(a.eigenvals(multiple=True))
    prod = sp.expand(sp.Mul(*[(1 - b * w) for w in ev]))
    ok49 = sp.simplify(prod - sp.expand((sp.eye(2) - b * a).det())) == 0
    results["n=2: (48)=(49) (explicit eigenvalues)"] = ok49
    steps.append(DerivationStep(
        r"\prod_{i=1}^{2}(1 - b\omega_i) = 1 - b\,\mathrm{tr}A + b^2\det A = \det(I - bA)",
        "eigenvalues of a symbolic symmetric 2x2 matrix; in general det(I - bA) = "
        "b^n chi_A(1/b) = prod(1 - b w_i) (characteristic polynomial)", ok49))
    # zero eigenvalue: factor 1
    w = sp.Symbol("w", positive=True)
    ok_zero = sp.expand((1 - b * 0) * (1 - b * w)) == sp.expand(1 - b * w)
    steps.append(DerivationStep(r"\omega_i = 0 \Rightarrow 1 - b\,\omega_i = 1",
                                "restricting (49) to {w_i > 0} drops only factors equal to 1",
                                ok_zero))
    ok = all(results.values()) and ok_zero
    return passed_if(ok, "symbolic",
                     "(46) = (47) = (48) for symbolic n = 1, 2, 3 and (48) = (49) "
                     "(characteristic polynomial) hold" if ok else
                     "a printed step does not reduce to an identity",
                     {k: bool(v) for k, v in results.items()},
                     name="Eqs. (46)-(49) symbolic",
                     steps=steps,
                     counterexample=None if ok else {k: v for k, v in results.items() if not v})


CORRECTED_49 = (r"\det(I - \beta^{2l}\widetilde M C^{(0,0)}) = \prod_{i=1}^{\dim\widetilde M}"
                r"(1 - \beta^{2l}\omega_i),\ \omega_i \ge 0"
                r" \text{ (zero eigenvalues contribute 1)}")


def _zero_omegas(ev: dict[str, Any]) -> Finding:
    """The note on Eq. (49): its product over w_i > 0 equals the one over all i, with the singular
    example of :func:`_numeric` (evidence ``ev``)."""
    return note(
        "seed 000, Eq. (49) and the sentence before it", SYLVESTER_CHOLESKY.printed[3],
        CORRECTED_49,
        (f"M of Eq. (45) has rank <= min_i N_i, so it is singular whenever a layer is "
         f"narrower than N_0: widths {ev.get('widths')} give rank {ev.get('rank_M')} and "
         f"{ev.get('zero_omegas')} zero w_i; the product over all i equals that over "
         f"w_i > 0 (diff {ev.get('diff_49_pos_vs_46')}). The later requirement "
         "w_i in (0, beta^-2l) should read [0, beta^-2l)"))


@SYLVESTER_CHOLESKY.check("numeric", "Eqs. (46)-(49) numeric")
def _numeric(run: ClaimRun) -> CheckResult:
    """seed 000, Eqs. (46), (48), (49) and (49) over w_i > 0 for a singular M of the Eq. (45) form
    (a narrow hidden layer), in mpmath at ``run.dps + 10`` and ``+ 20`` (their difference the
    error); records the note on Eq. (49)."""
    rng = np.random.default_rng(run.seed + 45)
    widths = [4, 2, 4]
    p = weight_product(rng, widths)
    cll = random_spd(rng, widths[-1], ridge=0.5)
    m = p @ np.linalg.solve(cll, p.T)
    m = 0.5 * (m + m.T)
    c = random_spd(rng, widths[0], ridge=0.5)
    w_max = float(np.max(cholesky_omegas(m, c)))
    bval = 0.5 / w_max
    vals: dict[str, list[mp.mpf]] = {"46": [], "48": [], "49": [], "49_pos": []}
    omegas: list[mp.mpf] = []
    for extra in (10, 20):
        with mp.workdps(run.dps + extra):
            pp = mp.matrix(p.tolist())      # M of Eq. (45) formed in mpmath: exact rank 2
            mm = pp * mp.inverse(mp.matrix(cll.tolist())) * pp.T
            mm = (mm + mm.T) / 2
            cc, bb = mp.matrix(c.tolist()), mp.mpf(bval)
            n = mm.rows
            eye = mp.eye(n)
            lo = mp.cholesky(cc)
            inner = lo.T * mm * lo
            inner = (inner + inner.T) / 2
            ev, _ = mp.eigsy(inner)
            omegas = list(ev)
            vals["46"].append(mp.det(eye - bb * mm * cc))
            vals["48"].append(mp.det(eye - bb * inner))
            vals["49"].append(mp.fprod(1 - bb * w for w in ev))
            cut = mp.mpf(10) ** (-(run.dps + extra) // 2) * max(abs(w) for w in ev)
            vals["49_pos"].append(mp.fprod(1 - bb * w for w in ev if w > cut))
    with mp.workdps(run.dps + 20):
        errs = {k: abs(v[1] - v[0]) + mp.mpf(10) ** (-(run.dps + 5)) for k, v in vals.items()}
        ref = vals["46"][1]
        diffs = {k: abs(v[1] - ref) for k, v in vals.items() if k != "46"}
        tol = 10 * sum(errs.values()) + mp.mpf(10) ** (-(run.dps // 2))
        ok = all(d <= tol for d in diffs.values())
        n_zero = sum(1 for w in omegas if abs(w) <= mp.mpf(10) ** (-(run.dps // 2)))
    evidence = {"widths": widths, "rank_M": int(np.linalg.matrix_rank(m)), "b": repr(bval),
                "zero_omegas": n_zero,
                "omegas": [to_decimal(w, 12) if abs(w) > mp.mpf(10) ** -(run.dps // 2)
                           else "0" for w in omegas]}
    for k, v in vals.items():
        evidence[f"det_{k}"] = to_decimal(v[1], run.dps)
        evidence[f"det_{k}_err"] = to_decimal(errs[k], 3)
    for k, d in diffs.items():
        evidence[f"diff_{k}_vs_46"] = to_decimal(d, 3)
    run.finding(_zero_omegas(evidence))
    return passed_if(ok, "numeric",
                     f"rank-{evidence['rank_M']} M (4x4): the four forms agree to "
                     f"{mp.nstr(max(diffs.values()), 3)}; {n_zero} zero eigenvalue(s) "
                     "contribute factors 1",
                     evidence,
                     name="Eqs. (46)-(49) at the run's precision, singular M",
                     counterexample=None if ok else {k: evidence[f"diff_{k}_vs_46"]
                                                     for k in diffs})


@SYLVESTER_CHOLESKY.check("property", "Eqs. (46)-(49) property")
def _property(run: ClaimRun) -> CheckResult:
    """seed 000, Eqs. (46)-(49) in float64 on random PSD M (singular included) and SPD C, with a
    tolerance scaled by n cond(C) and the size of the product."""
    def holds(ex: tuple[int, int, float, int]) -> bool:
        n, rank, bval, seed = ex
        rng = np.random.default_rng(seed)
        m = random_psd(rng, n, min(rank, n))
        c = random_spd(rng, n)
        f = sylvester_forms(m, c, bval)
        scale = max(1.0, abs(f.direct), float(np.prod(1.0 + abs(bval) * np.abs(f.omegas))))
        tol = 1e-10 * scale * n * float(np.linalg.cond(c))
        psd = min(f.omegas) >= -1e-12 * max(1.0, max(abs(w) for w in f.omegas))
        return (psd and abs(f.direct - f.cholesky) <= tol and abs(f.direct - f.product) <= tol
                and abs(f.product - f.product_positive) <= tol)

    strategy = st.tuples(st.integers(1, 8), st.integers(0, 8), st.floats(-3.0, 3.0),
                         st.integers(0, 2 ** 32 - 1))
    return property_result(
        "Eqs. (46)-(49) on random PSD M (singular included) and SPD C",
        "det(I-bMC) = det(I-bL^TML) = prod(1-b w_i) = prod over {w_i>0}; L^TML is PSD",
        strategy, holds, max_examples=run.pick(80, 600), seed=run.seed,
        describe=lambda ex: {"n": ex[0], "rank_M": min(ex[1], ex[0]), "b": ex[2],
                             "seed": ex[3]})
