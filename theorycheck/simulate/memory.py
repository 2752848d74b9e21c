"""Estimate a simulation's memory footprint before allocating, and refuse what will not fit.

A refusal is a ``TheoryCheckError(status=Status.TOO_LARGE)`` naming the bytes needed, the
bytes available and a size that fits, never an out-of-memory crash half-way through a run.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from theorycheck.errors import Status, TheoryCheckError

#: fraction of the currently free memory a single simulation may plan to use
BUDGET_FRACTION = 0.5


def available_bytes(device: torch.device) -> int:
    """Free memory on ``device``: ``cuda.mem_get_info`` on CUDA, MemAvailable on the CPU."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 1024**3  # conservative default where /proc is absent


def budget_bytes(device: torch.device) -> int:
    """The bytes one simulation may plan to allocate on ``device``."""
    return int(BUDGET_FRACTION * available_bytes(device))


def gib(n: float) -> str:
    return f"{n / 1024**3:.3g} GiB"


def ensure_fits(needed: int, device: torch.device, what: str,
                fits_for: Callable[[int], int] | None = None, size_name: str = "width",
                size: int | None = None) -> None:
    """Raise ``too-large-for-memory`` if ``needed`` bytes exceed the budget on ``device``.

    ``fits_for(budget) -> size`` (optional) gives the largest ``size_name`` that fits, which the
    message suggests.
    """
    budget = budget_bytes(device)
    if needed <= budget:
        return
    hint = ""
    if fits_for is not None:
        suggestion = fits_for(budget)
        hint = (f"; {size_name} <= {suggestion} fits" if suggestion >= 1
                else f"; no {size_name} fits")
    raise TheoryCheckError(
        f"{what} needs about {gib(needed)} but only {gib(budget)} may be used on {device} "
        f"(half of the free memory){hint}",
        status=Status.TOO_LARGE, needed_bytes=needed, budget_bytes=budget, size=size)


def largest_fitting(cost: Callable[[int], int], budget: int, hi: int) -> int:
    """Largest ``n`` in [0, hi] with ``cost(n) <= budget`` (``cost`` increasing), by bisection."""
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cost(mid) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def chunk_count(per_item: int, items: int, device: torch.device) -> int:
    """How many items to process at once so that ``per_item`` bytes each fit the budget (>= 1)."""
    budget = budget_bytes(device)
    return max(1, min(items, budget // max(per_item, 1)))


def dtype_bytes(dtype: torch.dtype) -> int:
    return int(torch.finfo(dtype).bits // 8)


def ceil_div(a: int, b: int) -> int:
    return math.ceil(a / b)
