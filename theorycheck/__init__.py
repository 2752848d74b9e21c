"""theorycheck: symbolic-numeric verification of mean-field claims about deep networks.

Layers, each importing only from those above it in this list:
activations -> gaussian -> meanfield -> information, spectra -> simulate -> claims -> report -> cli.
"""

from theorycheck.errors import Status, TheoryCheckError

__version__ = "0.1.0"

__all__ = ["Status", "TheoryCheckError", "__version__"]
