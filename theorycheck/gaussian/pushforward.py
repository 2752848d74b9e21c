"""The law of F(sqrt(q) z), z ~ N(0, 1), as a weighted node set (for transforms of that law).

A transform of the law of ``y = F(sqrt(q) z)`` -- a Stieltjes transform ``E[1/(1 - u y)]`` at
many complex ``u``, its moments -- is ``sum_j w_j g(y_j)`` over the composite Gauss-Legendre
nodes of :class:`~theorycheck.gaussian.grid.GridEngine` (the same panels: a uniform grid of
width ``panel`` in z on [-L, L], the activation's kinks mapped to z, the scale points
+-{1/8, ..., 8}/sqrt(q)), with the Gaussian density folded into the weights.  Returned at two
resolutions (``n_nodes`` and ``n_nodes - 8`` points per panel) so that a caller can state the
difference of any transform as its quadrature error.  Accuracy: that of the grid engine for an
integrand smooth on the panels (~1e-13); a transform with a pole close to the real z axis
(``u`` near ``1/y`` on the support) converges more slowly, which the two-resolution difference
shows.  Cost: ~ (2 L/panel + 14 + #kinks) x n_nodes nodes, built once per (F, q).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from theorycheck.errors import Status, TheoryCheckError
from theorycheck.gaussian.grid import GridEngine
from theorycheck.gaussian.rules import normal_weights, panel_nodes


@dataclass(frozen=True)
class NodeLaw:
    """``E g(F(sqrt(q) z)) ~= sum_j weights_j g(values_j)``; ``x`` the nodes in x = sqrt(q) z,
    ``panel`` the index of each node's panel (nodes of one panel are contiguous)."""

    values: np.ndarray
    weights: np.ndarray
    x: np.ndarray
    panel: np.ndarray


def normal_pushforward(f: Callable[[np.ndarray], np.ndarray], q: float, *,
                       kinks: Sequence[float] = (), n_nodes: int = 24, panel: float = 0.5,
                       L: float = 12.0) -> tuple[NodeLaw, NodeLaw]:
    """The law of ``f(sqrt(q) z)`` at ``n_nodes`` and ``n_nodes - 8`` points per panel.

    ``f``: vectorised real function of x; ``kinks``: its breakpoints in x (panel edges);
    ``q >= 0``.  Raises DIVERGENT_INTEGRAL when f is not finite on a node.
    """
    if not (np.isfinite(q) and q >= 0):
        raise TheoryCheckError(f"the variance must be finite and >= 0, got {q}",
                               status=Status.INVALID_ARGUMENT)
    eng = GridEngine(None, kinks=kinks, n_nodes=n_nodes, L=L, panel=panel)
    s = float(np.sqrt(q))
    edges = eng._bp(np.zeros(1), np.array([s]), np.array([L]))[0]
    laws = []
    for n in (n_nodes, n_nodes - 8):
        z, w = panel_nodes(edges, n)
        x = s * z
        with np.errstate(all="ignore"):
            y = np.asarray(f(x), dtype=float) * np.ones_like(x)
        if not np.all(np.isfinite(y)):
            raise TheoryCheckError("the function is not finite on the quadrature nodes",
                                   status=Status.DIVERGENT_INTEGRAL)
        idx = np.repeat(np.arange(edges.size - 1), n)
        laws.append(NodeLaw(y, normal_weights(z, w), x, idx))
    return laws[0], laws[1]
