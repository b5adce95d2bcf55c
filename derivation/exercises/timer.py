"""The in-process time limit of a check: a repeating timer that raises in the block.

What lives here: :func:`time_limit`, a context manager that raises
:class:`TimeUp` in its block after a number of seconds of CPU time
(``SIGPROF``; the answer checker's worker uses it, so that a loaded machine
makes a check slower but never changes its verdict) or of time on the clock
(``SIGALRM``; the checker's fallback in this process), in the main thread only.
:mod:`derivation.exercises.checker` uses it; the worker process itself is
:mod:`derivation.exercises.worker`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

__all__ = ["TimeUp", "time_limit"]


class TimeUp(BaseException):
    """Raised by the timer of :func:`time_limit`.

    A ``BaseException``, so that an ``except Exception`` inside SymPy lets it through.
    """


@contextlib.contextmanager
def time_limit(seconds: float, *, cpu: bool = False) -> Iterator[None]:
    """Raise :class:`TimeUp` in the block after ``seconds`` (main thread only).

    ``seconds`` of CPU time with ``cpu=True`` (``ITIMER_PROF``, the worker's
    timer: a loaded machine does not cut a check short), else on the clock
    (``ITIMER_REAL``).  A repeating timer, so that a broad ``except`` somewhere in
    SymPy cannot swallow the limit; it stops raising as soon as the block is
    left.  A handler and a timer that were already set (e.g. pytest-timeout's)
    are put back afterwards.  Outside the main thread, or when the current
    handler was not set from Python and so could not be put back, no timer is
    set, and the bounds of :func:`parse` alone keep the check small.
    """
    which, signum = ("ITIMER_PROF", "SIGPROF") if cpu else ("ITIMER_REAL", "SIGALRM")
    if (
        threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
        or not hasattr(signal, signum)
        or signal.getsignal(getattr(signal, signum)) is None
    ):
        yield
        return
    which, signum = getattr(signal, which), getattr(signal, signum)
    armed = [True]

    def alarm(signum, frame):
        if armed[0]:
            raise TimeUp

    start = time.monotonic() if not cpu else time.process_time()
    previous = signal.signal(signum, alarm)
    old_delay, old_interval = signal.setitimer(which, seconds, 0.05)
    try:
        yield
    finally:
        for _ in range(3):  # the timer may fire once more before it is disarmed
            try:
                armed[0] = False
                break
            except TimeUp:
                continue
        signal.setitimer(which, 0)
        signal.signal(signum, previous)
        if old_delay:
            spent = (time.monotonic() if not cpu else time.process_time()) - start
            signal.setitimer(which, max(old_delay - spent, 1e-3), old_interval)
