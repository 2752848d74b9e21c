"""The per-claim time budget of ``verify --max-seconds``, in any thread.

In the main thread of a POSIX process (the ``serial`` and ``processes`` executors) the budget is
a ``SIGALRM`` timer. A Dask worker runs its tasks in threads, where no signal arrives; there a
timer thread asks CPython to raise :class:`ClaimTimeout` in the claim's thread
(``PyThreadState_SetAsyncExc``, the C API's documented way to raise in another thread; no
library offers a budget for code that runs in a thread it does not own). Both are delivered
the same way: between two bytecodes, so a long call into C (an Arb integral, a torch kernel)
finishes first, then the claim stops.

Racing the end of the block: the timer and the block's exit take one lock, so the timer raises
only while the block runs; an exception it set that has not been delivered yet is withdrawn at
the exit (``SetAsyncExc`` with ``NULL``), so nothing fires in the code after the block.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ClaimTimeout(BaseException):
    """Raised inside a claim when its ``--max-seconds`` budget runs out.

    A ``BaseException`` so that no ``except Exception`` inside a check can swallow it. The
    message is fixed (an exception raised in another thread is made from its class alone).
    """

    seconds: float | None = None

    def __str__(self) -> str:
        given = super().__str__()
        return given or f"time budget of {self.seconds} s exceeded"


def _timeout_class(seconds: float) -> type[ClaimTimeout]:
    """A :class:`ClaimTimeout` subclass whose message names ``seconds`` (raised by class)."""
    return type("ClaimTimeout", (ClaimTimeout,), {"seconds": seconds})


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Interrupt the enclosed code with :class:`ClaimTimeout` after ``seconds`` (wall clock);
    ``None`` or a non-positive value: no budget."""
    if seconds is None or not seconds > 0:
        yield
        return
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm_budget(seconds):
            yield
    else:
        with _thread_budget(seconds):
            yield


@contextmanager
def _alarm_budget(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise _timeout_class(seconds)()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_budget(seconds: float) -> Iterator[None]:
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"running": True, "raised": False}
    timeout = ctypes.py_object(_timeout_class(seconds))

    def expire() -> None:
        with lock:
            if state["running"]:
                state["raised"] = ctypes.pythonapi.PyThreadState_SetAsyncExc(target, timeout) == 1

    timer = threading.Timer(float(seconds), expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["running"] = False
        timer.cancel()
        if state["raised"]:  # set but perhaps not delivered yet: withdraw it
            ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
