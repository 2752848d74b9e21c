"""Symbolic Gaussian expectations: moments of polynomials in independent centred Gaussians.

E g^p = var^(p/2) (p - 1)!! for even p and 0 for odd p, applied monomial by monomial (exact,
SymPy); used for the symbolic checks of the variance and correlation maps (seed 000,
Eqs. (9)-(19)) on polynomial activations.
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


__all__ = ["expect_independent"]
