"""Percentiles and steady rates of load samples."""

from __future__ import annotations

import pytest

from harness.load.stats import percentile, steady_rate


def test_percentile_interpolates_like_numpy():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile([4.0], 99) == 4.0
    assert percentile([], 50) != percentile([], 50)  # NaN


def test_the_steady_rate_ignores_a_stall_in_one_quarter():
    events = [i / 100 for i in range(400)]  # 100 per second over 4 s
    stalled = [t for t in events if not 1.0 <= t < 1.9]  # nothing for 0.9 s of the second quarter
    assert steady_rate(events, 0.0, 4.0) == 100
    assert steady_rate(stalled, 0.0, 4.0) == 100
    assert len([t for t in stalled if t < 4.0]) / 4.0 < 80
