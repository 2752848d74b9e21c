"""The symbolic checks of jacobian-moments (seed 000, Eqs. (60)-(67)), exact in SymPy.

* :func:`s_transform` -- (64)-(65) from the S-transform product (60) by series reversion
  (:func:`s_transform_first_order`), the Marchenko-Pastur moments of a linear Gaussian layer,
  the reduction to m2 = 1 (orthogonal) and l + 1 (Gaussian) at m1 = 1, mu1^2 = mu2;
* :func:`equality_case` -- Cauchy-Schwarz (66) and the printed equality condition (67) against
  psi = x, |x| and relu (records the misprint finding).

Each takes the claim's :class:`ClaimRun` and returns its :class:`CheckResult`; cost: seconds.
"""

from __future__ import annotations

import sympy as sp

from theorycheck.claims.declare import ClaimRun
from theorycheck.claims.evidence import step
from theorycheck.claims.model import CheckResult, CheckStatus, Finding
from theorycheck.gaussian.symbolic import expect_standard


def s_transform_first_order(m1: sp.Expr, m2: sp.Expr, w: sp.Symbol) -> sp.Expr:
    """S(w) to first order in w for a spectral measure with moments m1, m2: series reversion of
    psi(z) = m1 z + m2 z^2 + ..., chi = psi^{-1}, S(w) = chi(w) (1 + w)/w."""
    c1, c2 = sp.symbols("c1 c2")
    chi = c1 * w + c2 * w**2
    psi_of_chi = sp.expand(m1 * chi + m2 * chi**2)
    sol = sp.solve([sp.Eq(psi_of_chi.coeff(w, 1), 1), sp.Eq(psi_of_chi.coeff(w, 2), 0)],
                   [c1, c2], dict=True)[0]
    chi = chi.subs(sol)
    return sp.series(chi * (1 + w) / w, w, 0, 2).removeO()


def s_transform(run: ClaimRun) -> CheckResult:
    """Eqs. (64)-(65) from the multiplicativity of the S-transform (60) to first order, the
    Marchenko-Pastur moments of a linear Gaussian layer, and the reduction to m2 = 1 and
    l + 1 at m1 = 1, mu1^2 = mu2 (SymPy, exact)."""
    w = sp.Symbol("w")
    l = sp.Symbol("l", positive=True, integer=True)
    mu1, mu2, sw2 = sp.symbols("mu1 mu2 sigma_w^2", positive=True)
    s1 = sp.Symbol("s1", real=True)
    a, b = sp.symbols("a b", positive=True)
    S = s_transform_first_order(a, b, w)
    # a measure is determined to this order by (1/m1)(1 + s w) with s = 1 - m2/m1^2
    s_of = sp.simplify(sp.expand(S * a).coeff(w, 1))
    steps = [step(sp.Eq(sp.Symbol("S(w)"), sp.simplify(S)),
                  "series reversion of psi(z) = m1 z + m2 z^2 + ..., S = chi(w)(1+w)/w", None),
             step(sp.Eq(sp.Symbol("s"), s_of), "so S(w) = (1/m1)(1 + s w + ...)",
                  sp.simplify(s_of - (1 - b / a**2)) == 0)]
    # the weights: S_{W^T W} = sw2^-1 (1 + s1 w); Marchenko-Pastur (Gaussian) has m1 = sw2,
    # m2 = 2 sw2^2 -> s1 = -1; Haar orthogonal m2 = m1^2 -> s1 = 0
    s_gauss = sp.simplify(s_of.subs({a: sw2, b: 2 * sw2**2}))
    s_orth = sp.simplify(s_of.subs({a: sw2, b: sw2**2}))
    # Marchenko-Pastur density sqrt(x(4-x))/(2 pi x) on [0, 4]; with x = 4 sin^2(th) the
    # measure becomes (4/pi) cos^2(th) d th on [0, pi/2]
    th = sp.Symbol("theta", real=True)
    mass, mp1, mp2 = (sp.integrate((4 * sp.sin(th) ** 2) ** k * 4 / sp.pi * sp.cos(th) ** 2,
                                   (th, 0, sp.pi / 2)) for k in (0, 1, 2))
    steps.append(step(sp.Eq(sp.Symbol("m_k(MP)"), sp.Tuple(mass, mp1, mp2)),
                      "Marchenko-Pastur at ratio 1 (W^T W, W Gaussian with variance 1/N): "
                      "mass 1, m1 = 1, m2 = 2", mass == 1 and mp1 == 1 and mp2 == 2))
    steps.append(step(sp.Eq(sp.Symbol("s1"), sp.Tuple(s_gauss, s_orth)),
                      "(Gaussian, orthogonal): s = 1 - m2/m1^2 of W^T W", s_gauss == -1
                      and s_orth == 0))
    # H = product over l layers of D^2 and W^T W (freely independent): S multiplies, so to
    # first order m1(H) = prod m1 and s(H) = sum s
    m1_H = (sw2 * mu1) ** l
    s_H = l * (1 - mu2 / mu1**2) + l * s1
    m2_H = sp.simplify(m1_H**2 * (1 - s_H))
    printed_m2 = (sw2 * mu1) ** (2 * l) * (mu2 / mu1**2 + 1 / l - 1 - s1) * l
    match = sp.simplify(m2_H - printed_m2) == 0
    steps.append(step(sp.Eq(sp.Symbol("m2(H)"), m2_H),
                      "S_H = S_{D^2}^l S_{W^T W}^l (Eq. (60)-(62)): m1 multiplies, s adds; "
                      "m2 = m1^2 (1 - s)", None))
    steps.append(step(sp.Eq(sp.Symbol("m2(printed, 65)") - sp.Symbol("m2(H)"),
                            sp.simplify(printed_m2 - m2_H)), "Eq. (65) agrees", match))
    # the reduction at m1 = 1, mu2 = mu1^2
    red = sp.simplify(printed_m2.subs(mu2, mu1**2).subs(sw2, 1 / mu1))
    red_orth, red_gauss = sp.simplify(red.subs(s1, 0)), sp.simplify(red.subs(s1, -1))
    steps.append(step(sp.Eq(sp.Symbol("m2|_{m1=1, mu2=mu1^2}"), red),
                      f"orthogonal (s1 = 0): {red_orth}; Gaussian (s1 = -1): {red_gauss}",
                      red_orth == 1 and sp.simplify(red_gauss - (l + 1)) == 0))
    mp_formula = sp.simplify(printed_m2.subs({l: 1, mu1: 1, mu2: 1, sw2: 1, s1: -1}))
    steps.append(step(sp.Eq(sp.Symbol("m2(l=1, linear, Gaussian)"), mp_formula),
                      "Eq. (65) for one linear Gaussian layer equals the Marchenko-Pastur m2 = 2",
                      mp_formula == mp2))
    ok = bool(match and red_orth == 1 and sp.simplify(red_gauss - (l + 1)) == 0
              and mp_formula == mp2 and s_gauss == -1 and s_orth == 0)
    return CheckResult(
        method="symbolic", status=CheckStatus.of(ok),
        summary="(64)-(65) follow from the S-transform product (60) to first order (SymPy series "
                f"reversion); at m1 = 1, mu2 = mu1^2: m2 = {red_orth} (orthogonal), {red_gauss} "
                f"(Gaussian); one linear Gaussian layer: m2 = {mp_formula} = Marchenko-Pastur",
        steps=steps, evidence={"m2_reduction_orthogonal": str(red_orth),
                               "m2_reduction_gaussian": str(red_gauss),
                               "marchenko_pastur_m1_m2": f"{mp1}, {mp2}",
                               "s1_gaussian": str(s_gauss), "s1_orthogonal": str(s_orth)})


def equality_case(run: ClaimRun) -> CheckResult:
    """Cauchy-Schwarz (66) and its equality case against the printed (67): psi = x and |x|
    give mu1^2 = mu2 at every s*, relu mu2 = 2 mu1^2 at every s* (SymPy; records the misprint)."""
    s = sp.Symbol("s", positive=True)
    z = sp.Symbol("z", real=True)

    def mus(dpsi: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        m1 = sp.simplify(expect_standard(dpsi**2, z))
        m2 = sp.simplify(expect_standard(dpsi**4, z))
        return m1, m2

    lin = mus(sp.Integer(1))                        # psi = x: psi' = 1 at every s
    absx = mus(sp.sign(s * z))                      # psi = |x|: psi'^2 = 1
    relu = mus(sp.Heaviside(s * z))                 # psi = relu: psi' in {0, 1}
    steps = [
        step(r"\mu_1^2 = (\mathbb{E}\psi'^2)^2 \le \mathbb{E}\psi'^4 = \mu_2",
             "Cauchy-Schwarz (66); equality iff psi'(s* z)^2 is a.s. constant", True),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[x]"), sp.Tuple(*lin)),
             "psi = x: mu1^2 = mu2 at EVERY s* > 0 -- '=> s* -> 0' fails", lin[0]**2 == lin[1]),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[|x|]"), sp.Tuple(*absx)),
             "psi = |x| (non-linear): mu1^2 = mu2 at every s* > 0 as well", absx[0]**2 == absx[1]),
        step(sp.Eq(sp.Symbol("(mu1, mu2)[relu]"), sp.Tuple(*relu)),
             f"relu: mu2/mu1^2 = {sp.simplify(relu[1] / relu[0]**2)} for every s*, also as s* -> "
             "0 -- '<= s* -> 0' fails when psi' jumps at 0", sp.simplify(relu[1] / relu[0]**2)
             == 1),
    ]
    run.finding(Finding(
        kind="misprint", where="seed 000, Eq. (67)",
        printed=r"\psi'(\sigma^* z)^2 \propto \psi'(\sigma^* z)^4 \Leftrightarrow \sigma^* \to 0",
        corrected=r"\tilde\mu_1^2 = \tilde\mu_2 \iff \psi'(\sigma^* z)^2 \text{ constant a.s.};\ "
                  r"\tilde\mu_2/\tilde\mu_1^2 \to 1 \text{ as } \sigma^* \to 0 \text{ when } "
                  r"\psi' \text{ is continuous at } 0",
        evidence=f"SymPy: psi = x gives (mu1, mu2) = {tuple(lin)} and psi = |x| gives "
                 f"{tuple(absx)} at every s* > 0 (equality without s* -> 0); relu gives "
                 f"{tuple(relu)} for every s* (s* -> 0 without equality)",
        affects_conclusion=False))
    return CheckResult(
        method="symbolic", status=CheckStatus.PASSED,
        summary="(66) is Cauchy-Schwarz; its equality case is 'psi'^2 constant a.s.', not "
                "'s* -> 0' as (67) prints (psi = x, |x|: equality at every s*; relu: "
                "mu2 = 2 mu1^2 at every s*)",
        steps=steps, evidence={"linear": str(lin), "abs": str(absx), "relu": str(relu)})


__all__ = ["equality_case", "s_transform", "s_transform_first_order"]
