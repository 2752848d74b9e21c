"""An example theorycheck claim package (see ``claims``)."""
