"""Activations: ``get_activation(name_or_formula)``, the built-ins, the safe parser, properties.

>>> act = get_activation("tanh")
>>> act.properties.parity
'odd'

Public API:
- :func:`get_activation` -> :class:`Activation` (cached); :data:`BUILTIN_NAMES`;
- :func:`parse_formula` (safe: whitelisted AST walk, never ``sympify``) and the symbol :data:`X`;
- :class:`ActivationProperties` (see ``properties.py`` for how each property is decided).
"""

from theorycheck.activations.builtins import BUILTIN_NAMES
from theorycheck.activations.core import Activation, get_activation
from theorycheck.activations.parse import ALLOWED_FUNCTIONS, X, parse_formula
from theorycheck.activations.properties import ActivationProperties

__all__ = [
    "ALLOWED_FUNCTIONS",
    "BUILTIN_NAMES",
    "Activation",
    "ActivationProperties",
    "X",
    "get_activation",
    "parse_formula",
]
