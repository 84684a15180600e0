"""Order statistics of load samples: percentiles as ``numpy.percentile`` computes them, and the
steady rate of events in a measurement window."""

from __future__ import annotations

import math
from typing import Sequence


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile with linear interpolation (``numpy.percentile``'s default); NaN if empty."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


#: The window is cut into this many equal slices for the steady rate.
STEADY_SLICES = 4


def steady_rate(events: Sequence[float], start: float, end: float, slices: int = STEADY_SLICES) -> float:
    """Events per second in a typical slice of the window: the median of the rates of ``slices`` equal slices.

    A machine that stalls for part of one slice (another process, a page-cache flush) changes the plain
    rate but hardly this one; a server that is slower all the time changes both.
    """
    width = (end - start) / slices
    counts = [0] * slices
    for at in events:
        if start <= at < end:
            counts[min(int((at - start) / width), slices - 1)] += 1
    return median([count / width for count in counts])
