"""beta along the edge of chaos as q* -> 0, in mpmath (seed 000, Eqs. (38), (57)-(59)).

On the EOC sw2(q) = 1/E psi'(sqrt(q) z)^2, so beta = sw E psi' = E psi' / sqrt(E psi'^2); as
q* -> 0 it tends to 1 at the dynamical-isometry point (sw2, sb2) = (1/psi'(0)^2, 0), where beta
(38) itself is 0/0.  :func:`eoc_beta_mp` evaluates the sequence and its Richardson limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import mpmath as mp

from theorycheck.gaussian import expect_mp
from theorycheck.numbers import Estimate, richardson


def eoc_beta_mp(act: Any, ks: Iterable[int], dps: int
                ) -> tuple[list[mp.mpf], list[mp.mpf], Estimate]:
    """beta(q) = E psi'(u) / sqrt(E psi'(u)^2), u = sqrt(q) z, on the EOC at q = 2^(-2k) for k in
    ``ks``, and its limit as q -> 0 (seed 000, Eqs. (57)-(59)).

    ``act``: the activation (its mpmath derivative and kinks); ``dps``: digits of each
    :func:`expect_mp` (tanh-sinh with the kinks as breakpoints), worked at ``dps`` + 10.  beta(q)
    is analytic in q on the EOC, so the limit is a Richardson extrapolation in h^1 with its
    error estimate.  Returns (qs, betas, limit).
    """
    dp = act.mpmath(1)
    kinks = [float(k) for k in act.kinks]
    qs, betas = [], []
    with mp.workdps(dps + 10):
        for k in ks:
            qv = mp.mpf(2) ** (-2 * k)
            m1 = expect_mp(dp, qv, dps=dps, breakpoints=kinks)
            m2 = expect_mp(lambda u: dp(u) ** 2, qv, dps=dps, breakpoints=kinks)
            qs.append(qv)
            betas.append(m1.value / mp.sqrt(m2.value))      # sqrt(sw2(q)) E psi'
        lim = Estimate(*richardson(qs, betas, 1), "Richardson extrapolation in h^1")
    return qs, betas, lim
