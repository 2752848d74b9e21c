"""mpmath quadrature rules besides :func:`expect_mp`: the second rule, panels, tails bounded.

* :func:`integrate_mp` -- int f over consecutive panels with one mpmath rule (the only place
  outside :mod:`theorycheck.gaussian.mp` that calls ``mpmath.quad``)
* :func:`integrate_two_rules_mp` -- the same integral by tanh-sinh and by Gauss-Legendre
* :func:`expect_normal_mp` -- E f(z), z ~ N(0, 1), on given panels in z
* :func:`gauss_legendre_expect` -- E f(sqrt(q) z) by Gauss-Legendre in x (an independent second
  rule to the tanh-sinh :func:`expect_mp`)
* :func:`gaussian_moments_mp` -- E psi(sZ), E Z psi(sZ), E psi(sZ)^2 on |z| <= L, tails bounded

All work at the caller's mpmath precision unless the docstring says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp

from theorycheck.numbers import Estimate

MpFn = Callable[[mp.mpf], mp.mpf]
METHODS = ("tanh-sinh", "gauss-legendre")


def integrate_mp(f: MpFn, points: Sequence[Any], *, method: str = "tanh-sinh") -> mp.mpf:
    """int f(x) dx over [p_0, p_1] u [p_1, p_2] u ..., one mpmath rule per panel.

    .. math:: \\sum_k \\int_{p_k}^{p_{k+1}} f(x)\\, dx

    ``points``: panel boundaries (``mp.inf`` allowed at the ends); ``method``: ``mpmath.quad``'s
    ``"tanh-sinh"`` (default) or ``"gauss-legendre"``.  Accuracy: about the working precision
    for f analytic inside each panel (split at kinks and singularities); no error estimate --
    use :func:`integrate_two_rules_mp` for one.  Cost: a few hundred f-evaluations per panel.
    """
    return mp.quad(f, list(points), method=method)


def integrate_two_rules_mp(f: MpFn, points: Sequence[Any]) -> tuple[mp.mpf, mp.mpf]:
    """(tanh-sinh, Gauss-Legendre) values of :func:`integrate_mp` on the same panels.

    Their difference estimates the error of either; cost: twice :func:`integrate_mp`.
    """
    a, b = (integrate_mp(f, points, method=m) for m in METHODS)
    return a, b


def expect_normal_mp(f: MpFn, points: Sequence[Any] = (-mp.inf, 0, mp.inf)) -> mp.mpf:
    """E f(z), z ~ N(0, 1), by tanh-sinh on the panels ``points`` in z.

    .. math:: \\int f(t)\\, e^{-t^2/2} dt / \\sqrt{2\\pi}

    At the caller's precision; ``points`` must include f's singularities (e.g. 0 for log t^2).
    Accuracy and cost as :func:`integrate_mp`.
    """
    return integrate_mp(lambda t: f(t) * mp.npdf(t), points)


def gauss_legendre_expect(f: MpFn, q: Any, dps: int, breakpoints: Sequence[Any] = ()) -> mp.mpf:
    """E_z f(sqrt(q) z) by Gauss-Legendre quadrature in x = sqrt(q) z on panels split at the
    kinks and at multiples of sqrt(q) (|z| <= 40: the Gaussian mass beyond is 1e-349).

    .. math:: \\int f(x)\\, e^{-x^2/(2q)}\\, dx / \\sqrt{2\\pi q}

    Accuracy: ~dps digits for piecewise-analytic f of at most exponential growth; cost ~ a
    few Gauss-Legendre :func:`integrate_mp` panels at ``dps + 15`` digits.
    """
    with mp.workdps(dps + 15):
        qm = mp.mpf(q)
        s = mp.sqrt(qm)
        edges = {s * k for k in (-40, -20, -10, -6, -3, -1, 0, 1, 3, 6, 10, 20, 40)}
        edges |= {mp.mpf(b) for b in breakpoints if abs(mp.mpf(b)) < 40 * s}
        pts = sorted(edges)
        norm = 1 / mp.sqrt(2 * mp.pi * qm)
        return integrate_mp(lambda x: f(x) * mp.exp(-x * x / (2 * qm)), pts,
                            method="gauss-legendre") * norm


def gaussian_moments_mp(psi: MpFn, scale: float | mp.mpf, *, kinks: Sequence[float] = (),
                        dps: int = 30) -> dict[str, Estimate]:
    """``E psi(sZ)``, ``E Z psi(sZ)``, ``E psi(sZ)^2`` for ``Z ~ N(0,1)``, ``s = scale``.

    :func:`integrate_two_rules_mp` at ``dps + 10`` on ``|z| <= L`` with
    ``L^2/2 = (dps + 8) ln 10``, split at the kinks and at 0, +-1, +-4; the error is tanh-sinh
    vs Gauss-Legendre plus a bound on the tails ``|z| > L``
    (``erfc(L/sqrt 2) (1 + L)^2 max(|psi(+-sL)|, 1)^2``).  psi is evaluated once per node
    (cached across the three moments).  Seed 000, Eq. (35); seed 001, Eq. (6) references.
    """
    out: dict[str, Estimate] = {}
    with mp.workdps(dps + 10):
        s = mp.mpf(scale)
        big = mp.sqrt(2 * (dps + 8) * mp.log(10))
        pts = sorted({-big, big, mp.mpf(0), mp.mpf(1), mp.mpf(-1), mp.mpf(4), mp.mpf(-4),
                      *(mp.mpf(k) / s for k in kinks if abs(mp.mpf(k) / s) < big)})
        dens = 1 / mp.sqrt(2 * mp.pi)
        cache: dict[mp.mpf, tuple[mp.mpf, mp.mpf]] = {}

        def node(z: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
            hit = cache.get(z)
            if hit is None:
                hit = cache[z] = (psi(s * z), dens * mp.exp(-z * z / 2))
            return hit

        fns: dict[str, MpFn] = {
            "mean": lambda z: node(z)[0] * node(z)[1],
            "cross": lambda z: z * node(z)[0] * node(z)[1],
            "second": lambda z: node(z)[0] ** 2 * node(z)[1],
        }
        edge = max(abs(psi(s * big)), abs(psi(-s * big)), 1)
        tail = mp.erfc(big / mp.sqrt(2)) * (1 + big) ** 2 * edge ** 2
        for name, f in fns.items():
            a, b = integrate_two_rules_mp(f, pts)
            out[name] = Estimate(a, abs(a - b) + tail + mp.mpf(10) ** (-(dps + 5)),
                                 "mp.quad tanh-sinh vs gauss-legendre, tails bounded")
    return out


__all__ = ["expect_normal_mp", "gauss_legendre_expect", "gaussian_moments_mp", "integrate_mp",
           "integrate_two_rules_mp"]
