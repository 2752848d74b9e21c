"""The exact infinite-width maps over a network's layers, from its inputs (the reference a
finite network is measured against).

Two inputs with unit mean square and correlation c_in give, at layer 1, q^1 = sw2 + sb2 and
c^1 = (sw2 c_in + sb2)/(sw2 + sb2); each later layer applies the variance map and the
correlation map at the current (q, c):

    q^{l+1} = V(q^l) = sw2 E psi(u1)^2 + sb2,
    c^{l+1} = (sw2 K(q^l, c^l) + sb2) / q^{l+1},   K(q, c) = E psi(u1) psi(u2),

u1 = sqrt(q) z1, u2 = sqrt(q)(c z1 + sqrt(1 - c^2) z2) (seed 000, Eqs. (9), (14)-(15); seed
002, Eqs. (3), (5)-(7)).  The quadratures are the caller's: ``variance`` is V (sw2 and sb2
included), ``kernel`` is K, so one recursion serves every engine (float64 grid, closed form).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def map_layers(variance: Callable[[float], float], kernel: Callable[[float, float], float],
               sw2: float, sb2: float, c_in: float, layers: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(q^l, c^l) for l = 1..``layers`` of the exact maps from inputs of correlation ``c_in``.

    ``variance(q)``: V(q) = sw2 E psi(sqrt(q) z)^2 + sb2; ``kernel(q, c)``: E psi(u1) psi(u2);
    ``sw2``, ``sb2``: the weight and bias variances.  Accuracy: that of the two quadratures
    (errors grow at most by the maps' slopes per layer); cost: ``layers - 1`` calls of each.
    """
    q, c = sw2 + sb2, (sw2 * c_in + sb2) / (sw2 + sb2)
    qs, cs = [q], [c]
    for _ in range(layers - 1):
        qn = variance(q)
        c = (sw2 * kernel(q, c) + sb2) / qn
        q = qn
        qs.append(q)
        cs.append(c)
    return np.array(qs), np.array(cs)


__all__ = ["map_layers"]
