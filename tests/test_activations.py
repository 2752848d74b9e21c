"""Activations: built-in properties against known truths, callables against each other.

Tolerances: numpy vs mpmath(30 digits) at 1e-12 relative to 1 + |value| (float64 evaluation of
closed forms, a few ulps times the condition number of exp-based derivatives); central finite
differences of psi^(k) vs psi^(k+1) at 1e-6 (step 1e-5: truncation O(h^2 psi''') + rounding
O(eps/h)); torch(float64) vs numpy at 1e-12.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from theorycheck.activations import (
    BUILTIN_NAMES,
    Activation,
    ActivationProperties,
    X,
    get_activation,
)
from theorycheck.activations.builtins import REGISTRY
from theorycheck.errors import Status, TheoryCheckError

NAMES = sorted(REGISTRY)
SMOOTH_POINTS = np.array([-7.3, -2.1, -0.6, 0.37, 1.3, 2.9, 6.2])


def props(name: str) -> ActivationProperties:
    return get_activation(name).properties


def test_registry_names_and_aliases() -> None:
    expected = {"tanh", "erf", "arctan", "softsign", "sigmoid", "hardtanh", "relu", "linear",
                "selu", "elu", "gelu", "swish", "softplus"}
    assert set(NAMES) == expected
    for alias in ("atan", "silu", "swish", "arctan", "TANH"):
        assert alias.lower() in BUILTIN_NAMES
        assert isinstance(get_activation(alias), Activation)
    assert get_activation("silu") is get_activation("swish")
    assert get_activation("atan") is get_activation("arctan")


def test_cache_by_canonical_text() -> None:
    a = get_activation("x/(1+Abs(x))")
    assert get_activation("x/(Abs(x) + 1)") is a
    assert get_activation("  x/(1+Abs(x)) ") is a
    assert get_activation(a) is a
    assert a.expr == get_activation("softsign").expr


def test_unknown_name() -> None:
    with pytest.raises(TheoryCheckError) as e:
        get_activation("tanhh")
    assert e.value.status == Status.UNKNOWN_ACTIVATION
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("name", NAMES)
def test_formula_round_trips(name: str) -> None:
    act = get_activation(name)
    assert get_activation(act.formula).expr == act.expr
    assert name in repr(act)


def test_expr_in_real_symbol_x() -> None:
    for name in NAMES:
        act = get_activation(name)
        assert act.x is X and X.is_real
        assert act.expr.free_symbols == {X}


def test_torch_not_imported_by_package() -> None:
    code = ("import sys, theorycheck.activations as a; a.get_activation('tanh').numpy(1)(0.3);"
            "a.get_activation('relu').properties; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --- properties against known truths ------------------------------------------------------


def test_tanh_properties() -> None:
    p = props("tanh")
    assert (p.psi0, p.dpsi0, p.parity) == (0, 1, "odd")
    assert p.bounded and p.monotone == "increasing" and p.smooth and p.kinks == ()
    # a source calls tanh "convex on [0, inf)": it is concave there, not convex
    assert p.concave_on_positive is True and p.convex_on_positive is False
    assert (p.limit_neg, p.limit_pos) == (-1, 1)
    assert p.decided_by["parity"] == "symbolic" and p.decided_by["bounded"] == "symbolic"
    assert p.decided_by["convex_on_positive"] == "symbolic"  # an exact counterexample


def test_relu_properties() -> None:
    p = props("relu")
    assert p.kinks == (0,) and not p.smooth
    assert p.dpsi0 is None and (p.dpsi0_left, p.dpsi0_right) == (0, 1)
    assert p.psi0 == 0 and p.parity == "neither" and not p.bounded
    assert p.monotone == "increasing"
    assert p.concave_on_positive and p.convex_on_positive  # linear on (0, inf)
    assert (p.growth_neg, p.growth_pos) == ("bounded", "polynomial")
    assert get_activation("relu").kinks == (0,)


def test_sigmoid_properties() -> None:
    p = props("sigmoid")
    assert p.psi0 == sp.Rational(1, 2) and p.dpsi0 == sp.Rational(1, 4)
    assert p.parity == "neither" and p.bounded and p.monotone == "increasing"
    assert p.concave_on_positive and not p.convex_on_positive


def test_erf_dpsi0() -> None:
    p = props("erf")
    assert sp.simplify(p.dpsi0 - 2 / sp.sqrt(sp.pi)) == 0
    assert p.parity == "odd" and p.bounded and p.concave_on_positive


def test_elu_is_c1_not_c2() -> None:
    # elu (alpha = 1): psi' is continuous at 0 (1 from both sides) but psi'' jumps (1 -> 0),
    # so 0 is a kink in the C^2 sense used by `kinks`, while dpsi0 exists.
    p = props("elu")
    assert p.dpsi0 == 1 and p.kinks == (0,) and not p.smooth
    act = get_activation("elu")
    assert act.numpy(2)(-1e-9) == pytest.approx(1.0) and act.numpy(2)(1e-9) == 0.0


def test_selu_properties() -> None:
    p = props("selu")
    lam = sp.Float("1.0507009873554804934193349852946", 32)
    alpha = sp.Float("1.6732632423543772848170429916717", 32)
    assert p.kinks == (0,) and p.dpsi0 is None
    assert abs(p.dpsi0_right - lam) < 1e-30 and abs(p.dpsi0_left - lam * alpha) < 1e-30
    assert p.psi0 == 0 and p.monotone == "increasing"


def test_hardtanh_softsign_and_others() -> None:
    h = props("hardtanh")
    assert h.kinks == (-1, 1) and h.dpsi0 == 1 and h.parity == "odd" and h.bounded
    s = props("softsign")
    # softsign'' = -2 sign(x)/(1+|x|)^3 jumps at 0: C^1 but not C^2
    assert s.kinks == (0,) and s.dpsi0 == 1 and s.parity == "odd" and s.concave_on_positive
    assert props("linear").parity == "odd" and props("linear").dpsi0 == 1
    assert props("arctan").bounded and props("arctan").concave_on_positive
    assert props("softplus").psi0 == sp.log(2) and props("softplus").convex_on_positive
    for name in ("gelu", "swish"):
        p = props(name)
        assert p.dpsi0 == sp.Rational(1, 2) and p.psi0 == 0 and p.monotone == "no"
        assert not p.concave_on_positive and not p.convex_on_positive  # psi'' changes sign


def test_growth_and_max_gaussian_variance() -> None:
    for name in NAMES:
        assert get_activation(name).max_gaussian_variance() == np.inf
    g = get_activation("exp(x**2)")
    assert g.properties.growth_pos == "super-gaussian"
    assert g.max_gaussian_variance() == pytest.approx(0.25)
    assert get_activation("exp(x**2/8)").max_gaussian_variance() == pytest.approx(2.0)
    assert get_activation("x*exp(x)").properties.growth_pos == "exponential"
    assert get_activation("x**3 + x").properties.growth_pos == "polynomial"


def test_every_builtin_has_every_property_decided() -> None:
    for name in NAMES:
        p = props(name)
        assert p.parity in ("odd", "even", "neither")
        assert p.monotone in ("increasing", "decreasing", "no")
        for key in ("psi0", "dpsi0", "parity", "bounded", "monotone", "concave_on_positive",
                    "convex_on_positive", "smooth", "kinks"):
            assert p.decided_by[key] in ("symbolic", "numeric")
        assert p.as_dict()["parity"] == p.parity


# --- callables ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_numpy_matches_mpmath_30_digits(name: str) -> None:
    act = get_activation(name)
    xs = np.concatenate([SMOOTH_POINTS, [-35.0, 35.0]])
    for k in range(5):
        got = act.numpy(k)(xs)
        with mp.workdps(30):
            ref = np.array([float(act.mpmath(k)(mp.mpf(float(v)))) for v in xs])
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * (1 + np.abs(ref)).max())


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_vs_finite_differences(name: str) -> None:
    act = get_activation(name)
    kinks = [float(p) for p in act.kinks]
    xs = np.array([v for v in SMOOTH_POINTS if all(abs(v - p) > 1e-3 for p in kinks)])
    h = 1e-5
    for k in range(4):
        f, df = act.numpy(k), act.numpy(k + 1)
        fd = (f(xs + h) - f(xs - h)) / (2 * h)
        np.testing.assert_allclose(df(xs), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_mpmath_derivative_vs_mpmath_diff(name: str) -> None:
    act = get_activation(name)
    with mp.workdps(30):
        for v in ("0.37", "-1.3"):
            p = mp.mpf(v)
            for k in range(1, 3):
                ref = mp.diff(act.mpmath(0), p, k)
                assert abs(act.mpmath(k)(p) - ref) < mp.mpf("1e-20") * (1 + abs(ref))


@pytest.mark.parametrize("name", NAMES)
def test_numpy_stable_at_extremes(name: str) -> None:
    act = get_activation(name)
    xs = np.array([-1e6, -1e4, -800.0, -710.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 710.0,
                   800.0, 1e4, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for k in range(5):
            v = act.numpy(k)(xs)
            assert v.dtype == np.float64 and v.shape == xs.shape
            assert np.all(np.isfinite(v)), (name, k, v)
            assert np.isfinite(act.numpy(k)(0.5))


def test_numpy_extremes_have_the_right_values() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_activation("softplus").numpy()(1e6) == 1e6
        assert get_activation("sigmoid").numpy(1)(-1e6) == 0.0
        assert get_activation("softplus").numpy(1)(1e6) == 1.0
        assert get_activation("swish").numpy()(-1e6) == 0.0
        assert get_activation("selu").numpy()(-1e6) == pytest.approx(-1.7580993408473766)
        # a user formula (no hand-written override): the translator and the mpmath fallback
        assert get_activation("log(1+exp(x)) + x/(1+exp(-x))").numpy(1)(-1e6) == 0.0


def test_heaviside_at_zero_is_half() -> None:
    act = get_activation("Heaviside(x)")
    assert act.numpy()(0.0) == 0.5 and act.mpmath()(0) == 0.5
    assert get_activation("max(0,x)").numpy(1)(0.0) == 0.5


def test_scalar_and_array_shapes() -> None:
    f = get_activation("tanh").numpy(1)
    assert np.ndim(f(0.3)) == 0 and f(np.zeros((2, 3))).shape == (2, 3)
    assert float(f(0.0)) == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_torch_matches_numpy(name: str) -> None:
    torch = pytest.importorskip("torch")
    act = get_activation(name)
    xs = np.linspace(-9.0, 9.0, 361)
    t = torch.tensor(xs, dtype=torch.float64)
    for k in range(5):
        got = act.torch(k)(t)
        assert got.dtype == torch.float64 and got.shape == t.shape
        np.testing.assert_allclose(got.numpy(), act.numpy(k)(xs), rtol=1e-12, atol=1e-12)
    assert act.torch(0)(t.float()).dtype == torch.float32


def test_torch_user_formulas() -> None:
    torch = pytest.importorskip("torch")
    xs = np.linspace(-4.0, 4.0, 81)
    t = torch.tensor(xs)
    for f in ("Piecewise((-1, x < -1), (x, x < 1), (1, True))", "max(0,x)", "sign(x)*x**2",
              "tanh(x) + 0.1*x", "softplus(x)", "Heaviside(x)", "min(x, 2*x)"):
        act = get_activation(f)
        for k in range(3):
            np.testing.assert_allclose(act.torch(k)(t).numpy(), act.numpy(k)(xs), atol=1e-12)


def test_derivative_orders_and_validation() -> None:
    act = get_activation("tanh")
    assert act.derivative(0) == act.expr
    assert sp.simplify(act.derivative(1) - (1 - sp.tanh(X) ** 2)) == 0
    assert act.derivative(2) is act.derivative(2)
    for bad in (-1, 9, 1.5, "1", True):
        with pytest.raises(TheoryCheckError) as e:
            act.derivative(bad)  # type: ignore[arg-type]
        assert e.value.status == Status.INVALID_ARGUMENT


def test_relu_derivative_symbolic_has_no_delta_in_piecewise_form() -> None:
    act = get_activation("relu")
    assert act.derivative(2) == 0
    assert act.numpy(1)(np.array([-1.0, 1.0])).tolist() == [0.0, 1.0]


def test_user_formula_properties() -> None:
    step = get_activation("Heaviside(x)").properties
    assert step.dpsi0 is None and step.kinks == (0,) and step.monotone == "increasing"
    hinge = get_activation("max(tanh(x), x/2)").properties
    assert len(hinge.kinks) == 3 and hinge.kinks[1] == 0 and hinge.dpsi0 is None
    assert abs(float(hinge.kinks[2]) - 1.9150080481545375) < 1e-12
    assert get_activation("Piecewise((sin(x), x < pi), (0, True))").kinks == (sp.pi,)
    # psi' jumps up at pi, so not concave on (0, inf) although psi'' <= 0 off the kink
    assert not get_activation("Piecewise((sin(x), x < pi), (0, True))").properties \
        .concave_on_positive
    assert get_activation("Abs(x)**1.5").properties.dpsi0 == 0
    assert get_activation("x*exp(-x**2/2)").properties.parity == "odd"
    assert get_activation("exp(-x**2)").properties.parity == "even"
