"""The variance and correlation maps with pre-activation noise (seed 001), their fixed points,
edge of chaos and large-depth rate, on the Gauss-Hermite rule of the seed-001 recursion.

Model (reconstructed, see :mod:`theorycheck.information.meanfield_bound`):
``x^l = W^l phi(x^(l-1) + n^(l-1)) + b^l``, ``n ~ N(0, noise2 I)``, so the noise variance adds to
the pre-activation variance inside every expectation::

    q^l = sw2 E phi(sqrt(q^(l-1) + noise2) z)^2 + sb2.

Expectations: :func:`theorycheck.gaussian.rules.univariate` / :func:`bivariate` with ``nodes``
Gauss-Hermite points (default 96): ~1e-12 for tanh at q <= 1, ~1e-6 at q ~ 3, algebraic
convergence for kinked activations.  Roots by Brent's method.  Torch-free.
"""

from __future__ import annotations

from typing import Any

from scipy.optimize import brentq

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.rules import DEFAULT_NODES, NpFn, bivariate, univariate


def numpy_pair(act: Any) -> tuple[NpFn, NpFn]:
    """phi and phi' as vectorised numpy callables from an Activation (``.numpy(k)``) or a pair."""
    if hasattr(act, "numpy"):
        return act.numpy(0), act.numpy(1)
    if isinstance(act, tuple) and len(act) == 2:
        return act
    raise TheoryCheckError(f"need an Activation or a (phi, dphi) pair, got {act!r}",
                           status=Status.INVALID_ARGUMENT)


def noisy_q_star(act: Any, sw2: float, sb2: float, noise2: float,
                 nodes: int = DEFAULT_NODES) -> float:
    """Fixed point of q = sw2 E phi(sqrt(q + noise2) z)^2 + sb2 (bounded phi), by Brent's method.

    Raises ``NO_FINITE_FIXED_POINT`` when phi^2 grows too fast for a root below 1e6.
    """
    phi, _ = numpy_pair(act)

    def gap(q: float) -> float:
        return float(sw2 * univariate(lambda x: phi(x) ** 2, q + noise2, nodes) + sb2 - q)

    hi = 1.0
    while gap(hi) > 0:
        hi *= 2.0
        if hi > 1e6:
            raise TheoryCheckError("no finite fixed point of the noisy variance map below 1e6",
                                   status=Status.NO_FINITE_FIXED_POINT)
    # q = 0 solves the map when sb2 = noise2 = 0 and phi(0) = 0; it is the stable fixed point only
    # if the map lies below the diagonal just above 0 (else the positive root is the stable one)
    lo = 0.0 if gap(0.0) > 0 else 1e-10
    if gap(lo) <= 0:
        return 0.0
    return float(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-13))


def noisy_chi1(act: Any, sw2: float, sb2: float, noise2: float,
               nodes: int = DEFAULT_NODES) -> float:
    """chi1 = sw2 E phi'(sqrt(q* + noise2) z)^2 at the noisy fixed point (seed 002 Eq. (8)
    with the noise variance added to the argument)."""
    _, dphi = numpy_pair(act)
    qs = noisy_q_star(act, sw2, sb2, noise2, nodes)
    return float(sw2 * univariate(lambda x: dphi(x) ** 2, qs + noise2, nodes))


def noisy_eoc_sw2(act: Any, sb2: float, noise2: float, lo: float = 0.2, hi: float = 20.0,
                  nodes: int = DEFAULT_NODES) -> float:
    """sw2 on the noisy edge of chaos chi1(sw2, sb2; noise2) = 1, by Brent's method."""
    f_lo = noisy_chi1(act, lo, sb2, noise2, nodes) - 1.0
    f_hi = noisy_chi1(act, hi, sb2, noise2, nodes) - 1.0
    if f_lo * f_hi > 0:
        raise TheoryCheckError(f"chi1 - 1 does not change sign on sw2 in [{lo}, {hi}]",
                               status=Status.NO_ROOT_IN_RANGE)
    return float(brentq(lambda s: noisy_chi1(act, s, sb2, noise2, nodes) - 1.0, lo, hi,
                        xtol=1e-12, rtol=1e-12))


def limit_rate(act: Any, sw2: float, sb2: float, noise2: float, iters: int = 4000,
               nodes: int = DEFAULT_NODES) -> dict[str, float]:
    """The large-depth behaviour of the recursion: fixed points q*, q12* and the rate
    gamma = sw2 E[phi'(u1) phi'(u2)] at them (g^l ~ gamma^l, so the bound decays to 0 like
    gamma^l when gamma < 1), and chi1 = sw2 E phi'(u)^2 >= gamma (Cauchy-Schwarz)."""
    phi, dphi = numpy_pair(act)
    qs = noisy_q_star(act, sw2, sb2, noise2, nodes)
    var = qs + noise2
    q12 = 0.0
    for _ in range(iters):
        new = float(sw2 * bivariate(phi, phi, var, q12, nodes) + sb2)
        if abs(new - q12) < 1e-15 * max(1.0, abs(q12)):
            q12 = new
            break
        q12 = new
    gamma = float(sw2 * bivariate(dphi, dphi, var, q12, nodes))
    chi1 = float(sw2 * univariate(lambda x: dphi(x) ** 2, var, nodes))
    return {"q_star": qs, "q12_star": q12, "gamma": gamma, "chi1": chi1}


__all__ = ["limit_rate", "noisy_chi1", "noisy_eoc_sw2", "noisy_q_star", "numpy_pair"]
