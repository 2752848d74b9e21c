r"""schur-determinant: seed 000, Eqs. (35), (39)-(44).

The block-determinant factorisation (40) of the joint covariance of Z and Z^(l), and the
reductions (41)-(43) of the Gaussian mutual information to correlation matrices; then (44) from
(39). As extracted, (42) and (43) print the same expression above and below the fraction bar, so
they evaluate to ``1/2 log 1 = 0``: a printed step that does not follow from (41).

Source:
    seed 000, Eqs. (35), (39)-(44)
Statement:
    det Sigma^(0,l) = det Sigma^(l) det(Sigma^(0) - D0 C^(0,l) Dl (Sigma^(l))^-1 Dl
    C^(0,l)T D0) (Eq. 40), and the reductions (41)-(43) of I_N to correlation matrices;
    with (39) they give (44)
Hypotheses:
    - Z and Z^(l) jointly Gaussian with invertible Sigma^(0), Sigma^(l)
    - D^(0), D^(l) = diag(Sigma)^(1/2), so Sigma = D C D
Printed:
    - \det\Sigma^{(0,l)} = \det\Sigma^{(l)}\,\det\big(\Sigma^{(0)} - D^{(0)}C^{(0,l)}D^{(l
      )}(\Sigma^{(l)})^{-1}D^{(l)}(C^{(0,l)})^{T}D^{(0)}\big) \quad (40)
    - \mathcal I_{\mathcal N} = \tfrac12\log\frac{\det\Sigma^{(0)}\det\Sigma^{(l)}}{\det\S
      igma^{(0,l)}} \quad (41)
    - = \tfrac12\log\frac{\det(\Sigma^{(0)} - D^{(0)}C^{(0,l)}(C^{(l,l)})^{-1}(C^{(0,l)})^
      {T}D^{(0)})}{\det(\Sigma^{(0)} - D^{(0)}C^{(0,l)}(C^{(l,l)})^{-1}(C^{(0,l)})^{T}D^{(
      0)})} \quad (42)
    - = \tfrac12\log\frac{\det(C^{(0,0)} - C^{(0,l)}(C^{(l,l)})^{-1}(C^{(0,l)})^{T})}{\det
      (C^{(0,0)} - C^{(0,l)}(C^{(l,l)})^{-1}(C^{(0,l)})^{T})} \quad (43)
    - \mathcal I_{\mathcal N}(X;X^{(l)}) = \tfrac12\log\frac{1}{\det(I - \beta^{2l}\prod_{
      i=1}^{l}\frac{(W^{(i)}/\sigma_w)^T}{\sqrt{N_{i-1}}}(C^{(l,l)})^{-1}\prod_{i=l}^{1}\f
      rac{W^{(i)}/\sigma_w}{\sqrt{N_{i-1}}}\,C^{(0,0)})} \quad (44)
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.claims import CheckResult, ClaimRun, Finding, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import misprint, note, passed_if
from theorycheck.claims.model import DerivationStep
from theorycheck.information import (
    gaussian_mi,
    gaussian_mi_correlation,
    gaussian_mi_correlation_mp,
    gaussian_mi_mp,
    gaussian_mi_schur,
    schur_factorisation,
)
from theorycheck.information.randmat import random_correlation, weight_product
from theorycheck.numbers import to_decimal

CORRECT_42 = (r"\tfrac12\log\frac{\det\Sigma^{(0)}}{\det(\Sigma^{(0)} - D^{(0)}C^{(0,l)}"
              r"(C^{(l,l)})^{-1}(C^{(0,l)})^{T}D^{(0)})}")
CORRECT_43 = (r"\tfrac12\log\frac{\det C^{(0,0)}}{\det(C^{(0,0)} - C^{(0,l)}(C^{(l,l)})^{-1}"
              r"(C^{(0,l)})^{T})}")


SCHUR_DETERMINANT = claim("schur-determinant", __doc__)


@SCHUR_DETERMINANT.check("symbolic", "Eq. (40)")
def _symbolic_factorisation(run: ClaimRun) -> CheckResult:
    """(40): general block sizes via the block LDU factorisation (SymPy MatrixSymbols), then the
    explicit determinant identity for 1x1 and 2x2 blocks with D0, Dl, C symbolic."""
    steps: list[DerivationStep] = []
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, B, D = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, m), sp.MatrixSymbol("D", m, m)
    eye_n, eye_m, zero = sp.Identity(n), sp.Identity(m), sp.ZeroMatrix
    upper = sp.BlockMatrix([[eye_n, B * D.I], [zero(m, n), eye_m]])
    middle = sp.BlockMatrix([[A - B * D.I * B.T, zero(n, m)], [zero(m, n), D]])
    lower = sp.BlockMatrix([[eye_n, zero(n, m)], [D.I * B.T, eye_m]])
    product = sp.block_collapse(upper * middle * lower)
    blocks_ok = all(sp.simplify(product.blocks[i, j]) == want for (i, j), want in
                    {(0, 0): A, (0, 1): B, (1, 0): B.T, (1, 1): D}.items())
    steps.append(DerivationStep(
        r"\begin{pmatrix}A&B\\B^T&D\end{pmatrix} = \begin{pmatrix}I&BD^{-1}\\0&I\end{pmatrix}"
        r"\begin{pmatrix}A-BD^{-1}B^T&0\\0&D\end{pmatrix}\begin{pmatrix}I&0\\D^{-1}B^T&I"
        r"\end{pmatrix}",
        "block LDU factorisation, verified by SymPy block_collapse for symbolic sizes n, m "
        "(D invertible)", blocks_ok))
    steps.append(DerivationStep(
        r"\det\begin{pmatrix}A&B\\B^T&D\end{pmatrix} = \det D\,\det(A - BD^{-1}B^T)",
        "the outer factors are block-triangular with identity diagonal blocks (determinant 1)",
        blocks_ok))
    steps.append(DerivationStep(
        r"A = \Sigma^{(0)},\ B = D^{(0)}C^{(0,l)}D^{(l)},\ D = \Sigma^{(l)} \Rightarrow (40)",
        "substitution; Eq. (40) holds as printed", blocks_ok))
    explicit = {}
    for k in (1, 2):
        d0 = sp.diag(*sp.symbols(f"d0_1:{k + 1}", positive=True))
        dl = sp.diag(*sp.symbols(f"dl_1:{k + 1}", positive=True))
        c = sp.Matrix(k, k, lambda i, j: sp.Symbol(f"c_{i + 1}{j + 1}"))
        a = sp.Matrix(k, k, lambda i, j: 1 if i == j else sp.Symbol("a"))
        b = sp.Matrix(k, k, lambda i, j: 1 if i == j else sp.Symbol("b"))
        s0, sl, s0l = d0 * a * d0, dl * b * dl, d0 * c * dl
        full = sp.BlockMatrix([[s0, s0l], [s0l.T, sl]]).as_explicit()
        rhs = sl.det() * (s0 - s0l * sl.inv() * s0l.T).det()
        diff = sp.cancel(sp.together(full.det() - rhs))
        explicit[f"{k}x{k}"] = str(diff)
        steps.append(DerivationStep(
            rf"\det\Sigma^{{(0,l)}} - \mathrm{{rhs}}(40) = {sp.latex(diff)}\quad ({k}\times{k}"
            r"\text{ blocks, } D, C \text{ symbolic})", "explicit SymPy determinant", diff == 0))
    ok = blocks_ok and all(v == "0" for v in explicit.values())
    return passed_if(ok, "symbolic",
                     "Eq. (40) proved for all block sizes (block LDU) and checked "
                     "explicitly for 1x1 and 2x2 blocks" if ok else
                     "Eq. (40) does not reduce to an identity",
                     {"ldu_blocks_match": blocks_ok, "explicit_difference": explicit},
                     name="Eq. (40) block-determinant factorisation",
                     steps=steps,
                     counterexample=None if ok else {"explicit_difference": explicit})


@SCHUR_DETERMINANT.check("symbolic", "Eqs. (41)-(44)")
def _symbolic_reductions(run: ClaimRun) -> CheckResult:
    """(41) -> corrected (42) -> corrected (43), and the printed (42)/(43) as printed; (44)."""
    steps: list[DerivationStep] = []
    d1, d2, e1, e2, a, b = sp.symbols("d1 d2 e1 e2 a b", positive=True)
    c = sp.Matrix(2, 2, sp.symbols("c11 c12 c21 c22", real=True))
    d0, dl = sp.diag(d1, d2), sp.diag(e1, e2)
    c00, cll = sp.Matrix([[1, a], [a, 1]]), sp.Matrix([[1, b], [b, 1]])
    s0, sl, s0l = d0 * c00 * d0, dl * cll * dl, d0 * c * dl
    full = sp.BlockMatrix([[s0, s0l], [s0l.T, sl]]).as_explicit()
    ratio41 = s0.det() * sl.det() / full.det()
    schur_sigma = s0 - d0 * c * cll.inv() * c.T * d0
    replaced = sp.simplify(dl * sl.inv() * dl - cll.inv()) == sp.zeros(2, 2)
    steps.append(DerivationStep(r"D^{(l)}(\Sigma^{(l)})^{-1}D^{(l)} = (C^{(l,l)})^{-1}",
                                "Sigma^(l) = D^(l) C^(l,l) D^(l); the replacement made in (42)",
                                replaced))
    corr42 = s0.det() / schur_sigma.det()
    ok42 = sp.cancel(sp.together(ratio41 - corr42)) == 0
    steps.append(DerivationStep(rf"(41) = {CORRECT_42}",
                                "Eq. (40) in (41): det Sigma^(l) cancels (corrected (42))", ok42))
    schur_c = c00 - c * cll.inv() * c.T
    corr43 = c00.det() / schur_c.det()
    ok43 = sp.cancel(sp.together(corr42 - corr43)) == 0
    steps.append(DerivationStep(rf"{CORRECT_42} = {CORRECT_43}",
                                "numerator and denominator both carry det(D^(0))^2 "
                                "(corrected (43))",
                                ok43))
    printed42 = schur_sigma.det() / schur_sigma.det()
    printed43 = schur_c.det() / schur_c.det()
    steps.append(DerivationStep(
        rf"\text{{printed (42)}} = \tfrac12\log {sp.latex(sp.simplify(printed42))} = 0,\quad "
        rf"\text{{printed (43)}} = \tfrac12\log {sp.latex(sp.simplify(printed43))} = 0",
        "as printed, numerator and denominator are identical: I_N would vanish identically",
        False))
    # (44) from (39) with scalar blocks: C0l = beta^l c00 p
    beta, lyr = sp.symbols("beta l", positive=True)
    c00s, clls, p = sp.symbols("c00 c_ll p", positive=True)
    c0l = beta ** lyr * c00s * p
    i43 = sp.log(c00s / (c00s - c0l ** 2 / clls)) / 2
    i44 = sp.log(1 / (1 - beta ** (2 * lyr) * p * (1 / clls) * p * c00s)) / 2
    ok44 = sp.simplify(sp.expand_log(i43 - i44, force=True)) == 0
    steps.append(DerivationStep(
        r"C^{(0,l)} = \beta^l C^{(0,0)}P \Rightarrow " + CORRECT_43 +
        r" = -\tfrac12\log\det(I - \beta^{2l}P(C^{(l,l)})^{-1}P^TC^{(0,0)})",
        "(39) into corrected (43): det(C00 - b C00 M C00) / det C00 = det(I - b M C00); "
        "checked symbolically for 1x1 blocks (matrix sizes: numeric property check)", ok44))
    ok = replaced and ok42 and ok43 and ok44
    printed_zero = sp.simplify(printed42) == 1 and sp.simplify(printed43) == 1
    run.record["reductions"] = evidence = {
        "replacement_D_Sigma_inv_D": replaced, "corrected_42_equals_41": ok42,
        "corrected_43_equals_42": ok43, "eq44_from_39_scalar": ok44,
        "printed_42_ratio": str(sp.simplify(printed42)),
        "printed_43_ratio": str(sp.simplify(printed43)),
        "printed_ratio_is_identically_one": printed_zero}
    return passed_if(
        ok, "symbolic",
        "(41) reduces to the corrected (42), (43) and, with (39), to (44); the printed "
        "(42)-(43) have identical numerator and denominator (ratio 1, I_N = 0)",
        evidence,
        name="Eqs. (41)-(44) reductions (corrected) and (42)-(43) as printed",
        steps=steps)


@SCHUR_DETERMINANT.check("numeric", "Eqs. (35), (43)")
def _numeric(run: ClaimRun) -> CheckResult:
    """One example at ``run.dps``: I_N of seed 000, Eq. (35) (= (41)) against the corrected (43),
    both in mpmath at two precisions, and the printed (42)-(43) (= 0)."""
    rng = np.random.default_rng(run.seed + 40)
    n0, nl = 2, 3
    joint_c = random_correlation(rng, n0 + nl, ridge=0.3)
    c00, cll, c0l = joint_c[:n0, :n0], joint_c[n0:, n0:], joint_c[:n0, n0:]
    d = np.exp(rng.uniform(-1.0, 1.0, n0 + nl))
    with mp.workdps(run.dps + 40):   # Sigma = D C D formed exactly enough from the float64 C, D
        sigma = [[mp.mpf(joint_c[i, j]) * mp.mpf(d[i]) * mp.mpf(d[j]) for j in range(n0 + nl)]
                 for i in range(n0 + nl)]
    i35 = gaussian_mi_mp(sigma, n0, dps=run.dps)
    i43 = gaussian_mi_correlation_mp(c00, c0l, cll, dps=run.dps)
    with mp.workdps(run.dps + 20):
        diff = abs(i35.value - i43.value)
        tol = 10 * (i35.error + i43.error)
    printed = mp.mpf(0)  # (1/2) log(x / x) for the printed (42), (43)
    ok = diff <= tol
    run.record["numeric"] = evidence = {
        "n0": n0, "nl": nl, "sd": [float(v) for v in d],
        "I_35": to_decimal(i35.value, run.dps), "I_35_err": to_decimal(i35.error, 3),
        "I_43_corrected": to_decimal(i43.value, run.dps),
        "I_43_corrected_err": to_decimal(i43.error, 3),
        "difference": to_decimal(diff, 3), "I_42_43_printed": to_decimal(printed, 3)}
    return passed_if(
        ok, "numeric",
        f"I_N by (35) = {mp.nstr(i35.value, 12)} equals corrected (43) within "
        f"{mp.nstr(diff, 3)}; printed (42)-(43) give 0",
        evidence,
        name="Eqs. (35), (43) at the run's precision",
        counterexample=None if ok else {"difference": to_decimal(diff, 3)})


@SCHUR_DETERMINANT.check("property", "Eq. (40) random SPD")
def _property_factorisation(run: ClaimRun) -> CheckResult:
    """seed 000, Eq. (40) and (41) = corrected (42) = corrected (43) in float64 on random SPD
    correlation matrices and scalings (tolerance 1e-11 cond(C) n)."""
    def holds(ex: tuple[int, int, int]) -> bool:
        n0, nl, seed = ex
        rng = np.random.default_rng(seed)
        c = random_correlation(rng, n0 + nl)
        d = np.exp(rng.uniform(-2.0, 2.0, n0 + nl))
        f = schur_factorisation(c[:n0, :n0], c[:n0, n0:], c[n0:, n0:], d[:n0], d[n0:])
        sigma = c * d[:, None] * d[None, :]
        i35 = gaussian_mi(sigma, n0)
        forms = (gaussian_mi_schur(sigma, n0),
                 gaussian_mi_correlation(c[:n0, :n0], c[:n0, n0:], c[n0:, n0:]))
        cond = float(np.linalg.cond(c))
        tol = 1e-12 * cond * (n0 + nl) * 10
        return (f.lhs_sign == f.rhs_sign == 1.0 and abs(f.log_ratio) <= tol
                and all(abs(v - i35) <= tol for v in forms))

    strategy = st.tuples(st.integers(1, 8), st.integers(1, 8), st.integers(0, 2 ** 32 - 1))
    return property_result(
        "Eq. (40) and (41) = corrected (42) = corrected (43) on random SPD matrices",
        "log det S = log det S_ll + log det(Schur) and the three I_N forms agree "
        "(tolerance 1e-10 cond(C) n)", strategy, holds,
        max_examples=run.pick(60, 500), seed=run.seed,
        describe=lambda ex: {"n0": ex[0], "nl": ex[1], "seed": ex[2]})


@SCHUR_DETERMINANT.check("property", "Eq. (44) from (39)")
def _property_eq44(run: ClaimRun) -> CheckResult:
    """(44) given (39): random widths, depth, C00, Cll, beta inside the domain."""

    def holds(ex: tuple[int, int, int, float, int]) -> bool:
        n0, nl, depth, frac, seed = ex
        rng = np.random.default_rng(seed)
        widths = [n0, *[int(v) for v in rng.integers(1, 7, depth - 1)], nl]
        p = weight_product(rng, widths)
        c00, cll = random_correlation(rng, n0), random_correlation(rng, nl)
        m = p @ np.linalg.solve(cll, p.T)
        lam = float(np.max(np.real(np.linalg.eigvals(m @ c00))))
        if lam <= 1e-12:
            return True
        b2l = frac / lam                       # beta^(2l) inside beta^(2l) * max w < 1
        beta = b2l ** (1.0 / (2 * depth))
        c0l = beta ** depth * c00 @ p
        i43 = gaussian_mi_correlation(c00, c0l, cll, max_cond=1e14)
        sign, logdet = np.linalg.slogdet(np.eye(n0) - b2l * m @ c00)
        i44 = -0.5 * logdet
        return sign > 0 and abs(i43 - i44) <= 1e-8 * max(1.0, abs(i44))

    strategy = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4),
                         st.floats(0.01, 0.95), st.integers(0, 2 ** 32 - 1))
    return property_result(
        "Eq. (44) from Eq. (39) and the corrected (43)",
        "-1/2 log det(I - beta^(2l) M C00) equals the corrected (43) with C0l from (39)",
        strategy, holds, max_examples=run.pick(40, 300), seed=run.seed + 1,
        describe=lambda ex: {"n0": ex[0], "nl": ex[1], "depth": ex[2],
                             "beta2l_times_max_w": ex[3], "seed": ex[4]})


NOTE_44 = note(
    "seed 000, Eq. (44)",
    r"\mathcal I_{\mathcal N}(\mathbf X;\mathbf X^{(l)})",
    r"\mathcal I_{\mathcal N}(\mathbf Z;\mathbf Z^{(l)})",
    "(41)-(43) are about the Gaussian Z; (44) switches to X without comment. (44) "
    "itself follows from (39) and the corrected (43); it needs beta^(2l) w_i < 1 "
    "for the joint covariance to be positive definite")


@SCHUR_DETERMINANT.derive
def schur_determinant(run: ClaimRun) -> list[Finding]:
    """The misprints of seed 000, Eqs. (42)-(43) (when the symbolic reductions find the printed
    ratios identically 1), with the symbolic and numeric evidence; then the note on Eq. (44)."""
    red, num = run.record.get("reductions"), run.record.get("numeric")
    shown = []
    if red is not None:
        shown.append(f"printed (42) ratio = {red.get('printed_42_ratio')}, "
                     f"printed (43) ratio = {red.get('printed_43_ratio')}")
    if num is not None:
        shown.append(f"(35) gives {num.get('I_35')}; printed (42)-(43) give "
                     f"{num.get('I_42_43_printed')}")
    findings: list[Finding] = []
    if red is not None and red.get("printed_ratio_is_identically_one"):
        findings += [
            misprint("seed 000, Eq. (42)", SCHUR_DETERMINANT.printed[2],
                     CORRECT_42 + r" \quad (42)",
                     "; ".join(shown) + "; corrected form equals (41) "
                     "(SymPy, 2x2 blocks; property check on random SPD)"),
            misprint("seed 000, Eq. (43)", SCHUR_DETERMINANT.printed[3],
                     CORRECT_43 + r" \quad (43)",
                     "as printed (43) is 1/2 log 1 = 0; the numerator must be "
                     "det C^(0,0) (dividing det Sigma^(0) by det(D^(0))^2)"),
        ]
    return [*findings, NOTE_44]
