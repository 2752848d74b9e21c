"""theorycheck cmap / meanfield.cmap: the correlation map on a grid against closed forms.

References: relu's q* = sb2 / (1 - sw2/2) and its arc-cosine kernel, erf's arcsine kernel
(``gaussian.closed_form`` at 30 digits), iterated by hand; c* of erf from Brent's method on the
closed form; relu's chi_c = sw2 (pi - arccos c) / (2 pi) (the derivative of the arc-cosine map).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import brentq
from typer.testing import CliRunner

from theorycheck.cli import _load_commands
from theorycheck.cli.app import app
from theorycheck.errors import TheoryCheckError
from theorycheck.gaussian import closed_form
from theorycheck.meanfield.cmap import correlation_map

_load_commands()


def _map(name: str, sw2: float, sb2: float, q: float, qn: float, c: np.ndarray) -> np.ndarray:
    return np.array([(sw2 * float(closed_form(name, "kernel", q, c=float(x))) + sb2) / qn
                     for x in c])


@pytest.mark.parametrize(("name", "sw2", "sb2"), [("relu", 1.5, 0.1), ("erf", 1.5, 0.05)])
def test_cmap_matches_closed_forms_at_1000_points(name: str, sw2: float, sb2: float) -> None:
    res = correlation_map(name, sw2, sb2, points=1000)
    if name == "relu":
        assert abs(res.q_star - sb2 / (1 - sw2 / 2)) < 1e-13
    exact = _map(name, sw2, sb2, res.q_star, res.q_star, res.c)
    assert res.c.size == res.c_next.size == 1000
    assert np.max(np.abs(res.c_next - exact)) < 1e-13
    assert np.all(np.abs(res.c_next - exact) <= res.c_next_err + 1e-15)


def test_relu_slopes_and_iterate_against_the_arc_cosine_map() -> None:
    sw2, sb2, L = 1.5, 0.1, 7
    res = correlation_map("relu", sw2, sb2, points=101, depth=L)
    c = np.clip(res.c, -1, 1)
    assert np.max(np.abs(res.chi_c - sw2 * (np.pi - np.arccos(c)) / (2 * np.pi))) < 1e-13
    cl = res.c.copy()
    for _ in range(L):
        cl = _map("relu", sw2, sb2, res.q_star, res.q_star, np.clip(cl, -1, 1))
    assert res.c_L is not None and res.c_L_err is not None and res.kernel_L is not None
    assert np.max(np.abs(res.c_L - cl)) < 1e-12
    assert np.all(np.abs(res.c_L - cl) <= res.c_L_err + 1e-15)
    assert np.max(np.abs(res.kernel_L - res.q_star * cl)) < 1e-12
    assert [(p.c, p.stable) for p in res.fixed_points] == [(1.0, True)]
    assert abs(res.fixed_points[0].slope - sw2 / 2) < 1e-13         # chi1 of relu


def test_iterate_from_an_input_variance() -> None:
    sw2, sb2, q0, L = 1.5, 0.1, 2.0, 4
    res = correlation_map("relu", sw2, sb2, points=11, depth=L, q0=q0)
    q, cl = q0, res.c.copy()
    for _ in range(L):
        qn = sw2 * q / 2 + sb2
        cl, q = _map("relu", sw2, sb2, q, qn, np.clip(cl, -1, 1)), qn
    assert res.q_L is not None and abs(res.q_L - q) < 1e-13
    assert np.max(np.abs(res.c_L - cl)) < 1e-12


def test_erf_fixed_points_and_stability() -> None:
    sw2, sb2 = 1.5, 0.05
    res = correlation_map("erf", sw2, sb2, points=201)
    q = res.q_star

    def gap(c: float) -> float:
        return float(_map("erf", sw2, sb2, q, q, np.array([c]))[0]) - c

    c_star = brentq(gap, 0.0, 0.99, xtol=1e-15)
    fps = res.fixed_points
    assert [p.stable for p in fps] == [True, False]
    assert abs(fps[0].c - c_star) < 1e-12 and fps[1].c == 1.0
    # erf: chi_c = sw2 q dK/dc / q with K the arcsine kernel; at c = 1 it is chi1 > 1 (chaos)
    t = 2 * q
    assert abs(fps[1].slope - sw2 * (2 / np.pi) * t / np.sqrt((1 + t) ** 2 - t * t) / q) < 1e-12


@pytest.mark.parametrize(("args", "message"), [
    (dict(act="relu", sw2=3.0, sb2=0.1), "no finite stable fixed point"),
    (dict(act="tanh", sw2=0.5, sb2=0.0), "only q = 0"),
    (dict(act="tanh", sw2=float("nan"), sb2=0.1), "sw2 must be finite"),
    (dict(act="tanh", sw2=1.0, sb2=0.1, points=1), "points must be"),
    (dict(act="tanh", sw2=1.0, sb2=0.1, depth=0), "depth must be"),
])
def test_bad_input_is_refused(args: dict, message: str) -> None:
    with pytest.raises(TheoryCheckError, match=message):
        correlation_map(**args)


def test_cli_json_and_figure(tmp_path) -> None:
    r = CliRunner().invoke(app, ["cmap", "relu", "--sw2", "1.5", "--sb2", "0.1", "--points", "5",
                                 "--depth", "3", "--json", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    for key in ("c", "c_next", "c_L", "fixed_points", "error", "seconds"):
        assert key in doc
    assert len(doc["c"]) == len(doc["c_next"]) == len(doc["c_L"]) == 5
    assert doc["fixed_points"][0]["c"] == 1.0 and doc["error"] < 1e-12
    assert (tmp_path / "relu_cmap.png").exists()
    bad = CliRunner().invoke(app, ["cmap", "relu", "--sw2", "x", "--sb2", "0.1"])
    assert bad.exit_code == 2 and "must be a number" in bad.output


def test_sign_has_a_jump_the_slope_at_one_is_infinite() -> None:
    # E sign(u1) sign(u2) = (2/pi) asin c (orthant probabilities), q* = sw2 + sb2
    sw2, sb2 = 1.2, 0.1
    res = correlation_map("sign(x)", sw2, sb2, points=101)
    q = sw2 + sb2
    assert abs(res.q_star - q) < 1e-12
    exact = (sw2 * 2 / np.pi * np.arcsin(res.c) + sb2) / q
    assert np.max(np.abs(res.c_next - exact)) < 1e-13
    c_star = brentq(lambda c: (sw2 * 2 / np.pi * np.arcsin(c) + sb2) / q - c, 0.0, 0.9)
    (inner, one) = res.fixed_points
    assert abs(inner.c - c_star) < 1e-12 and inner.stable
    assert abs(inner.slope - sw2 * 2 / np.pi / np.sqrt(1 - c_star ** 2) / q) < 1e-8
    assert one.c == 1.0 and one.slope == np.inf and not one.stable


def test_phase_plane_xi_c_agrees_with_the_cmap_slope() -> None:
    # two routes to the chaotic xi_c: the plane's q-interpolated 96-term Mehler table and the
    # correlation map's own slope at c* (BivariateGrid at q*)
    from theorycheck.meanfield import phase_plane

    sw2 = np.array([1.9, 2.5, 4.0])
    pp = phase_plane("tanh", sw2, np.array([0.05]))
    for i, w in enumerate(sw2):
        res = correlation_map("tanh", float(w), 0.05, points=11)
        (cstar,) = [p for p in res.fixed_points if p.stable]
        xi = -1 / np.log(cstar.slope)
        assert abs(xi - pp.xi_c[i, 0]) < 1e-10 * xi
        assert abs(xi - pp.xi_c[i, 0]) <= pp.xi_c_err[i, 0] + 1e-12 * xi
