"""Every claim is declared, not hand-run (issue 11, target 3): the engine runs its checks, and no
module of ``proofs/`` assembles an outcome or guards a check itself."""

from __future__ import annotations

import re
from pathlib import Path

from theorycheck.claims import discover

PROOFS = Path(__file__).resolve().parents[1] / "proofs"
# building an outcome by hand, or guarding (running) a check by hand
HAND_RUN = re.compile(r"\bClaimOutcome\(|\bguarded\(")


def test_every_registered_claim_declares_its_checks() -> None:
    claims = discover()
    assert claims, "no claim registered"
    hand_run = sorted(cid for cid, c in claims.items()
                      if not c.spec.checks)
    assert hand_run == [], f"claims with no declared checks: {hand_run}"


def test_no_proofs_module_runs_checks_by_hand() -> None:
    offenders = [f"{path.name}:{n}: {line.strip()}"
                 for path in sorted(PROOFS.glob("*.py"))
                 for n, line in enumerate(path.read_text().splitlines(), start=1)
                 if HAND_RUN.search(line)]
    assert offenders == [], "hand-run checks in proofs/:\n" + "\n".join(offenders)


def test_the_grep_sees_a_hand_run_claim() -> None:
    """The pattern above must catch what it forbids (a test that cannot fail is a defect)."""
    assert HAND_RUN.search("    return ClaimOutcome(checks=checks, findings=findings)")
    assert HAND_RUN.search('        guarded("symbolic", "derivative", _symbolic),')
    assert not HAND_RUN.search("from theorycheck.claims import Check, ClaimRun, claim")
