"""Symbolic Gaussian expectations: moments of polynomials in independent centred Gaussians.

E g^p = var^(p/2) (p - 1)!! for even p and 0 for odd p, applied monomial by monomial (exact,
SymPy); used for the symbolic checks of the variance and correlation maps (seed 000,
Eqs. (9)-(19)) on polynomial activations; and E f(z) over one standard Gaussian by SymPy's
integrator, for closed forms of Stein's lemma and Cauchy-Schwarz equality cases (seed 000,
Eqs. (51), (57), (66)).
"""

from __future__ import annotations

from typing import Any

import sympy as sp


def expect_independent(expr: Any, variances: dict[Any, Any]) -> Any:
    """E of a polynomial ``expr`` over independent centred Gaussians ``variances`` {symbol: var}.

    Each monomial factorises; a centred Gaussian g contributes E g^p = var^(p/2) (p-1)!! for even
    p and 0 for odd p.  Symbols not in ``variances`` are left as they are (the caller has already
    replaced them by their own expectations, or they are independent of the Gaussians).
    """
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = term.as_coeff_mul()
        out = coeff
        for f in factors:
            base, p = f.as_base_exp()
            if base in variances:
                p = int(p)
                out *= 0 if p % 2 else variances[base] ** (p // 2) * sp.factorial2(p - 1)
            else:
                out *= f
        total += out
    return sp.simplify(total)


def gauss_moment(n: int) -> sp.Integer:
    """E z^n for z ~ N(0, 1): 0 for odd n, (n - 1)!! for even n (exact)."""
    return sp.Integer(0) if n % 2 else sp.factorial2(n - 1)


def expect_standard(expr: Any, z: sp.Symbol) -> Any:
    """E expr over z ~ N(0, 1): Int expr(z) exp(-z^2/2)/sqrt(2 pi) dz on the real line.

    SymPy's integrator, exact where it finds a closed form (an unevaluated ``Integral``
    otherwise); ``expr`` may hold other symbols (a scale ``s``, Heaviside, Abs ...).
    """
    gauss = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    return sp.integrate(expr * gauss, (z, -sp.oo, sp.oo))


__all__ = ["expect_independent", "expect_standard", "gauss_moment"]
