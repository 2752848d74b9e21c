"""The mean-field maps of an activation with jumps: the distributional derivative's point masses.

A jump J_j = psi(a_j+) - psi(a_j-) gives psi' = psi'_ac + sum_j J_j delta(x - a_j), so with
u ~ N(0, q) and phi_q the N(0, q) density:
- Stein's lemma (seed 000 Eq. (38)): E psi'(u) = E psi'_ac(u) + sum_j J_j phi_q(a_j);
- chi1 = sw2 E psi'(u)^2 = inf and mu1 = mu2 = inf (seed 000 Eqs. (17), (65)): the c-map's slope
  at c = 1 is infinite, so c = 1 is unstable for every sw2 > 0 and the stable c* is < 1;
- the q-map's slope (seed 002 Eq. (9), Gaussian integration by parts d/dq E f = E[u f'(u)]/(2q))
  gains sum_j (psi(a_j+)^2 - psi(a_j-)^2) a_j phi_q(a_j) / (2q).
For a piecewise-constant psi = C + sum_j J_j 1[x > a_j] (sign, Heaviside, staircases) the kernel
is C^2 + 2C sum_j J_j bar Phi(a_j/s) + sum_jk J_j J_k P(u1 > a_j, u2 > a_k) and its c-slope
sum_jk J_j J_k phi2(a_j/s, a_k/s; c) (Price's theorem), both to the run's precision
(:mod:`theorycheck.gaussian.steps`), so c* and xi_c are found by Newton in mpmath.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath as mp

from theorycheck.activations.jumps import describe_jumps
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.steps import bivariate_density, normal_sf, orthant_mp
from theorycheck.meanfield.adapter import to_mp
from theorycheck.numbers import Estimate

#: ``mf`` below is a :class:`~theorycheck.meanfield.maps.MeanFieldMaps` (typed Any: no cycle)
MeanFieldMaps = Any

#: the Jacobian of a finite network with this activation, in words (binary/quantised networks)
FINITE_JACOBIAN = ("finite network: psi' = 0 away from the jumps, so its input-output Jacobian "
                   "is 0 almost everywhere (backpropagated gradients vanish; binary and quantised "
                   "networks train with a surrogate gradient)")
MEAN_FIELD_CHI1 = ("mean field: chi1 = inf means two inputs at correlation c -> 1 separate at "
                   "once (the c-map rises like sqrt(1 - c) near 1): c = 1 is unstable, the "
                   "network is chaotic for every sw2 > 0 and no edge of chaos exists")


def limits(mf: MeanFieldMaps) -> list[tuple[mp.mpf, mp.mpf, mp.mpf]]:
    """(a_j, psi(a_j-), psi(a_j+)) as mpf at the current precision."""
    return [(to_mp(a), to_mp(lo), to_mp(hi)) for a, lo, hi in mf.jump_limits]


def phi(q: mp.mpf, a: mp.mpf) -> mp.mpf:
    """phi_q(a) = exp(-a^2/(2q)) / sqrt(2 pi q), the N(0, q) density."""
    return mp.exp(-a * a / (2 * q)) / mp.sqrt(2 * mp.pi * q)


def mass(mf: MeanFieldMaps, q: mp.mpf) -> mp.mpf:
    """sum_j J_j phi_q(a_j): what the point masses add to E psi'(u) (Stein's lemma)."""
    return mp.fsum((hi - lo) * phi(q, a) for a, lo, hi in limits(mf))


def slope_term(mf: MeanFieldMaps, q: mp.mpf) -> mp.mpf:
    """sum_j (psi(a_j+)^2 - psi(a_j-)^2) a_j phi_q(a_j) / (2q): the jumps' part of d/dq E psi^2."""
    return mp.fsum((hi * hi - lo * lo) * a * phi(q, a) for a, lo, hi in limits(mf)) / (2 * q)


def lifts_at_zero(mf: MeanFieldMaps) -> bool:
    """Whether a jump at 0 makes lim_{q->0+} E psi(sqrt(q) z)^2 = (psi(0-)^2 + psi(0+)^2)/2 > 0,
    so that q = 0 (a fixed point when sb2 = 0 and psi(0) = 0) is unstable: the map jumps up."""
    return any(a == 0 and lo * lo + hi * hi > 0 for a, lo, hi in limits(mf))


def step_kernel(mf: MeanFieldMaps, q: mp.mpf, c: mp.mpf) -> tuple[Estimate, mp.mpf]:
    """(K(c) = E psi(u1) psi(u2), dK/dc) for a piecewise-constant psi (see module docstring)."""
    lims = limits(mf)
    const = lims[0][1]
    s = mp.sqrt(q)
    val = const * const + 2 * const * mp.fsum((hi - lo) * normal_sf(a / s) for a, lo, hi in lims)
    err, slope = mp.mpf(0), mp.mpf(0)
    for a, lo, hi in lims:
        for b, lo2, hi2 in lims:
            jj = (hi - lo) * (hi2 - lo2)
            p = orthant_mp(a, b, q, c, dps=mf.dps)
            val += jj * p.value
            err += abs(jj) * p.error
            if abs(c) < 1:
                slope += jj * bivariate_density(a / s, b / s, c)
    if abs(c) == 1:
        slope = mp.inf
    return Estimate(val, err, "piecewise constant: orthant probabilities (Plackett)"), slope


def c_star(mf: MeanFieldMaps, sw2: Any, sb2: Any, q: Estimate, start: float
           ) -> tuple[Estimate, mp.mpf]:
    """The stable c* < 1 of the c-map of a piecewise-constant psi, and the c-map's slope there.

    Newton on F(c) = (sw2 K(c) + sb2)/q - c from the float64 root ``start``, with the exact
    F'(c) = sw2 K'(c)/q - 1; error: (quadrature error of F + |F(c*)|)/|F'(c*)| plus the q*
    error's share.  Cost: a few orthant quadratures per jump pair per step (~50 ms).
    """
    sw2m, sb2m, qv = mp.mpf(sw2), mp.mpf(sb2), q.value
    c = mp.mpf(start)
    tol = mp.mpf(10) ** -(mf.dps + 5)
    for _ in range(40):
        k, dk = step_kernel(mf, qv, c)
        f = (sw2m * k.value + sb2m) / qv - c
        df = sw2m * dk / qv - 1
        if df == 0 or not mp.isfinite(df):
            break
        step = f / df
        c = max(min(c - step, mp.mpf(1) - tol), mp.mpf(-1))
        if abs(step) < tol:
            break
    else:
        raise TheoryCheckError("c*: Newton on the c-map did not converge",
                               status=Status.PRECISION_NOT_REACHED)
    k, dk = step_kernel(mf, qv, c)
    f = (sw2m * k.value + sb2m) / qv - c
    df = abs(sw2m * dk / qv - 1)
    err = (sw2m * k.error / qv + abs(f) + q.error / qv * (1 + abs(c))) / df + mf.dps_floor()
    return (Estimate(c, err, "Newton on the c-map (orthant probabilities, mpmath)"),
            sw2m * dk / qv)


def notes(mf: MeanFieldMaps) -> dict[str, str]:
    """The notes of MeanField.point for an activation with jumps, each naming the jump."""
    what = describe_jumps(mf.jumps)
    pm = f"{what}: psi' has a point mass"
    out = {"chi1": f"{pm}; E psi'^2 = inf, so chi1 = inf (seed 000 Eq. (17)). {MEAN_FIELD_CHI1}",
           "mu1": f"{pm}; mu1 = E psi'^2 = inf", "mu2": f"{pm}; mu2 = E psi'^4 = inf",
           "c_star": f"{pm}: the c-map's slope at c = 1 is inf, so c = 1 is an unstable fixed "
                     "point; c* is the stable fixed point < 1",
           "beta": f"{pm}: Stein's route adds sum_j J_j phi_q(x_j) to E psi'",
           "jacobian": FINITE_JACOBIAN if mf.piecewise_constant else
           ("finite network: its Jacobian sees only psi'_ac (the jumps are crossed with "
            "probability 0), so its moments are finite while the mean-field chi1 is inf")}
    return out


def jacobian_statement(act: Any) -> str | None:
    """What a finite network's Jacobian is for an activation with jumps, and why its moments are
    not compared with (64)-(65) (mu1 = mu2 = inf); None without jumps (seed 000 Eqs. (62)-(65))."""
    found = tuple(getattr(act, "jumps", ()) or ())
    if not found:
        return None
    head = f"{getattr(act, 'name', 'psi')}: {describe_jumps(found)}, psi' has a point mass"
    if getattr(act, "piecewise_constant", False):
        return (f"{head}. The finite network's Jacobian is 0 almost everywhere (psi' = 0 off the"
                " jumps; a jump is crossed with probability 0), so m1 = m2 = 0 for every draw."
                f" The mean-field mu1 = E psi'^2 = inf; {MEAN_FIELD_CHI1}. The"
                " moments (64)-(65) do not exist; nothing is compared")
    return (f"{head}. The finite network's Jacobian sees only psi'_ac (finite moments), while the"
            " mean-field mu1 = mu2 = chi1 = inf: the moments (64)-(65) do not exist; nothing is"
            " compared")


def continuous_at_zero(acts: Sequence[Any], what: str) -> list[Any]:
    """The activations without a jump at 0; raises NOT_FINITE (the check is skipped, with why)
    when every one jumps there: E[psi(s z) z]/s = E psi'_ac(s z) + J/(sqrt(2 pi) s) -> inf as
    s -> 0 (seed 000 Eq. (57) needs psi continuous at 0)."""
    keep = [a for a in acts if not any(float(x) == 0 for x, _j in getattr(a, "jumps", ()))]
    if acts and not keep:
        first = acts[0]
        raise TheoryCheckError(
            f"does not apply: {describe_jumps(first.jumps)} ({first.name}), so psi' has a point "
            "mass at 0 and E[psi(s z) z]/s = E psi'_ac(s z) + J/(sqrt(2 pi) s) -> inf as s -> 0;"
            f" {what} needs psi continuous at 0", status=Status.NOT_FINITE)
    return keep
