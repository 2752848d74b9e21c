"""Gaussian integrals of step functions: orthant probabilities of a bivariate Gaussian.

For u = (u1, u2) centred Gaussian with Var u_i = q and corr(u1, u2) = c, the kernel of a
piecewise-constant activation psi = C + sum_j J_j 1[x > a_j] (seed 000 Eq. (14)) is
C^2 + 2 C sum_j J_j P(u > a_j) + sum_jk J_j J_k P(u1 > a_j, u2 > a_k).  The orthant probability
is computed by Plackett's identity dP/dc = phi2(a/s, b/s; c) (s = sqrt(q)):

.. math:: P(u_1 > a, u_2 > b) = \\bar\\Phi(\\alpha)\\bar\\Phi(\\beta)
          + \\int_0^c \\frac{e^{-(\\alpha^2 - 2 r \\alpha\\beta + \\beta^2)/(2(1-r^2))}}
          {2\\pi\\sqrt{1-r^2}}\\, dr

a finite interval and a smooth integrand (an integrable endpoint singularity at r = +-1 when
alpha = +-beta, which tanh-sinh absorbs).  At a = b = 0 it is 1/4 + arcsin(c)/(2 pi).  Accuracy:
two tanh-sinh evaluations (two precisions, two panel sets), their difference is the error;
cost ~ 5 ms at 30 digits.
"""

from __future__ import annotations

import mpmath as mp

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.mp import GUARD
from theorycheck.numbers import Estimate


def normal_sf(x: mp.mpf) -> mp.mpf:
    """bar Phi(x) = P(z > x), z ~ N(0, 1), at the current precision (erfc, no cancellation)."""
    return mp.erfc(x / mp.sqrt(2)) / 2


def bivariate_density(alpha: mp.mpf, beta: mp.mpf, c: mp.mpf) -> mp.mpf:
    """phi2(alpha, beta; c): the standard bivariate normal density with correlation |c| < 1."""
    r2 = 1 - c * c
    return mp.exp(-(alpha * alpha - 2 * c * alpha * beta + beta * beta) / (2 * r2)) / (
        2 * mp.pi * mp.sqrt(r2))


def orthant_mp(a: object, b: object, q: object, c: object, *, dps: int = 30) -> Estimate:
    """P(u1 > a, u2 > b) for Var u_i = q, corr c, to ``dps`` digits (Plackett, see module).

    ``a``, ``b``: thresholds (the jump points of an activation); exact at c = +-1 (a 1-D
    Gaussian probability) and at c = 0 (a product).
    """
    with mp.workdps(dps + 3 * GUARD):
        qm, cm = mp.mpf(q), mp.mpf(c)
        if qm <= 0 or abs(cm) > 1:
            raise TheoryCheckError(f"need q > 0 and |c| <= 1 (got q={q}, c={c})",
                                   status=Status.INVALID_ARGUMENT)
        s = mp.sqrt(qm)
        al, be = mp.mpf(a) / s, mp.mpf(b) / s
        if cm == 1:
            return Estimate(normal_sf(max(al, be)), mp.mpf(0), "exact (c = 1)")
        if cm == -1:   # u2 = -u1: a < u1 < -b
            return Estimate(max(mp.mpf(0), normal_sf(al) - normal_sf(-be)), mp.mpf(0),
                            "exact (c = -1)")
        base = normal_sf(al) * normal_sf(be)
    if cm == 0:
        return Estimate(base, mp.mpf(0), "exact (c = 0)")
    vals = []
    for guard, panels in ((GUARD, [0, cm]), (2 * GUARD, [0, cm / 3, cm])):
        with mp.workdps(dps + guard):
            vals.append(+base + mp.quad(lambda r: bivariate_density(al, be, r), panels))
    with mp.workdps(dps + 2 * GUARD):
        err = abs(vals[0] - vals[1])
        if err > mp.mpf(10) ** -dps:
            raise TheoryCheckError(f"orthant probability at c={mp.nstr(cm, 8)}: two quadratures"
                                   f" differ by {mp.nstr(err, 3)}",
                                   status=Status.PRECISION_NOT_REACHED)
        return Estimate(vals[1], err, "Plackett's identity, tanh-sinh, two precisions")


__all__ = ["bivariate_density", "normal_sf", "orthant_mp"]
