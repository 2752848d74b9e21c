"""Finite random networks measured against infinite-width predictions (PyTorch; CUDA if present).

Public API: :func:`measure` (one entry point for every kind) and :class:`Measurement`.
Kinds: ``variance``, ``correlation``, ``jacobian``, ``input-correlation``, ``mi``, ``kurtosis``.
"""

from __future__ import annotations

from theorycheck.simulate.result import Measurement

__all__ = ["Measurement"]
