"""``python -m theorycheck``: the same as the ``theorycheck`` console script."""

from theorycheck.cli import main

main()
