"""The load engine's pure parts: plans, command lines, arrival lag, knee, recovery, series over time."""

from __future__ import annotations

import math

import pytest

from harness.load import figures as load_figures
from harness.load.engine import LoadEngineError, LoadPlan, burst, locust_command, ramp, steady
from harness.load.model import Run, Sample


def run_of(sent_times: list[float], latency: float = 0.01) -> Run:
    samples = [Sample("plain", t, t + latency, 200, user=1) for t in sent_times]
    return Run(samples, 0.0, (0.0, max(sent_times) + 1), 1)


def test_steady_spreads_a_rate_over_paced_users():
    users, spawn_rate, pace = steady(21.6)
    assert users == 43 and spawn_rate == 43 and math.isclose(users * pace, 21.6)


def test_burst_and_ramp_stages():
    assert burst(4, 24, 4, 3, 6, 4) == ((4, 4, 4), (7, 24, 10_000.0), (13, 4, 10_000.0))
    assert ramp([1, 2], 3) == ((3, 1, 10_000.0), (6, 2, 10_000.0))


def test_command_names_user_classes_and_refuses_unknown_kinds():
    command = locust_command(LoadPlan(hosts={"plain": "http://a", "stream": "http://b"}, users=3, seconds=2,
                                      processes=2))
    assert command[-2:] == ["PlainUser", "StreamUser"] and "--processes" in command and "--host" not in command
    with pytest.raises(LoadEngineError, match="unknown kind"):
        locust_command(LoadPlan(hosts={"video": "http://a"}))


def test_arrival_lag_on_schedule_and_behind():
    on_time = run_of([i / 10 for i in range(100)])
    lag = load_figures.arrival_lag(on_time, 10, 0, 10)
    assert lag.worst_lag_s < 1e-9 and lag.late_share == 0 and math.isclose(lag.real_rate, 10)
    late = run_of([i / 10 for i in range(50)] + [5 + 2 + i / 10 for i in range(30)])  # a 2 s gap
    lag = load_figures.arrival_lag(late, 10, 0, 10)
    assert lag.worst_lag_s >= 2 and lag.shortfall > 0.1


def test_knee_is_the_first_step_near_the_best():
    steps = [load_figures.Step(u, r, 1, 1) for u, r in [(1, 40), (2, 80), (4, 150), (8, 160), (16, 158)]]
    assert load_figures.knee(steps).users == 4


def test_recovery_after_a_burst():
    times = [i / 20 for i in range(200)]
    run = run_of(times)
    for s in run.samples:                       # slow answers from 4 s to 6 s
        if 4 <= s.sent < 6:
            s.done = s.sent + 0.2
    assert math.isclose(load_figures.recovery_seconds(run, 4.0, 10, 2), 1.25)   # the 2 s window's median
    for s in run.samples:                       # never recovers
        if s.sent >= 4:
            s.done = s.sent + 0.2
    assert math.isinf(load_figures.recovery_seconds(run, 4.0, 10, 2))


def _series_one_slice_at_a_time(run: Run, width: float, kind: str | None) -> list[dict]:
    """What ``figures.series`` must give: each slice's figures, worked out from scratch."""
    from harness.load.stats import percentile

    rows = []
    for index in range(int(math.ceil(run.duration / width))):
        lo, hi = index * width, (index + 1) * width
        sent = [s for s in run.of(kind, lo, hi)]
        done = [s for s in run.samples if (kind is None or s.kind == kind) and lo <= s.done - run.started < hi]
        rows.append({"t": (index + 0.5) * width, "rps": len(done) / width, "sent_per_second": len(sent) / width,
                     "p50_ms": percentile([s.ms for s in sent], 50), "p99_ms": percentile([s.ms for s in sent], 99),
                     "errors": sum(1 for s in sent if not s.ok)})
    return rows


def test_series_per_slice_are_each_slices_own_figures():
    import random

    rng = random.Random(7)
    samples = []
    for n in range(2000):
        sent = rng.uniform(0, 30)
        samples.append(Sample(rng.choice(["plain", "stream"]), sent, sent + rng.uniform(0.001, 2.5), 200,
                              rng.random() > 0.05, user=n % 8))
    run = Run(samples, 0.0, (0.0, 40.0), 8)
    for width, kind in [(1.0, None), (1.0, "stream"), (0.5, "plain"), (10.0, None)]:
        got, expected = load_figures.series(run, width, kind), _series_one_slice_at_a_time(run, width, kind)
        assert [{k: v for k, v in row.items() if "ms" not in k} for row in got] == \
               [{k: v for k, v in row.items() if "ms" not in k} for row in expected]
        for mine, theirs in zip(got, expected):
            for key in ("p50_ms", "p99_ms"):
                assert (math.isnan(mine[key]) and math.isnan(theirs[key])) or mine[key] == theirs[key]


def test_series_of_a_long_soak_takes_one_pass():
    import time

    samples = [Sample("plain", t / 30, t / 30 + 0.02, 200) for t in range(30 * 3600)]  # an hour at 30/s
    run = Run(samples, 0.0, (0.0, 3601.0), 1)
    began = time.monotonic()
    rows = load_figures.series(run, 1.0)
    assert len(rows) == 3600 and all(row["rps"] == 30 for row in rows[1:-1])
    assert time.monotonic() - began < 5, "per second over an hour: one pass over the samples, not one per second"
