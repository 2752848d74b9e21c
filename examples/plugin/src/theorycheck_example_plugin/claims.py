"""relu-chi1-half: for ReLU, chi1 = sw2 E[H(u)^2] = sw2 / 2 whatever q* is.

chi1 = sw2 E[psi'(sqrt(q*) z)^2] (seed 000, Eq. (18); seed 002, Eq. (7)); for psi = max(0, x)
psi' is the Heaviside step, and E[H(sqrt(q) z)^2] = P(z > 0) = 1/2 for every q > 0. The edge of
chaos chi1 = 1 is therefore sw2 = 2 (He et al. 2015, Sec. 2.2). Three checks: the integral in
SymPy, the mean-field core at the run's precision, and a search over the plane.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theorycheck.activations import get_activation
from theorycheck.claims import Check, CheckResult, CheckStatus, ClaimRun, claim
from theorycheck.claims.checks import property_result
from theorycheck.claims.evidence import dec, step
from theorycheck.meanfield import MeanField, phase_plane

POINTS = ((0.5, 0.0), (1.0, 0.05), (1.5, 0.3), (1.9, 1.0))   # (sw2, sb2), all with finite q*


def _symbolic(run: ClaimRun) -> CheckResult:
    z = sp.Symbol("z", real=True)
    q, sw2 = sp.symbols("q sigma_w^2", positive=True)
    density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    e_h2 = sp.integrate(sp.Heaviside(sp.sqrt(q) * z) ** 2 * density, (z, -sp.oo, sp.oo))
    chi1 = sp.simplify(sw2 * e_h2)
    ok = sp.simplify(chi1 - sw2 / 2) == 0
    return CheckResult(method="symbolic", status=CheckStatus.of(ok),
                       summary=f"chi1 = sw2 E[H(sqrt(q) z)^2] = {chi1} (SymPy), independent of q",
                       steps=[step(sp.Eq(sp.Symbol("E[H(sqrt(q) z)^2]"), e_h2),
                                   "psi' = H for relu; P(z > 0) = 1/2", ok)],
                       evidence={"chi1": str(chi1)})


def _numeric(run: ClaimRun) -> CheckResult:
    mean_field = MeanField(get_activation("relu"), dps=run.dps)
    rows, worst = [], mp.mpf(0)
    for sw2, sb2 in POINTS:
        chi1 = mean_field.chi1(mp.mpf(sw2), mp.mpf(sb2))
        gap = abs(chi1.value - mp.mpf(sw2) / 2)
        worst = max(worst, gap - chi1.error)
        rows.append({"sw2": dec(sw2), "sb2": dec(sb2), "chi1": dec(chi1, run.dps),
                     "chi1_err": dec(chi1.error, 3), "minus_sw2_over_2": dec(gap, 3)})
    ok = worst <= 0
    return CheckResult(method="numeric", status=CheckStatus.of(ok), evidence={"points": rows},
                       summary=f"chi1 = sw2/2 within its error estimate at {len(POINTS)} points "
                               f"({run.dps} digits, tanh-sinh, two precisions)"
                       if ok else "chi1 departs from sw2/2 beyond its error estimate")


def _property(run: ClaimRun) -> CheckResult:
    relu = get_activation("relu")

    def holds(point: tuple[float, float]) -> bool:
        sw2, sb2 = point
        plane = phase_plane(relu, np.array([sw2]), np.array([sb2]))
        return bool(abs(plane.chi1[0, 0] - sw2 / 2) <= 10 * plane.chi1_err[0, 0] + 1e-13)

    # the float64 plane resolves q* >= 1e-12: sb2 = 0 or sb2 >= 1e-6 (q* = 2 sb2 / (2 - sw2))
    bias_variances = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    plane_points = st.tuples(st.floats(0.1, 1.9), bias_variances)
    return property_result("chi1-half-everywhere",
                           "chi1 = sw2/2 on (0.1, 1.9) x ({0} or [1e-6, 1])",
                           plane_points, holds, max_examples=run.pick(20, 200), seed=run.seed)


@claim(id="relu-chi1-half", source="He et al. 2015, Sec. 2.2; seed 000, Eq. (18)",
       statement="For ReLU networks chi1 = sw2/2 at every (sw2, sb2) with a finite fixed point, "
                 "so the edge of chaos is sw2 = 2.",
       hypotheses=("psi(x) = max(0, x)", "q* finite (sw2 < 2)"),
       methods=("symbolic", "numeric", "property"), activations=("relu",),
       checks=[Check("symbolic", "E[H^2] = 1/2", _symbolic),
               Check("numeric", "mean-field core at the run's precision", _numeric),
               Check("property", "search over the plane", _property)])
def relu_chi1_half(run: ClaimRun) -> list:
    """No findings beyond the checks: the statement holds as printed."""
    return []
