"""Figures of production-shaped load, computed from a :class:`harness.load.model.Run`.

* :func:`series`: answers per second and latencies per slice of time (the charts over time).
* :func:`arrival_lag`: how far the real arrivals of a fixed-rate run fell behind the target.
* :func:`knee`: in a ramp of user counts, where throughput stops growing.
* :func:`recovery_seconds`: after a burst, how long until latency is back at its earlier level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from harness.load.model import Run
from harness.load.stats import percentile


@dataclass(frozen=True)
class ArrivalLag:
    """Real arrivals against a target rate, over a window of the run."""

    target_rate: float
    real_rate: float          # requests sent per second in the window
    worst_lag_s: float        # the most the cumulative arrivals fell behind the target, in seconds of arrivals
    late_share: float         # share of requests sent more than one target interval after their due time

    @property
    def shortfall(self) -> float:
        """1 - real rate / target rate (negative: more arrivals than the target)."""
        return 1 - self.real_rate / self.target_rate

    def as_dict(self) -> dict:
        return {"target_per_second": round(self.target_rate, 1), "real_per_second": round(self.real_rate, 1),
                "shortfall": round(self.shortfall, 3), "worst_lag_s": round(self.worst_lag_s, 3),
                "late_share": round(self.late_share, 3)}


def arrival_lag(run: Run, rate: float, start: float, end: float, kind: str | None = None) -> ArrivalLag:
    """Arrivals of ``run`` sent in [start, end) seconds against ``rate`` per second from ``start`` on.

    The k-th request of the window is due at ``start + k / rate``; the lag is how much later it
    was sent. ``worst_lag_s`` is the largest lag beyond the ideal, ``late_share`` the share of
    requests that came later than one interval after their due time.
    """
    sent = sorted(s.sent - run.started for s in run.of(kind, start, end))
    if not sent:
        return ArrivalLag(rate, 0.0, end - start, 1.0)
    lags = [at - (start + k / rate) for k, at in enumerate(sent)]
    # Requests still missing at the end of the window are late by the time they were due before it.
    missing = max(0, int((end - start) * rate) - len(sent))
    worst = max(max(lags), missing / rate, 0.0)
    late = sum(1 for lag in lags if lag > 1 / rate) + missing
    return ArrivalLag(rate, len(sent) / (end - start), worst, late / (len(sent) + missing))


@dataclass(frozen=True)
class Step:
    """One step of a ramp: ``users`` users, their answers per second and latencies."""

    users: int
    rps: float
    p50_ms: float
    p99_ms: float


def ramp_steps(run: Run, settle: float = 0.5) -> list[Step]:
    """Each stage of a ramp run (its ``stages``), without its first ``settle`` seconds."""
    steps, begin = [], 0.0
    for until, users, _rate in run.plan.stages:
        lo = begin + settle
        steps.append(Step(users, run.requests_per_second(start=lo, end=until), run.latency_ms(50, start=lo, end=until),
                          run.latency_ms(99, start=lo, end=until)))
        begin = until
    return steps


def knee(steps: Sequence[Step], share: float = 0.9) -> Step:
    """The first step whose throughput reaches ``share`` of the best step's: where the curve levels off."""
    best = max(step.rps for step in steps)
    return next(step for step in steps if step.rps >= share * best)


def recovery_seconds(run: Run, burst_end: float, level_ms: float, times: float, width: float = 2.0,
                     step: float = 0.25) -> float:
    """Seconds after ``burst_end`` until the median latency of the requests sent in a ``width``-second
    window is first within ``times`` x ``level_ms`` (infinite if it never is before the run ends).

    A window of a few seconds, not single requests: one slow answer on a busy machine is not a
    backlog, a queue that has not drained is.
    """
    t = burst_end
    while t + width <= run.duration + 1e-9:
        latencies = [s.ms for s in run.of(None, t, t + width)]
        if latencies and percentile(latencies, 50) <= times * level_ms:
            return t - burst_end
        t += step
    return math.inf


def typical_p99(run: Run, kind: str | None, start: float, end: float, width: float = 10.0) -> float:
    """The median of the p99 latencies (ms) of the ``width``-second slices of [start, end).

    A stall of the whole machine for a few seconds (another process) raises one or two slices'
    p99 and not the median; a server that got slower raises them all.
    """
    values = []
    t = start
    while t + width / 2 <= end:
        latencies = [s.ms for s in run.of(kind, t, min(t + width, end))]
        if latencies:
            values.append(percentile(latencies, 99))
        t += width
    return percentile(values, 50)


def series(run: Run, width: float = 1.0, kind: str | None = None) -> list[dict[str, float]]:
    """Per slice of ``width`` seconds (``t``: its middle): answers per second, p50 and p99 of the requests sent in it."""
    slices = int(math.ceil(run.duration / width))
    sent_ms: list[list[float]] = [[] for _ in range(slices)]
    done = [0] * slices
    errors = [0] * slices
    for sample in run.samples:  # one pass: a soak of hours has hundreds of thousands of samples
        if kind is not None and sample.kind != kind:
            continue
        sent_in = math.floor((sample.sent - run.started) / width)
        if 0 <= sent_in < slices:
            sent_ms[sent_in].append(sample.ms)
            errors[sent_in] += not sample.ok
        done_in = math.floor((sample.done - run.started) / width)
        if 0 <= done_in < slices:
            done[done_in] += 1
    return [{"t": (index + 0.5) * width, "rps": done[index] / width, "sent_per_second": len(sent) / width,
             "p50_ms": percentile(sent, 50), "p99_ms": percentile(sent, 99), "errors": errors[index]}
            for index, sent in enumerate(sent_ms)]
