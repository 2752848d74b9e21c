"""Mean-field theory of deep networks at initialisation: maps, fixed points, EOC, phase planes.

* :class:`MeanField` -- variance and correlation maps, q*, c*, chi1, beta, mu_k, xi_q, xi_c,
  EOC and the dynamical-isometry point, to ``dps`` digits (mpmath)
* :func:`phase_plane` -- float64 planes of q*, chi1, beta, xi_c over an (sw2, sb2) grid

Modules, bottom up: ``adapter`` (what is read from an activation), ``roots`` (the q scan and
root polish), ``rates`` (depth scales from rates), ``maps`` -> ``fixed_points`` -> ``core``
(the three floors of :class:`MeanField`), ``eoc``, ``phase``; the float64 routes for claims
and searches: ``grid_maps`` (maps on the grid engine) and ``search`` (``FastMeanField``).
"""

from theorycheck.meanfield.adapter import CallableActivation
from theorycheck.meanfield.core import MeanField
from theorycheck.meanfield.phase import phase_plane
from theorycheck.meanfield.results import DIPoint, EOCPoint, MeanFieldPoint, PhasePlane

__all__ = ["CallableActivation", "DIPoint", "EOCPoint", "MeanField", "MeanFieldPoint",
           "PhasePlane", "phase_plane"]
