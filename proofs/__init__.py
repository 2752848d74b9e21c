"""One module per claim of ../shared/CLAIMS.md: what the source states and the checks that apply.

Each module registers its claim with ``theorycheck.claims.claim``; verdicts are computed by the
engine from the checks' results, never written here.
"""
