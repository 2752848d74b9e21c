"""``python -m theorycheck``: the same as the ``theorycheck`` console script."""

from theorycheck.cli import main

if __name__ == "__main__":  # a spawned worker process re-imports this module: it must not run
    main()
