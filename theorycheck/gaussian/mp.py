"""High-precision Gaussian expectations with mpmath (the reference engine).

``expect_mp`` computes E_z f(sqrt(q) z), z ~ N(0, 1); ``expect2_mp`` computes E f(u1) g(u2) for a
centred bivariate Gaussian (seed 000, Eq. (14); seed 002, Eqs. (5)-(7)).  Both integrate with
tanh-sinh quadrature (``mpmath.quad``) split at the integrand's kinks, twice: once at
``dps + guard`` digits on one set of panels, once at ``dps + 2 guard`` digits on a different set
(extra split points), so the two evaluations share no nodes.  Their difference is the reported
error.  When they disagree beyond ``10**-dps`` (relative to max(1, |value|)) the precision is
raised once; if that still fails, ``PRECISION_NOT_REACHED`` is raised.  Cost: about 0.1-0.2 s per
one-dimensional evaluation at 30 digits, 0.3-0.5 s at 100 digits; the bivariate integral nests two
such quadratures and is ~100x dearer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import mpmath as mp

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.numbers import Estimate

MpFunc = Callable[[mp.mpf], mp.mpf]

GUARD = 10
_TAIL_POINTS = (8, 16, 32, 64, 128)
#: the node table of the innermost :func:`shared_nodes` block (None outside every block)
_shared: dict[Any, Any] | None = None


@contextlib.contextmanager
def shared_nodes() -> Iterator[None]:
    """Inside the block, what :func:`expect_mp` integrands compute at a quadrature node is
    computed once per (precision, node): the Gaussian weight e^{-z^2/2} and sqrt(2 pi), and the
    values of functions wrapped by :func:`node_shared` (psi, psi' shared by E psi^2, E psi'^2,
    E psi'^4, ... at one q). The same operations on the same mpf at the same precision, so
    every result is bit-identical to computing them again; the table is dropped on exit.
    """
    global _shared
    outer = _shared
    _shared = {} if outer is None else outer
    try:
        yield
    finally:
        _shared = outer


def node_shared(fn: MpFunc) -> MpFunc:
    """``fn`` with its values remembered per (precision, argument) inside :func:`shared_nodes`
    (outside every block it is just ``fn``)."""
    tag = object()

    def call(u: mp.mpf) -> mp.mpf:
        table = _shared
        if table is None:
            return fn(u)
        key = (tag, mp.mp.prec, u)
        hit = table.get(key)
        if hit is None:
            hit = table[key] = fn(u)
        return hit
    return call


def _weight(z: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    """(e^{-z^2/2}, sqrt(2 pi)) at the current precision, shared inside :func:`shared_nodes`."""
    table = _shared
    key = ("weight", mp.mp.prec, z)
    hit = None if table is None else table.get(key)
    if hit is None:
        hit = (mp.exp(-z * z / 2), mp.sqrt(2 * mp.pi))
        if table is not None:
            table[key] = hit
    return hit


def _target(dps: int, value: mp.mpf) -> mp.mpf:
    return mp.mpf(10) ** (-dps) * max(mp.mpf(1), abs(value))


def _check_decay(h: MpFunc, what: str) -> None:
    """Raise DIVERGENT_INTEGRAL when the weighted integrand |h(z)| does not decay as |z| grows.

    ``h`` already includes the Gaussian weight.  We look at |h| at |z| = 8, 16, ..., 128 on both
    sides: a convergent Gaussian integrand of at most exponential growth is negligible there
    (below 1e-10 of its largest sampled value and decreasing); a non-decaying one (e.g.
    exp(x**2)**2 under N(0, q) with q >= 1/4) is not.
    """
    for sign in (1, -1):
        vals = []
        for t in _TAIL_POINTS:
            try:
                v = abs(h(mp.mpf(sign * t)))
            except (ZeroDivisionError, OverflowError, ValueError) as err:
                raise TheoryCheckError(f"{what}: integrand cannot be evaluated at z={sign * t}"
                                       f" ({err})", status=Status.DIVERGENT_INTEGRAL) from None
            if not mp.isfinite(v):
                raise TheoryCheckError(f"{what}: integrand is not finite at z={sign * t}",
                                       status=Status.DIVERGENT_INTEGRAL)
            vals.append(v)
        peak = max(vals)
        if peak == 0:
            continue
        if vals[-1] > mp.mpf(10) ** -10 * peak and vals[-1] >= vals[-2]:
            raise TheoryCheckError(
                f"{what}: the Gaussian integrand does not decay (|value| at z={sign * 128} is "
                f"{mp.nstr(vals[-1], 3)}); the expectation diverges",
                status=Status.DIVERGENT_INTEGRAL)
        if vals[-1] > 1:
            raise TheoryCheckError(
                f"{what}: the Gaussian integrand is still {mp.nstr(vals[-1], 3)} at "
                f"z={sign * 128}; the expectation diverges or is beyond range",
                status=Status.DIVERGENT_INTEGRAL)


def _panels(points: Sequence[mp.mpf], extra: Sequence[float], zc: mp.mpf | None = None
            ) -> list[mp.mpf]:
    """Panel boundaries on [-zc, zc] (or the real line), split at points and extra."""
    lim = mp.inf if zc is None else zc
    pts = sorted({mp.mpf(p) for p in points if abs(p) < lim} | {mp.mpf(e) for e in extra})
    return [-lim, *pts, lim]


def _z_cut(dps: int) -> mp.mpf:
    """|z| beyond which the Gaussian weight is below 10**-(2 (dps + 3 guard + 20)).

    The integrand is set to 0 there, so tanh-sinh nodes far out (|z| ~ 1e30) never evaluate
    the activation where it over- or underflows (inf * 0); :func:`_check_decay` has already
    established that the integrand decays, so the cut costs nothing at the requested digits.
    """
    return 2 * mp.sqrt(2 * (dps + 3 * GUARD + 20) * mp.log(10))


def _two_evaluations(raw: MpFunc, split: Sequence[mp.mpf], dps: int, what: str) -> Estimate:
    """Integrate raw over R twice (two precisions, two panel sets) and compare."""
    _check_decay(raw, what)
    zc = _z_cut(dps)

    def h(z: mp.mpf) -> mp.mpf:
        return mp.mpf(0) if abs(z) > zc else raw(z)

    for attempt, guard in enumerate((GUARD, 3 * GUARD)):
        with mp.workdps(dps + guard):
            a = mp.quad(h, _panels(split, (), zc))
        with mp.workdps(dps + 2 * guard):
            extra = (-2.5, 1.5) if attempt == 0 else (-3.25, -0.75, 0.5, 2.75)
            b = mp.quad(h, _panels(split, extra, zc))
        if not (mp.isfinite(a) and mp.isfinite(b)):
            raise TheoryCheckError(f"{what}: quadrature returned a non-finite value",
                                   status=Status.DIVERGENT_INTEGRAL)
        with mp.workdps(dps + 2 * guard):  # never round to the caller's (default 15-digit) context
            err = abs(a - b)
            if err <= _target(dps, b):
                method = "tanh-sinh, two precisions and two panel sets"
                if attempt:
                    method += f" (working precision raised to {dps + 2 * guard} digits)"
                return Estimate(b, err, method)
    raise TheoryCheckError(
        f"{what}: two quadratures differ by {mp.nstr(err, 3)}, more than the 1e-{dps} asked for;"
        " is the integrand kinked at a point not given as a breakpoint?",
        status=Status.PRECISION_NOT_REACHED, difference=mp.nstr(err, 5))


def expect_mp(f: MpFunc, q: mp.mpf | float | str, *, dps: int = 30,
              breakpoints: Sequence[mp.mpf | float] = ()) -> Estimate:
    """Gaussian expectation E_z f(sqrt(q) z), z ~ N(0,1), to ``dps`` digits.

    .. math:: \\int Dz\\, f(\\sqrt{q} z)

    ``f`` takes and returns mpmath numbers (evaluated at the working precision); ``q`` is the
    variance (``q = 0`` gives ``f(0)`` exactly); ``breakpoints`` are the points in x where f is not
    smooth (activation kinks), mapped to z = b / sqrt(q).  Used for seed 000, Eqs. (9), (17), (38);
    seed 002, Eqs. (3), (8).  Accuracy: ``error`` is |difference| of two tanh-sinh evaluations
    (see module docstring); raises DIVERGENT_INTEGRAL / PRECISION_NOT_REACHED.
    """
    if dps < 5:
        raise TheoryCheckError(f"dps must be at least 5, got {dps}")
    with mp.workdps(dps + 3 * GUARD):
        qm = mp.mpf(q)
        if qm < 0:
            raise TheoryCheckError(f"variance q must be >= 0, got {q}")
        if qm == 0:
            v = +f(mp.mpf(0))
            if not mp.isfinite(v):
                raise TheoryCheckError("f(0) is not finite", status=Status.NOT_FINITE)
            return Estimate(v, mp.mpf(0), "exact (q = 0)")
    s_holder: dict[str, mp.mpf] = {}

    def h(z: mp.mpf) -> mp.mpf:
        s = s_holder.get(str(mp.mp.prec))
        if s is None:
            s = mp.sqrt(mp.mpf(q))
            s_holder[str(mp.mp.prec)] = s
        weight, root = _weight(z)
        return f(s * z) * weight / root

    with mp.workdps(dps + 3 * GUARD):
        split = [mp.mpf(b) / mp.sqrt(qm) for b in breakpoints] or [mp.mpf(0)]
    return _two_evaluations(h, split, dps, f"E f(sqrt(q) z) at q={mp.nstr(qm, 8)}")


def expect2_mp(f: MpFunc, g: MpFunc, q1: mp.mpf | float | str, q2: mp.mpf | float | str,
               c: mp.mpf | float | str, *, dps: int = 30,
               breakpoints: Sequence[mp.mpf | float] = ()) -> Estimate:
    """Bivariate Gaussian expectation E f(u1) g(u2), Var u1 = q1, Var u2 = q2, corr(u1, u2) = c.

    .. math:: \\int Dz_1 Dz_2\\, f(\\sqrt{q_1} z_1)\\, g(\\sqrt{q_2}(c z_1 + \\sqrt{1-c^2} z_2))

    (seed 000, Eq. (14); seed 002, Eqs. (5)-(7)).  ``c = +-1`` reduces to a one-dimensional
    integral.  Otherwise the inner z2 integral is done for each outer node, split where
    u2 crosses a breakpoint.  Accuracy as :func:`expect_mp`; cost ~ (outer nodes) x (inner
    quadrature); see the measured cost in tests/test_gaussian.py -- prefer the 1-D route or the
    float64 :meth:`GridEngine.expect2` where they suffice.
    """
    with mp.workdps(dps + 3 * GUARD):
        cm, q1m, q2m = mp.mpf(c), mp.mpf(q1), mp.mpf(q2)
    if abs(cm) > 1 or q1m < 0 or q2m < 0:
        raise TheoryCheckError(f"need |c| <= 1 and q1, q2 >= 0 (got c={c}, q1={q1}, q2={q2})")
    if abs(cm) == 1 or q1m == 0 or q2m == 0:
        if q1m == 0 or q2m == 0:
            if q1m == 0:
                f0 = f(mp.mpf(0))
                return _scale(expect_mp(g, q2m, dps=dps, breakpoints=breakpoints), f0, dps)
            g0 = g(mp.mpf(0))
            return _scale(expect_mp(f, q1m, dps=dps, breakpoints=breakpoints), g0, dps)

        def fg(x: mp.mpf) -> mp.mpf:
            r = mp.sqrt(q2m / q1m)
            return f(x) * g(cm * r * x)

        bps = list(breakpoints) + [cm * mp.sqrt(q1m / q2m) * b for b in breakpoints]
        return expect_mp(fg, q1m, dps=dps, breakpoints=bps)

    def inner(z1: mp.mpf) -> mp.mpf:
        s1, s2 = mp.sqrt(q1m), mp.sqrt(q2m)
        r = mp.sqrt(1 - cm * cm)
        fz = f(s1 * z1)
        if fz == 0:
            return mp.mpf(0)
        pts = [mp.mpf(0)] + [(b / s2 - cm * z1) / r for b in breakpoints]
        w = mp.quad(lambda z2: g(s2 * (cm * z1 + r * z2)) * mp.exp(-z2 * z2 / 2),
                    _panels(pts, (), _z_cut(dps)))
        return fz * w * mp.exp(-z1 * z1 / 2) / (2 * mp.pi)

    with mp.workdps(dps + 3 * GUARD):
        split = [b / mp.sqrt(q1m) for b in breakpoints] or [mp.mpf(0)]
    return _two_evaluations(inner, split, dps,
                            f"E f(u1) g(u2) at q1={mp.nstr(q1m, 6)}, q2={mp.nstr(q2m, 6)},"
                            f" c={mp.nstr(cm, 6)}")


def _scale(e: Estimate, k: mp.mpf, dps: int) -> Estimate:
    with mp.workdps(dps + 3 * GUARD):
        return Estimate(e.value * k, e.error * abs(k), e.method)
