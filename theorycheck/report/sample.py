"""A small synthetic results document that exercises every part of a report (derivation steps,
error estimates, a shrunk counterexample, a simulation comparison, findings, per-activation
tables, figures, LaTeX that does not convert, text that must be escaped).

It is built through the real engine (``ClaimOutcome`` -> ``claim_record``, verdicts from
``decide``), so it has exactly the ``verify --json`` schema. Its numbers are invented: it is for
tests and for looking at the layout, never a verification.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from theorycheck import __version__
from theorycheck.claims.declare import ClaimSpec
from theorycheck.claims.model import (
    CheckResult,
    ClaimOutcome,
    DerivationStep,
    Finding,
    RunContext,
)
from theorycheck.claims.registry import Claim
from theorycheck.claims.runner import claim_record, package_versions
from theorycheck.report import figures

SOURCE = "synthetic sample (invented numbers)"


def _claim(cid: str, statement: str, **kw: Any) -> Claim:
    return Claim(id=cid, source=kw.pop("source", SOURCE), statement=statement,
                 spec=ClaimSpec(), **kw)


def _beta_plane(figure_dir: str | None) -> list[str]:
    sw2 = np.linspace(0.2, 3.0, 40)
    sb2 = np.linspace(0.0, 0.5, 30)
    w, b = np.meshgrid(sw2, sb2, indexing="ij")  # axis 0 is sw2
    beta = np.exp(-((w - 1.0) ** 2) / 2.0 - 3.0 * b)  # invented surface, largest at (1, 0)
    eoc_sb2 = np.linspace(0.0, 0.5, 12)
    return figures.beta_plane(figure_dir, "sample_beta_plane", sw2, sb2, beta,
                              eoc=(1.0 + 2.2 * np.sqrt(eoc_sb2), eoc_sb2), di=(1.0, 0.0))


def _outcomes(figure_dir: str | None) -> list[tuple[Claim, ClaimOutcome]]:
    rng = np.random.default_rng(0)
    beta = ClaimOutcome(
        checks=[
            CheckResult("symbolic", "passed", "Cauchy-Schwarz bound reduces to $\\beta^2 \\le 1$",
                        steps=[DerivationStep(r"\beta = \frac{\sigma_w \int \psi(s z) z\,Dz}{s}",
                                              "definition, seed 000 Eq. (38)", None),
                               DerivationStep(r"\left(\int \psi z\,Dz\right)^2 \le "
                                              r"\int \psi^2 Dz \int z^2 Dz", "Cauchy-Schwarz",
                                              True),
                               DerivationStep(r"\beta^2 \le 1 - \frac{\sigma_b^2}{q^*} \tag{55}",
                                              "fixed point, Eq. (52)", True)],
                        name="cauchy-schwarz", seconds=0.41),
            CheckResult("numeric", "passed", "largest beta on the grid is below 1",
                        evidence={"beta_max": "0.99999812", "beta_max_err": "3.1e-29",
                                  "at_sw2": "1.0100", "at_sb2": "0", "grid_points": 1600,
                                  "dps": 30, "mu1": {"value": "0.8412", "error": "2e-30"}},
                        name="plane", seconds=2.3, figures=_beta_plane(figure_dir)),
            CheckResult("property", "passed", "beta < 1 for random (sw2, sb2, activation)",
                        evidence={"examples": 50, "max_examples": 50, "seed": 0,
                                  "property": "$\\beta(\\sigma_w^2, \\sigma_b^2) < 1$"},
                        name="random-points", seconds=1.2),
            CheckResult("simulation", "passed", "measured beta agrees within 3 standard errors",
                        evidence={"theory": "0.9731", "theory_err": "1e-28",
                                  "measured": "0.9702", "stderr": "0.0021", "agree": True,
                                  "tolerance": "3 stderr", "device": "cpu", "seed": 0,
                                  "widths": [{"width": 128, "measured": "0.9688",
                                              "measured_err": "0.0040"},
                                             {"width": 512, "measured": "0.9702",
                                              "measured_err": "0.0021"}]},
                        name="finite-width", seconds=5.0),
        ],
        per_activation={"tanh": {"beta_max": "0.99999812", "beta_max_err": "3e-29",
                                 "hypotheses_met": True},
                        "relu": {"beta_max": "0.7071068", "beta_max_err": "1e-30",
                                 "hypotheses_met": False}},
    )
    sigmoid_x = np.geomspace(1.0, 1e5, 120)
    sigmoid = ClaimOutcome(
        checks=[CheckResult("numeric", "passed", "infimum of $\\sigma_w^2$ on the critical line",
                            evidence={"sw2_inf": "10619.3", "sw2_inf_err": "4e-25",
                                      "sigma_w": "103.05", "sigma_w_err": "2e-26"},
                            figures=figures.chi1_curve(
                                figure_dir, "sample_chi1", sigmoid_x,
                                sigmoid_x / 10619.3, critical_sw2=10619.3))],
        findings=[Finding("misprint", "seed 002, Eq. (27)", r"$\sigma_w = 16$",
                          r"$\sigma_w^2 \ge 16$", "two precisions agree to 30 digits"),
                  Finding("note", "Fig. 5", "gray line", "$\\chi_1 = 1$ drawn at the EOC")],
    )
    di = ClaimOutcome(
        checks=[CheckResult("property", "failed", "convexity on $[0, \\infty)$ is not met by tanh",
                            evidence={"examples": 7, "max_examples": 50, "seed": 0,
                                      "property": "psi convex on [0, inf)"},
                            counterexample={"activation": "tanh", "x": "0.5",
                                            "psi''(x)": "-0.7864", "psi''(x)_err": "1e-30"}),
                CheckResult("symbolic", "passed", "limit equals $\\psi'(0)$",
                            steps=[DerivationStep(r"\lim_{s\to 0} \frac{1}{s}\int "
                                                  r"\psi(s z) z\,Dz = \psi'(0)", "Taylor", True),
                                   DerivationStep(r"\frac{a}{", "deliberately broken LaTeX",
                                                  None)])],
        findings=[Finding("unstated-condition", "seed 000, Eq. (56)", "psi convex on [0, inf)",
                          "psi odd with psi'' <= 0 on [0, inf) (concave)", "tanh is concave",
                          affects_conclusion=True)],
        condition="$\\psi$ odd and concave on $[0, \\infty)$",
    )
    spectrum = rng.gamma(2.0, 0.5, size=2000)
    jac = ClaimOutcome(
        checks=[CheckResult("numeric", "skipped", "could not run: time budget",
                            inconclusive=True, evidence={"error_status": "time-budget-exceeded"}),
                CheckResult("simulation", "skipped", "internal error: <script>alert(1)</script>",
                            inconclusive=True,
                            evidence={"traceback": "Traceback (most recent call last):\n  ...",
                                      "grid": [[1, 2], [3, 4]]},
                            figures=figures.jacobian_spectrum(figure_dir, "sample_spectrum",
                                                              spectrum, m1=1.0, m2=1.5))],
    )
    return [
        (_claim("sample-beta-le-one", "$\\beta < 1$ whenever $s^* \\ne 0$",
                hypotheses=("$\\psi$ measurable with finite Gaussian moments",),
                printed=(r"\beta = \sigma_w \frac{\int \psi(s^* z) z\,Dz}{s^*} \tag{38}",),
                per_activation=True, core=True), beta),
        (_claim("sample-sigmoid-sw-bound", "if $\\chi_1 = 1$ then $\\sigma_w^2 \\gtrsim 100$",
                printed=(r"\sigma_w \approx 103.05 \tag{27}",)), sigmoid),
        (_claim("sample-beta-max-at-di", "$\\beta = 1$ exactly at $(1/\\psi'(0), 0)$",
                hypotheses=("psi odd", "psi convex in [0, inf)", "psi bounded")), di),
        (_claim("sample-jacobian <moments>", "m1 & m2 as printed <b>bold?</b>",
                printed=(r"m_1 = (\sigma_w^2 \mu_1)^l \tag{64}",)), jac),
    ]


def sample_results(figure_dir: str | None = None) -> dict[str, Any]:
    """The synthetic results document; with ``figure_dir`` its figures are drawn there too."""
    ctx = RunContext()
    records = [claim_record(c, o, seconds=1.0) for c, o in _outcomes(figure_dir)]
    return {"run": {"version": __version__, "started": "2025-01-01T00:00:00+00:00",
                    "finished": "2025-01-01T00:01:00+00:00", "profile": ctx.profile,
                    "dps": ctx.dps, "seed": ctx.seed, "device": ctx.device, "activations": [],
                    "python": "3.11", "platform": "synthetic", "packages": package_versions()},
            "claims": records}


__all__ = ["sample_results"]
