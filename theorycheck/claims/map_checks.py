"""Finite networks against the infinite-width maps, the mechanism the mean-field map claims
share (qmap, cmap-fixed-point, cnn-fixed-point, depth-scales, chi1-jacobian).

A measured layer statistic m_N (a mean over independent networks of width N) carries an O(1/N)
bias; measured at N and 2N it is extrapolated to N -> inf (:func:`two_widths`) and compared
with the map's prediction t by z = (m - t)/se against a two-sided normal quantile at
family-wise level 1e-3, Bonferroni over the comparisons made
(:func:`theorycheck.claims.statistics.z_crit`).  Also: the two
unit-mean-square inputs with a given correlation that the correlation checks feed the networks
(:func:`input_pair`), the correlation c^l read off their covariances (:func:`correlation`),
the simulation check's verdict from its z tests (:func:`z_result`), the stable q* or the
reason it is missing (:func:`stable_q`), and the limit of a float64 iteration or "not
applicable" for a property search (:func:`settled`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from theorycheck.claims.model import CheckResult, CheckStatus
from theorycheck.claims.statistics import mean_se, width_extrapolate
from theorycheck.errors import TheoryCheckError
from theorycheck.numbers import Estimate


@dataclass(frozen=True)
class Extrapolated:
    """A statistic measured at widths N and 2N: ``mean``/``se`` extrapolated to N -> inf
    (2 m(2N) - m(N), se sqrt(4 se(2N)^2 + se(N)^2)) and ``at_width``, the mean at N."""

    mean: np.ndarray
    se: np.ndarray
    at_width: np.ndarray

    def z(self, theory: np.ndarray | float) -> np.ndarray:
        """z = (mean - theory)/se, the extrapolated measurement against the map's value."""
        return (self.mean - theory) / self.se


def two_widths(sample: Callable[[int], np.ndarray], width: int, *, axis: int = 0
               ) -> Extrapolated:
    """Mean and standard error over networks (``axis`` of ``sample(n)``, the per-network values
    at width n) at n = ``width`` and 2 ``width``, extrapolated in 1/N to infinite width.

    Accuracy: removes the O(1/N) bias of finite-width layer statistics (seed 000, Sec. 2;
    seed 002, Sec. 3), leaving O(1/N^2); cost: the two ensembles ``sample`` draws.
    """
    (m1, s1), (m2, s2) = (mean_se(sample(n), axis=axis) for n in (width, 2 * width))
    m, s = width_extrapolate(m1, s1, m2, s2)
    return Extrapolated(mean=m, se=s, at_width=m1)


def z_result(ev: dict[str, Any], zc: float, bad: list[Any], passed: str, failed: str,
             where: str | None = None) -> CheckResult:
    """The simulation check's result from its z tests: ``ev["z_crit"]`` = ``zc`` recorded;
    passed (summary ``passed``) when no comparison exceeded |z| > zc, else failed (``failed``)
    with ``{where: bad}`` as the counterexample when ``where`` is given; ``bad`` lists the
    comparisons that exceeded it."""
    ev["z_crit"] = f"{zc:.2f}"
    return CheckResult(method="simulation", status=CheckStatus.of(not bad), evidence=ev,
                       counterexample={where: bad} if bad and where else None,
                       summary=failed if bad else passed)


def stable_q(mf: Any, sw2: float, sb2: float, ev: dict[str, Any], key: str, why: str
             ) -> Estimate | None:
    """``mf.q_star(sw2, sb2)`` (a :class:`~theorycheck.meanfield.MeanField`), or None with
    ``ev[key] = "<why>: <reason>"`` where the map has no stable finite fixed point: a missing
    q* is evidence at that point, not a failed check (seed 000, Eq. (11); seed 002, Sec. 3)."""
    try:
        return mf.q_star(sw2, sb2)
    except TheoryCheckError as err:
        ev[key] = f"{why}: {err.message}"
        return None


def input_pair(rng: np.random.Generator, n0: int, along: float, across: float) -> np.ndarray:
    """Two inputs (columns, each with |x|^2/N0 = 1) whose second is ``along`` times the first's
    direction plus ``across`` times a direction orthogonal to it: correlation ~ ``along`` when
    along^2 + across^2 = 1.  ``n0``: the input width; ``rng`` draws the two directions."""
    a, b = rng.standard_normal((2, n0))
    b = along * a + across * (b - a * (a @ b) / (a @ a))
    return np.stack([a / np.linalg.norm(a), b / np.linalg.norm(b)], axis=1) * np.sqrt(n0)


def correlation(cov: np.ndarray) -> np.ndarray:
    """c^l = Sigma_12 / sqrt(Sigma_11 Sigma_22) of the two-input covariances ``cov`` (layers,
    networks, 2, 2), per layer and network (seed 000, Eq. (14); seed 002, Eq. (4))."""
    return cov[:, :, 0, 1] / np.sqrt(cov[:, :, 0, 0] * cov[:, :, 1, 1])


def settled(traj: np.ndarray, rtol: float) -> float:
    """The last iterate of ``traj`` when the iteration has settled to a finite value (last step
    below ``rtol`` max(1, x), x <= 1e6); else a :class:`TheoryCheckError`, which a property
    search counts as "not applicable" for that example."""
    x = float(traj[-1])
    if not np.isfinite(x) or x > 1e6 or abs(traj[-1] - traj[-2]) > rtol * max(1.0, x):
        raise TheoryCheckError("the iteration reached no finite fixed point (not applicable)")
    return x


__all__ = ["Extrapolated", "correlation", "input_pair", "settled", "stable_q", "two_widths",
           "z_result"]
