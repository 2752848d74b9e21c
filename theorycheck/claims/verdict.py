"""How a verdict follows from checks and findings (CLAIMS.md, "Verdicts"): the rule lives beside
the records it reads (:func:`theorycheck.claims.model.decide`), so that a claim outcome can show
its own verdict in a notebook."""

from theorycheck.claims.model import decide  # re-export: moved

__all__ = ["decide"]
