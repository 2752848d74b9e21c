"""Bounded waits for steps that may not finish: a SymPy limit or simplification that explodes on
a pathological formula is stopped after a few seconds and the caller takes its numeric route.

:func:`time_limit` uses ``SIGALRM`` (main thread of a POSIX process only; elsewhere it does not
bound anything) and nests with an enclosing per-claim budget (``verify --max-seconds``): when the
enclosing budget runs out first, the enclosing handler fires as it would have without this one.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StepTimeoutError(Exception):
    """Raised inside a :func:`time_limit` block when its seconds have run out."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`StepTimeoutError` in the enclosed code after ``seconds`` (wall clock)."""
    if not (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()):
        yield
        return
    start = time.monotonic()
    outer_left, _interval = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_first = 0 < outer_left <= seconds
    fired = {"outer": False}

    def expire(signum: int, frame: FrameType | None) -> None:
        if outer_first and callable(outer_handler):
            fired["outer"] = True
            outer_handler(signum, frame)  # the enclosing budget ends the claim
        raise StepTimeoutError(f"step took longer than {seconds} s")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, outer_left if outer_first else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0 and not fired["outer"]:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
