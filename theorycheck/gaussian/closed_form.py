"""Exact Gaussian expectations for the activations where they are known (the test oracle).

Quantities (``name``), with u = sqrt(q) z, z ~ N(0, 1), and for the kernel u1, u2 of variance q
and correlation c:

* ``"psi2"``   E psi(u)^2              (the variance map's integral, seed 000 Eq. (9), 002 Eq. (3))
* ``"dpsi2"``  E psi'(u)^2             (chi1 / sw2, seed 000 Eq. (17), 002 Eq. (8))
* ``"dpsi"``   E psi'(u)               (beta * s / sw via Stein, seed 000 Eq. (38))
* ``"kernel"`` E psi(u1) psi(u2)       (the correlation map, seed 000 Eq. (15), 002 Eq. (5))

Families: ``linear`` (psi = x), ``relu`` (psi = max(0, x); arc-cosine kernel of Cho & Saul 2009:
q/(2 pi) (sqrt(1 - c^2) + (pi - arccos c) c)), and ``erf`` with a scale a (psi = erf(a x);
Williams 1997: (2/pi) arcsin(2 a^2 q c / (1 + 2 a^2 q)), E psi'^2 = (4 a^2/pi)/sqrt(1 + 4 a^2 q)).
Values are mpmath numbers at the requested ``dps`` (exact up to rounding); ``None`` where unknown.
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import sympy as sp

QUANTITIES = ("psi2", "dpsi2", "dpsi", "kernel")


def _family(act: Any) -> tuple[str, mp.mpf] | None:
    """('linear'|'relu'|'erf', scale) recognised from a name or an Activation, else None."""
    name = act if isinstance(act, str) else getattr(act, "name", "")
    name = str(name).strip().lower().replace(" ", "")
    if name in ("linear", "identity", "x"):
        return ("linear", mp.mpf(1))
    if name in ("relu", "max(0,x)", "max(x,0)"):
        return ("relu", mp.mpf(1))
    if name in ("erf", "erf(x)"):
        return ("erf", mp.mpf(1))
    expr = getattr(act, "expr", None)
    x = getattr(act, "x", None)
    if expr is None or x is None:
        return None
    if sp.simplify(expr - x) == 0:
        return ("linear", mp.mpf(1))
    if sp.simplify(expr - sp.Max(0, x)) == 0:
        return ("relu", mp.mpf(1))
    a = sp.Wild("a", exclude=[x])
    m = expr.match(sp.erf(a * x))
    if m and m[a].is_number and m[a].is_positive:
        return ("erf", mp.mpf(sp.N(m[a], 60)))
    return None


def closed_form(act: Any, name: str, q: Any, *, c: Any = 1, dps: int = 30) -> mp.mpf | None:
    """Exact value of the Gaussian integral ``name`` (see module docstring) for ``act`` at q (, c).

    ``act``: an Activation or a family name; ``q``: variance (>= 0); ``c``: correlation in
    [-1, 1] (only for ``"kernel"``).  Returns an ``mpf`` computed at ``dps`` + 10 digits, or None
    when no closed form is known.  Cost: microseconds.
    """
    if name not in QUANTITIES:
        raise ValueError(f"unknown quantity {name!r}; expected one of {QUANTITIES}")
    fam = _family(act)
    if fam is None:
        return None
    kind, a = fam
    with mp.workdps(dps + 10):
        q = mp.mpf(q)
        c = mp.mpf(c)
        if kind == "linear":
            val = {"psi2": q, "dpsi2": mp.mpf(1), "dpsi": mp.mpf(1), "kernel": q * c}[name]
        elif kind == "relu":
            if name == "kernel":
                cc = min(max(c, mp.mpf(-1)), mp.mpf(1))
                val = q / (2 * mp.pi) * (mp.sqrt(1 - cc * cc) + (mp.pi - mp.acos(cc)) * cc)
            else:
                val = {"psi2": q / 2, "dpsi2": mp.mpf(1) / 2, "dpsi": mp.mpf(1) / 2}[name]
        else:  # erf(a x)
            t = 2 * a * a * q
            if name == "psi2":
                val = 2 / mp.pi * mp.asin(t / (1 + t))
            elif name == "kernel":
                val = 2 / mp.pi * mp.asin(t * c / (1 + t))
            elif name == "dpsi2":
                val = 4 * a * a / mp.pi / mp.sqrt(1 + 4 * a * a * q)
            else:
                val = 2 * a / mp.sqrt(mp.pi) / mp.sqrt(1 + 2 * a * a * q)
        return +val
