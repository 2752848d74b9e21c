"""Property tests and assertions for your own pytest suite: the stable public testing API.

Strategies (hypothesis): :func:`activations` (built-in and generated, filtered by parity,
boundedness and smoothness), :func:`plane_points`, :func:`sw2_values`, :func:`sb2_values` (the
``(sw2, sb2)`` plane) and :func:`critical_points` (points of an activation's edge of chaos,
its dynamical-isometry point included).  Assertions: :func:`assert_edge_of_chaos`,
:func:`assert_fixed_point`, :func:`assert_finite` and :func:`assert_claim`; each raises
:class:`AssertionError` with what was expected, what was computed with its error bar, and the
activation, so pytest prints a readable diff.  Mistakes in the arguments raise
:class:`~theorycheck.errors.TheoryCheckError`.

Example (a test module of your own)::

    from hypothesis import given, settings
    from theorycheck.testing import activations, assert_edge_of_chaos, plane_points

    @settings(max_examples=10, deadline=None)
    @given(activations(odd=True, bounded=True, generated=False))
    def test_bounded_odd_activations_have_an_edge_of_chaos(act):
        assert_edge_of_chaos(act, sb2=0.05)

Nothing inside theorycheck imports this module; it sits on the claims engine and the mean-field
layer (``tests/test_architecture.py``).
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
from hypothesis import strategies as st

from theorycheck.activations import BUILTIN_NAMES, Activation, get_activation
from theorycheck.claims.model import RunContext, Verdict
from theorycheck.claims.runner import run_claim, select_claims
from theorycheck.claims.strategies import GeneratedActivation, generated_activations
from theorycheck.claims.strategies import plane_points as _plane_points
from theorycheck.claims.strategies import sb2_values as _sb2_values
from theorycheck.claims.strategies import sw2_values as _sw2_values
from theorycheck.display import cell_text
from theorycheck.errors import Status, TheoryCheckError
from theorycheck.meanfield import EOCPoint, MeanField
from theorycheck.numbers import Estimate, Precision

#: the verdicts :func:`assert_claim` accepts by default: the claim survived, possibly after a
#: corrected misprint or under a stated condition
PASSING_VERDICTS: tuple[str, ...] = ("holds", "holds-corrected", "conditional")
#: the bias variances :func:`critical_points` puts on the edge of chaos by default
CRITICAL_SB2: tuple[float, ...] = (0.0, 0.05, 0.1, 0.5)
#: generated terms left out of :func:`activations`: for hardtanh(b tanh(.)), hardtanh(b erf(.))
ActivationLike = Activation | str


# -- strategies ---------------------------------------------------------------------------------
def _resolve(act: ActivationLike | GeneratedActivation) -> Activation:
    """An :class:`Activation` from an Activation, a name or formula, or a generated one."""
    if isinstance(act, GeneratedActivation):
        return act.activation()
    if isinstance(act, Activation):
        return act
    if isinstance(act, str):
        return get_activation(act)
    raise TheoryCheckError(f"expected an Activation, a name or a formula, got {act!r}",
                           status=Status.INVALID_ARGUMENT)


def has_properties(act: Activation, *, odd: bool | None = None, bounded: bool | None = None,
                   smooth: bool | None = None) -> bool:
    """Whether ``act`` has the asked properties, as :attr:`Activation.properties` computes
    them (parity ``"odd"``; ``bounded`` on the whole line; ``smooth``: C^2, no kink).
    None leaves a property free (nothing is computed when all three are None)."""
    if odd is None and bounded is None and smooth is None:
        return True
    p = act.properties
    return ((odd is None or (p.parity == "odd") == odd)
            and (bounded is None or p.bounded == bounded)
            and (smooth is None or p.smooth == smooth))


@functools.cache
def _builtins(odd: bool | None, bounded: bool | None, smooth: bool | None
              ) -> tuple[Activation, ...]:
    """The built-in activations with the asked properties, aliases counted once."""
    unique: dict[str, Activation] = {}
    for name in BUILTIN_NAMES:
        act = get_activation(name)
        unique.setdefault(str(act.expr), act)
    return tuple(a for a in unique.values()
                 if has_properties(a, odd=odd, bounded=bounded, smooth=smooth))


def activations(*, builtin: bool = True, generated: bool = True, odd: bool | None = None,
                bounded: bool | None = None, smooth: bool | None = None, max_terms: int = 2
                ) -> st.SearchStrategy[Activation]:
    """Activations psi, as :class:`~theorycheck.activations.Activation` objects.

    ``builtin``: draw from the built-ins (``tanh``, ``relu``, ...; shrinking prefers these);
    ``generated``: draw new formulas from the grammar of
    :mod:`theorycheck.claims.strategies` (sums of at most ``max_terms`` terms a g(b u(x))).
    ``odd``, ``bounded``, ``smooth``: True asks for the property, False for its absence, None
    leaves it free.  Every drawn activation is *checked* against its computed properties
    (:func:`has_properties`), not only trusted to its construction.  Cost: the properties of a
    generated formula take ~0.01-0.5 s (SymPy; a few take ~5 s), the built-ins' are computed
    once.

    >>> from hypothesis import given
    >>> @given(activations(odd=True, generated=False))
    ... def test_odd(act):
    ...     assert act.properties.parity == "odd"
    >>> test_odd()
    """
    if not (builtin or generated):
        raise TheoryCheckError("activations(): builtin and generated cannot both be False",
                               status=Status.INVALID_ARGUMENT)
    parts: list[st.SearchStrategy[Activation]] = []
    if builtin:
        parts.append(st.deferred(lambda: st.sampled_from(_builtins(odd, bounded, smooth))))
    if generated:
        grammar = generated_activations(odd=odd, bounded=bounded,
                                        smooth=True if smooth else None, max_terms=max_terms)
        parts.append(grammar.map(GeneratedActivation.activation).filter(
            lambda a: has_properties(a, odd=odd, bounded=bounded, smooth=smooth)))
    return st.one_of(parts)


def sw2_values(lo: float = 0.05, hi: float = 5.0) -> st.SearchStrategy[float]:
    """Weight variances sw2 in [lo, hi]: simple values (1, 2, 1/2, ...) or any float."""
    return _sw2_values(lo, hi)


def sb2_values(lo: float = 0.0, hi: float = 2.0) -> st.SearchStrategy[float]:
    """Bias variances sb2 in [lo, hi]: the boundary 0 (when lo = 0) or any float."""
    return _sb2_values(lo, hi)


def plane_points(sw2: tuple[float, float] = (0.05, 5.0), sb2: tuple[float, float] = (0.0, 2.0)
                 ) -> st.SearchStrategy[tuple[float, float]]:
    """Points (sw2, sb2) of the plane in the given ranges, boundary and simple values included."""
    return _plane_points(sw2, sb2)


@functools.cache
def _critical_point(act: Activation, sb2: float, dps: int) -> tuple[float, float] | None:
    try:
        pt = MeanField(act, dps=dps).eoc_sw2(sb2)
    except TheoryCheckError:
        return None
    return float(pt.sw2.value), float(pt.sb2.value)


def critical_points(act: ActivationLike, *, sb2: Sequence[float] = CRITICAL_SB2, dps: int = 15
                    ) -> st.SearchStrategy[tuple[float, float]]:
    """Points (sw2, sb2) on the edge of chaos chi1 = 1 of ``act`` (seed 000 Eqs. (16)-(17)).

    One point per bias variance in ``sb2`` with sw2 = :meth:`MeanField.eoc_sw2` (at ``dps``
    digits); at sb2 = 0 for psi(0) = 0, psi'(0) != 0 this is the dynamical-isometry point
    (1/psi'(0)^2, 0) (seed 000 Eqs. (58)-(59)).  Bias variances without an EOC point are left
    out (hypothesis reports the test unsatisfiable when none has one, e.g. relu at sb2 > 0).
    Each point is computed once (~1.5 s) and remembered.
    """
    activation = _resolve(act)
    chosen = tuple(float(b) for b in sb2)
    if not chosen or any(b < 0 for b in chosen):
        raise TheoryCheckError(f"critical_points(): sb2 must be non-empty and >= 0, got {sb2}",
                               status=Status.INVALID_ARGUMENT)
    points = st.sampled_from(chosen).map(lambda b: _critical_point(activation, b, dps))
    return points.filter(lambda p: p is not None)  # type: ignore[return-value]


# -- assertions ---------------------------------------------------------------------------------
def _label(act: Activation) -> str:
    return f"{act.name} (psi = {act.expr})"


def _failure(title: str, rows: Sequence[tuple[str, str]]) -> AssertionError:
    """An AssertionError whose message is ``title`` and aligned ``name: value`` lines."""
    width = max((len(k) for k, _ in rows), default=0)
    body = "\n".join(f"  {k.ljust(width)}  {v}" for k, v in rows)
    return AssertionError(f"{title}\n{body}" if rows else title)


def _fmt(est: Estimate, digits: int = 16) -> str:
    return f"{mp.nstr(est.value, digits)} ± {mp.nstr(est.error, 3)}"


def _phase(chi: Estimate) -> str:
    return "ordered (chi1 < 1)" if chi.value < 1 else "chaotic (chi1 > 1)" \
        if chi.value > 1 else "critical"


def _chi1_on_line(mf: MeanField, act: Activation, pt: EOCPoint) -> Estimate:
    """chi1 at an EOC point, recomputed from the variance map's own stable fixed point; at the
    dynamical-isometry point (q* = 0, a marginal fixed point the map's scan cannot isolate)
    chi1 = sw2 psi'(0)^2 with psi'(0) from the activation's exact properties (seed 000
    Eqs. (17), (58))."""
    dpsi0 = act.properties.dpsi0
    if pt.q_star.value == 0 and pt.sb2.value == 0 and dpsi0 is not None:
        with mf.precision.work():
            slope2 = mp.mpf(str(dpsi0.evalf(mf.precision.working_dps))) ** 2
            return Estimate(pt.sw2.value * slope2, pt.sw2.error * slope2, "sw2 psi'(0)^2")
    return mf.chi1(pt.sw2.value, pt.sb2.value)


def assert_edge_of_chaos(act: ActivationLike, *, sb2: float | None = None,
                         sw2: float | None = None, rel: float = 1e-8, dps: int = 20) -> EOCPoint:
    """Assert that ``act`` has an edge-of-chaos point chi1 = 1 at the given variances.

    chi1 = sw2 E psi'(sqrt(q*) z)^2 at the stable fixed point q* (seed 000 Eq. (17), seed 002
    Eq. (8)).  Given ``sb2``: sw2 = :meth:`MeanField.eoc_sw2` (given ``sw2`` only:
    sb2 = :meth:`MeanField.eoc_sb2`); the EOC must exist, and chi1 recomputed there from the
    variance map's own fixed point must be 1 within ``rel`` plus the error bars.  Given both,
    ``sw2`` must also equal sw2*(sb2) within ``rel`` (relative) plus its error bar.  ``dps``:
    digits of the mpmath computation (~2 s).  Returns the :class:`EOCPoint`.

    >>> pt = assert_edge_of_chaos("tanh", sb2=0.05)      # doctest: +SKIP
    >>> float(pt.sw2.value)                              # doctest: +SKIP
    1.760954639606...
    """
    if sb2 is None and sw2 is None:
        raise TheoryCheckError("assert_edge_of_chaos(): give sb2, sw2 or both",
                               status=Status.INVALID_ARGUMENT)
    activation = _resolve(act)
    mf = MeanField(activation, dps=dps)
    where = ", ".join(f"{k} = {v}" for k, v in (("sw2", sw2), ("sb2", sb2)) if v is not None)
    title = f"edge of chaos of {_label(activation)} at {where}"
    try:
        pt = mf.eoc_sw2(sb2) if sb2 is not None else mf.eoc_sb2(sw2)
    except TheoryCheckError as err:
        raise _failure(f"{title}: no EOC point", [("reason", f"[{err.status}] {err.message}")]
                       ) from None
    notes = [(f"note ({k})", v) for k, v in pt.notes.items()]
    computed = [("computed sw2", _fmt(pt.sw2)), ("computed sb2", _fmt(pt.sb2)),
                ("q* there", _fmt(pt.q_star))]
    try:
        chi = _chi1_on_line(mf, activation, pt)
    except TheoryCheckError as err:
        raise _failure(f"{title}: chi1 undefined at the EOC point",
                       [*computed, ("reason", f"[{err.status}] {err.message}"), *notes]) from None
    tol = rel + chi.error + pt.sw2.error / abs(pt.sw2.value)
    if not abs(chi.value - 1) <= tol:
        raise _failure(f"{title}: chi1 != 1 at the computed EOC point", [
            ("expected chi1", "1"), ("computed chi1", _fmt(chi)),
            ("|chi1 - 1|", f"{mp.nstr(abs(chi.value - 1), 3)} > tolerance {mp.nstr(tol, 3)}"),
            *computed, *notes])
    if sw2 is not None and sb2 is not None:
        diff = abs(mp.mpf(sw2) - pt.sw2.value)
        tol = rel * abs(pt.sw2.value) + pt.sw2.error
        if not diff <= tol:
            try:
                here = mf.chi1(sw2, sb2)
                at_given = f"{_fmt(here)}: {_phase(here)}"
            except TheoryCheckError as err:
                at_given = f"undefined ([{err.status}] {err.message})"
            raise _failure(f"{title}: (sw2, sb2) is not on the edge of chaos", [
                ("expected sw2", f"{sw2} (given)"), ("computed sw2", _fmt(pt.sw2)),
                ("|difference|", f"{mp.nstr(diff, 3)} > tolerance {mp.nstr(tol, 3)}"
                                 f" (rel = {rel} + error bar)"),
                ("chi1 at the given point", at_given), *notes])
    return pt


def assert_fixed_point(act: ActivationLike, sw2: float, sb2: float, *,
                       q_star: float | None = None, rel: float = 1e-8, dps: int = 20) -> Estimate:
    """Assert that the variance map q -> sw2 E psi(sqrt(q) z)^2 + sb2 has a unique stable fixed
    point q* at (sw2, sb2) (seed 000 Eqs. (9), (52); seed 002 Eq. (3)) that solves it within
    ``rel`` (relative) plus the error bars, and, given ``q_star``, equals it within the same.
    Returns q* as an :class:`Estimate`.  Cost ~0.5 s at 20 digits.

    >>> q = assert_fixed_point("tanh", 1.5, 0.05, q_star=0.4180372005)   # doctest: +SKIP
    """
    activation = _resolve(act)
    mf = MeanField(activation, dps=dps)
    title = f"fixed point q* of {_label(activation)} at sw2 = {sw2}, sb2 = {sb2}"
    try:
        q = mf.q_star(sw2, sb2)
    except TheoryCheckError as err:
        raise _failure(f"{title}: none", [("reason", f"[{err.status}] {err.message}")]) from None
    image = mf.variance_map(q.value, sw2, sb2)
    residual = abs(image.value - q.value)
    tol = rel * abs(q.value) + image.error + 2 * q.error
    if not residual <= tol:
        raise _failure(f"{title}: q* does not solve q = sw2 E psi^2 + sb2", [
            ("computed q*", _fmt(q)), ("map(q*)", _fmt(image)),
            ("|map(q*) - q*|", f"{mp.nstr(residual, 3)} > tolerance {mp.nstr(tol, 3)}")])
    if q_star is not None:
        diff = abs(mp.mpf(q_star) - q.value)
        tol = rel * abs(q.value) + q.error
        if not diff <= tol:
            raise _failure(f"{title}: wrong q*", [
                ("expected q*", f"{q_star} (given)"), ("computed q*", _fmt(q)),
                ("|difference|", f"{mp.nstr(diff, 3)} > tolerance {mp.nstr(tol, 3)}"
                                 f" (rel = {rel} + error bar)")])
    return q


#: how :func:`assert_finite` computes each quantity of :attr:`MeanFieldPoint.NUMBERS`
_AT_POINT: dict[str, Callable[[MeanField, float, float], Estimate | None]] = {
    "q_star": lambda mf, w, b: mf.q_star(w, b),
    "chi1": lambda mf, w, b: mf.chi1(w, b),
    "beta": lambda mf, w, b: mf.beta(w, b),
    "mu1": lambda mf, w, b: mf.mu(1, w, b),
    "mu2": lambda mf, w, b: mf.mu(2, w, b),
    "c_star": lambda mf, w, b: mf.c_star(w, b),
    "xi_q": lambda mf, w, b: mf.xi_q(w, b),
    "xi_c": lambda mf, w, b: mf.xi_c(w, b),
}


def assert_finite(act: ActivationLike, sw2: float, sb2: float, *,
                  quantities: Sequence[str] = ("q_star", "chi1"), dps: int = 15
                  ) -> dict[str, Estimate]:
    """Assert that each mean-field quantity in ``quantities`` is defined and finite at
    (sw2, sb2): ``q_star`` (seed 000 Eq. (52)), ``chi1`` (Eq. (17)), ``beta`` (Eq. (38)),
    ``mu1``, ``mu2`` (Eq. (65)), ``c_star``, ``xi_q``, ``xi_c`` (seed 002 Eqs. (9)-(10)), as
    :class:`~theorycheck.meanfield.MeanField` computes them at ``dps`` digits (~0.2 s each).
    chi1 = inf for an activation with a jump; no q* where the variance map has no unique
    stable fixed point.  Returns the quantities as :class:`Estimate` objects.

    >>> assert_finite("tanh", 1.5, 0.05)["chi1"].value > 0   # doctest: +SKIP
    True
    """
    unknown = [q for q in quantities if q not in _AT_POINT]
    if unknown or not quantities:
        raise TheoryCheckError(f"assert_finite(): unknown quantities {unknown} (known:"
                               f" {', '.join(_AT_POINT)})", status=Status.INVALID_ARGUMENT)
    activation = _resolve(act)
    mf = MeanField(activation, dps=dps)
    title = f"mean field of {_label(activation)} at sw2 = {sw2}, sb2 = {sb2}"
    out: dict[str, Estimate] = {}
    for name in quantities:
        try:
            est = _AT_POINT[name](mf, sw2, sb2)
        except TheoryCheckError as err:
            raise _failure(f"{title}: {name} is undefined",
                           [("reason", f"[{err.status}] {err.message}"),
                            *((k, _fmt(v)) for k, v in out.items())]) from None
        if est is None or not (mp.isfinite(est.value) and mp.isfinite(est.error)):
            raise _failure(f"{title}: {name} is not finite", [
                (name, "undefined (None)" if est is None else _fmt(est)),
                *((f"{k}", _fmt(v)) for k, v in out.items())])
        out[name] = est
    return out


def _command(claim_id: str, profile: str, seed: int, dps: int,
             acts: Sequence[Activation]) -> str:
    words = ["theorycheck", "verify", claim_id, "--profile", profile, "--seed", str(seed),
             "--dps", str(dps)]
    for act in acts:
        words += ["--activation", act.name if act.builtin else act.formula]
    return shlex.join(words)


def _claim_failure(record: dict[str, Any], allowed: Sequence[str], command: str
                   ) -> AssertionError:
    """The failure message of :func:`assert_claim`: verdict, the checks that decided it (with
    their shrunk counterexamples), the condition and findings, and the command to repeat it."""
    rows: list[tuple[str, str]] = [("statement", record["statement"])]
    decided = [c for c in record["checks"] if c["status"] == "failed"]
    if record["verdict"] == "inconclusive":
        decided = [c for c in record["checks"] if c["status"] == "skipped" or c["inconclusive"]]
    for c in decided:
        rows.append((f"{c['status']} {c['method']} check", f"{c['name']!r}: {c['summary']}"))
        for key, value in (c.get("counterexample") or {}).items():
            rows.append((f"  counterexample {key}", cell_text(value)))
    if record["condition"]:
        rows.append(("condition", record["condition"]))
    for f in record["findings"]:
        rows.append((f"finding ({f['kind']})",
                     f"{f['where']}: printed {f['printed']} -> {f['corrected']}"))
    rows.append(("repeat with", command))
    return _failure(f"claim {record['id']!r} ({record['source']}): verdict"
                    f" '{record['verdict']}', expected one of {', '.join(allowed)}", rows)


def assert_claim(claim_id: str, *, activation: ActivationLike | Sequence[ActivationLike] | None
                 = None, verdict_in: Sequence[str] = PASSING_VERDICTS, profile: str = "quick",
                 seed: int = 0, dps: int | None = None) -> dict[str, Any]:
    """Run claim ``claim_id`` through the engine (as ``theorycheck verify`` does) and assert
    that its verdict is one of ``verdict_in``.

    ``activation``: an activation (or several) the claim checks instead of its defaults;
    ``profile``: ``quick`` or ``full``; ``seed``: hypothesis and simulation seed; ``dps``:
    digits (default 30).  On failure the message holds the verdict, each failed check's
    summary with its shrunk counterexample, the findings and the ``verify`` command that
    repeats the run.  Returns the claim's record (one entry of ``results.json``'s ``claims``).

    >>> record = assert_claim("sylvester-cholesky")       # doctest: +SKIP
    >>> record["verdict"]                                  # doctest: +SKIP
    'holds'
    """
    try:
        allowed = tuple(str(Verdict(v)) for v in verdict_in)
    except ValueError:
        raise TheoryCheckError(f"assert_claim(): verdict_in {tuple(verdict_in)} holds an unknown"
                               f" verdict (known: {', '.join(map(str, Verdict))})",
                               status=Status.INVALID_ARGUMENT) from None
    if profile not in ("quick", "full"):
        raise TheoryCheckError(f"assert_claim(): profile must be quick or full, got {profile!r}",
                               status=Status.INVALID_ARGUMENT)
    named = [] if activation is None else [activation] if isinstance(
        activation, (str, Activation)) else list(activation)
    acts = tuple(_resolve(a) for a in named)
    precision = Precision(30 if dps is None else dps)
    (claim,) = select_claims([claim_id])
    ctx = RunContext(profile="quick" if profile == "quick" else "full", precision=precision,
                     seed=seed, activations=acts,
                     command=_command(claim_id, profile, seed, precision.dps, acts))
    record = run_claim(claim, ctx)
    if record["verdict"] not in allowed:
        raise _claim_failure(record, allowed, ctx.command)
    return record


__all__ = [
    "CRITICAL_SB2",
    "PASSING_VERDICTS",
    "activations",
    "assert_claim",
    "assert_edge_of_chaos",
    "assert_finite",
    "assert_fixed_point",
    "critical_points",
    "has_properties",
    "plane_points",
    "sb2_values",
    "sw2_values",
]
