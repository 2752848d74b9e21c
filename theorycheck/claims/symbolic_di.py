"""The symbolic checks of beta-max-at-di (seed 000, Eqs. (56)-(59), Appendix B), exact in SymPy.

* :func:`stein_limit` -- Eq. (57): lim_{s->0} E[psi(s z) z]/s = psi'(0) by Stein's lemma, the
  series in s of smooth activations, relu's exact ratio 1/2;
* :func:`convexity` -- the printed 'convex on [0, inf)' and App. B's 'convex => |psi'(0)| >
  |psi'(z)|' against x + x^3 and tanh (records the misprint finding);
* :func:`map_at_zero` -- the variance map near q = 0 (Eq. (56)): slope sw2 psi'(0)^2 and the
  q^2 coefficient at the DI point per smooth activation.

Each takes the claim's :class:`ClaimRun` and returns its :class:`CheckResult`; cost: seconds
(SymPy integrals and simplifications), per activation for the series.
"""

from __future__ import annotations

import sympy as sp

from theorycheck.claims.declare import ClaimRun
from theorycheck.claims.evidence import step
from theorycheck.claims.model import CheckResult, CheckStatus, Finding
from theorycheck.gaussian.symbolic import expect_standard, gauss_moment

#: SymPy heads of a non-smooth activation (no Taylor series at 0)
NONSMOOTH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.DiracDelta)


def stein_limit(run: ClaimRun) -> CheckResult:
    """Eq. (57) by Stein's lemma E[psi(s z) z] = s E psi'(s z), the series in s of smooth
    activations, and relu's exact ratio 1/2 (SymPy)."""
    acts = run.activations()
    x, s, z = sp.Symbol("x", real=True), sp.Symbol("s", positive=True), sp.Symbol("z", real=True)
    steps = []
    # Stein's lemma on a test polynomial: E[psi(s z) z] = s E[psi'(s z)]
    poly = x**3 - 2 * x**2 + x
    lhs = expect_standard(poly.subs(x, s * z) * z, z)
    rhs = s * expect_standard(sp.diff(poly, x).subs(x, s * z), z)
    stein_ok = sp.simplify(lhs - rhs) == 0
    steps.append(step(r"\mathbb{E}[\psi(sz)z] = s\,\mathbb{E}[\psi'(sz)]",
                      f"Stein's lemma (absolutely continuous psi of polynomial growth); SymPy on "
                      f"psi = {poly}: both sides {sp.simplify(lhs)}", stein_ok))
    steps.append(step(r"\lim_{s\to 0}\mathbb{E}[\psi'(sz)] = \tfrac12(\psi'(0^-)+\psi'(0^+))",
                      "dominated convergence (|psi'| of polynomial growth); = psi'(0) when psi' is"
                      " continuous at 0 -- the hypothesis App. B needs, not convexity", True))
    # series of E[psi(s z) z]/s for smooth activations: sum_{k odd} psi^(k)(0) s^(k-1) E z^(k+1)/k!
    series: dict[str, str] = {}
    ok = stein_ok
    for act in acts:
        expr = act.expr
        if expr.has(*NONSMOOTH):
            continue
        d = [sp.simplify(act.derivative(k).subs(act.x, 0)) for k in (1, 3, 5)]
        r = sum(d[i] * s ** (k - 1) * gauss_moment(k + 1) / sp.factorial(k)
                for i, k in enumerate((1, 3, 5)))
        series[act.name] = sp.sstr(r) + " + O(s^6)"
        ok &= sp.simplify(r.subs(s, 0) - d[0]) == 0
    # relu: the limit is 1/2, psi'(0) does not exist
    relu = expect_standard(sp.Max(s * z, 0) * z, z) / s
    relu = sp.simplify(relu)
    steps.append(step(sp.Eq(sp.Symbol("E[relu(s z) z]/s"), relu),
                      "SymPy, exact for every s > 0: the limit is 1/2 = (0 + 1)/2 while psi'(0) "
                      "is undefined (one-sided derivatives 0 and 1)", relu == sp.Rational(1, 2)))
    for name, ser in series.items():
        steps.append(step(f"{name}: " + ser, "Taylor series under the Gaussian (moments (k)!!); "
                          "the constant term is psi'(0)", True))
    return CheckResult(
        method="symbolic", status=CheckStatus.of(ok),
        summary="E[psi(s z) z]/s = E psi'(s z) (Stein) -> psi'(0) when psi' is continuous at 0; "
                "relu: exactly 1/2 for every s (mean of the one-sided derivatives); series for "
                f"{len(series)} smooth activation(s) start at psi'(0)",
        steps=steps, evidence={"stein_on_test_polynomial": str(stein_ok),
                               "relu_ratio_every_s": str(relu), "series": series})


def convexity(run: ClaimRun) -> CheckResult:
    """The printed 'convex on [0, inf)' hypothesis and App. B's 'convex => |psi'(0)| >
    |psi'(z)|' against x + x^3 and tanh; the bound Eq. (56) uses follows from concavity."""
    x = sp.Symbol("x", real=True)
    t = sp.Symbol("t", positive=True)
    cubic = x + x**3                      # odd, convex on [0, inf)
    cubic_convex = sp.simplify(sp.diff(cubic, x, 2).subs(x, t)).is_nonnegative
    d_at_1, d_at_0 = sp.diff(cubic, x).subs(x, 1), sp.diff(cubic, x).subs(x, 0)
    tanh2 = sp.simplify(sp.diff(sp.tanh(x), x, 2))
    tanh_concave = bool(sp.simplify(tanh2.subs(x, t)).is_nonpositive
                        or all(tanh2.subs(x, v).evalf() < 0 for v in (0.1, 1, 3, 10)))
    tanh_dec = sp.simplify(sp.diff(sp.tanh(x), x).subs(x, t) - 1).is_negative
    steps = [
        step(sp.Eq(sp.Symbol("psi''"), sp.diff(cubic, x, 2)),
             f"psi = x + x^3 is odd and convex on [0, inf) (psi'' = 6x >= 0: {cubic_convex}), "
             f"yet psi'(1) = {d_at_1} > psi'(0) = {d_at_0}: App. B's 'convex => |psi'(0)| > "
             "|psi'(z)|' is backwards (convex => psi' nondecreasing)", bool(d_at_1 <= d_at_0)),
        step(sp.Eq(sp.Symbol("tanh''"), tanh2),
             f"tanh'' < 0 on (0, inf): tanh is CONCAVE there ({tanh_concave}); "
             f"tanh'(t) < tanh'(0) for t > 0: {tanh_dec}", tanh_concave),
        step(r"\psi \text{ concave on } [0,\infty),\ \psi(0)=0,\ \text{bounded} \Rightarrow "
             r"0 \le \psi(x) \le \psi'(0)\,x",
             "concave below its tangent at 0; bounded and concave => nondecreasing => >= 0; "
             "this is the bound |psi(x)| <= psi'(0)|x| Eq. (56) uses", True),
    ]
    run.finding(Finding(
        kind="misprint", where="seed 000, Sec. IV C (before Eq. (56)) and Appendix B",
        printed=r"\psi \text{ odd, convex in } [0,\infty]; \text{ convex} \Rightarrow "
                r"|\psi'(0)| > |\psi'(z)|",
        corrected=r"\psi \text{ odd, concave in } [0,\infty) \text{ (and bounded)} "
                  r"\Rightarrow 0 \le \psi'(z) \le \psi'(0),\ |\psi(x)| \le \psi'(0)|x|",
        evidence=f"SymPy: psi = x + x^3 is convex on [0, inf) and psi'(1) = {d_at_1} > psi'(0) ="
                 f" {d_at_0}; tanh'' = {sp.sstr(tanh2)} < 0 on (0, inf), so tanh (the source's "
                 "example) is concave, not convex, there. A bounded odd function convex on "
                 "[0, inf) is non-increasing there (e.g. -tanh): the printed hypothesis excludes"
                 " every increasing activation",
        affects_conclusion=False))
    return CheckResult(
        method="symbolic", status=CheckStatus.of(tanh_concave and d_at_1 > d_at_0),
        summary="the proof's bound |psi(x)| <= psi'(0)|x| follows from concavity on [0, inf) "
                "(tanh is concave there); the printed 'convex' and App. B's 'convex => "
                "|psi'(0)| > |psi'(z)|' are reversed",
        steps=steps, evidence={"tanh_concave_on_positive": str(tanh_concave),
                               "cubic_psi_prime_at_1": str(d_at_1)})


def map_at_zero(run: ClaimRun) -> CheckResult:
    """The variance map V(q) = sw2 E psi(sqrt(q) z)^2 near q = 0 at sb2 = 0 (Eq. (56)): its
    slope sw2 psi'(0)^2 and, at the DI point, the q^2 coefficient per activation (SymPy)."""
    acts = run.activations()
    q = sp.Symbol("q", positive=True)
    z = sp.Symbol("z", real=True)
    d1, d2, d3 = sp.symbols("psi1 psi2 psi3", real=True)
    sw2 = sp.Symbol("sigma_w^2", positive=True)
    psi_s = d1 * sp.sqrt(q) * z + d2 * q * z**2 / 2 + d3 * q ** sp.Rational(3, 2) * z**3 / 6
    sq = sp.expand(psi_s**2)
    E = sum(sq.coeff(z, n) * gauss_moment(n) for n in range(0, 7))
    V = sp.expand(sw2 * E)                                  # sb2 = 0, psi(0) = 0
    slope0 = sp.simplify(sp.diff(V, q).subs(q, 0))
    c2 = sp.simplify(V.coeff(q, 2).subs(sw2, 1 / d1**2))
    steps = [
        step(sp.Eq(sp.Symbol("V(q)"), sp.collect(sp.series(V, q, 0, 3).removeO(), q)),
             "sw2 E psi(sqrt(q) z)^2 with psi = psi1 x + psi2 x^2/2 + psi3 x^3/6 + ..., sb2 = 0"),
        step(sp.Eq(sp.Symbol("V'(0)"), slope0),
             "slope at q = 0: q* = 0 is unstable when sw2 psi'(0)^2 > 1 -- the 'only if' of "
             "(56) holds for every psi with psi(0) = 0; sb2 > 0 removes the fixed point q = 0",
             slope0 == sw2 * d1**2),
        step(sp.Eq(sp.Symbol("[V(q) - q]_{q^2}"), c2),
             "at sw2 = 1/psi'(0)^2 the q^2 coefficient decides: < 0 attracting from above, > 0 "
             "repelling", None),
    ]
    table: dict[str, str] = {}
    for act in acts:
        if act.expr.has(*NONSMOOTH):
            continue
        vals = {d1: act.derivative(1).subs(act.x, 0), d2: act.derivative(2).subs(act.x, 0),
                d3: act.derivative(3).subs(act.x, 0)}
        if sp.simplify(act.expr.subs(act.x, 0)) != 0 or sp.simplify(vals[d1]) == 0:
            continue
        coeff = sp.nsimplify(sp.simplify(c2.subs(vals)))
        table[act.name] = sp.sstr(coeff)
        run.outcome.per_activation.setdefault(act.name, {})["q2_coefficient_at_DI"] = sp.sstr(coeff)
        steps.append(step(sp.Eq(sp.Symbol(f"c2[{act.name}]"), coeff),
                          "negative: q* = 0 attracts small q at the DI point" if coeff < 0 else
                          "positive: q* = 0 REPELS small q at the DI point", None))
    ok = slope0 == sw2 * d1**2
    return CheckResult(
        method="symbolic", status=CheckStatus.of(ok),
        summary=f"variance map near q = 0: V'(0) = sw2 psi'(0)^2 (necessity of sw2 <= "
                f"1/psi'(0)^2, sb2 = 0 holds for any psi with psi(0) = 0); at the DI point "
                f"V(q) - q = c2 q^2 + O(q^3), c2 = {sp.sstr(c2)}",
        steps=steps, evidence={"slope_at_0": sp.sstr(slope0), "c2": sp.sstr(c2),
                               "c2_per_activation": table})


__all__ = ["NONSMOOTH", "convexity", "map_at_zero", "stein_limit"]
