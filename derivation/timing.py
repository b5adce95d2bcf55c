"""Timing helpers for the notebooks' cost measurements (not for tests)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["median_seconds"]


def median_seconds(f: Callable[[], object], repeat: int = 5, *, min_time: float = 0.02) -> float:
    """Median wall-clock seconds of one call of ``f``.

    Each of the ``repeat`` measurements runs ``f`` as many times as needed to
    take at least ``min_time`` seconds, so fast calls are not lost in timer
    noise.

    Parameters
    ----------
    f : callable
        Called with no arguments.
    repeat : int, default 5
        Number of measurements; the median is returned.
    min_time : float, default 0.02
        Seconds each measurement lasts at least.

    Returns
    -------
    float
        Seconds per call.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    f()  # warm up
    t0 = time.perf_counter()
    f()
    one = max(time.perf_counter() - t0, 1e-9)
    calls = max(1, int(min_time / one))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            f()
        samples.append((time.perf_counter() - t0) / calls)
    return statistics.median(samples)
