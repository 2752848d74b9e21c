"""The bivariate Gaussian kernel of a two-level step, in ball arithmetic (Sheppard's formula).

For psi = a on x < 0 and b on x > 0 (sign: a = -1, b = 1; Heaviside: a = 0, b = 1), and
(u1, u2) centred Gaussian with equal variances and correlation c, the orthant probabilities
are P(u1 > 0, u2 > 0) = P(u1 < 0, u2 < 0) = 1/4 + arcsin(c)/(2 pi) (Sheppard 1899), so

    E psi(u1) psi(u2) = (a^2 + b^2) (1/4 + arcsin(c)/(2 pi)) + 2 a b (1/4 - arcsin(c)/(2 pi)),

whatever the variance. The Mehler series of a step converges slowly (|alpha_n|^2 ~ n^(-3/2)),
so near |c| = 1 this closed form is the only fast rigorous route; the Mehler route
(:func:`~theorycheck.gaussian.arb.kernel_arb`) checks it at small |c| in the tests.
"""

from __future__ import annotations

from flint import arb


def step_kernel_arb(a: arb, b: arb, c: arb, *, derivative: int = 0) -> arb:
    """E psi(u1) psi(u2) (``derivative`` 0) or its c-derivative (1) for the two-level step
    (a, b); c a ball in (-1, 1). Rigorous: arb's asin and sqrt enclose their results."""
    same, cross = a * a + b * b, 2 * a * b
    if derivative == 0:
        quarter, arc = arb(1) / 4, c.asin() / (2 * arb.pi())
        return same * (quarter + arc) + cross * (quarter - arc)
    if derivative == 1:
        darc = 1 / ((1 - c * c).sqrt() * 2 * arb.pi())
        return (same - cross) * darc
    raise ValueError("derivative must be 0 or 1")


__all__ = ["step_kernel_arb"]
