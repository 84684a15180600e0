"""The performance checks: a ratio measured side by side against the limit the feature file states.

Every check's outcome (passed or not, the value, the limit, how far past it) goes to
``reports/performance.json`` under its scenario's ``checks``, so a gate run can say which
figure flagged a slowdown and by how much (``tools/perf_gate_check.py``).
"""

from __future__ import annotations

from hamcrest import assert_that, greater_than_or_equal_to, less_than_or_equal_to

from harness.performance import results
from harness.performance.figures import Ratio


def _record(context, ratio: Ratio, limit: float, passed: bool) -> None:
    margin = ratio.value / limit if limit else float("inf")
    results.current_run().record_check(context.scenario.name, {
        "ratio": ratio.key, "value": round(ratio.value, 4), "limit": limit, "better": ratio.better,
        "passed": passed, "value_over_limit": round(margin, 3), "meaning": ratio.meaning})


def at_most(context, ratio: Ratio, limit: float, what: str) -> None:
    """Fail with ``what`` and the figures when ``ratio`` is above ``limit``."""
    _record(context, ratio, limit, ratio.value <= limit)
    assert_that(ratio.value, less_than_or_equal_to(limit), f"{what}: {ratio.value:.2f} ({ratio.meaning}); "
                f"the limit is {limit:g}")


def at_least(context, ratio: Ratio, limit: float, what: str) -> None:
    """Fail with ``what`` and the figures when ``ratio`` is below ``limit``."""
    _record(context, ratio, limit, ratio.value >= limit)
    assert_that(ratio.value, greater_than_or_equal_to(limit), f"{what}: {ratio.value:.2f} ({ratio.meaning}); "
                f"it must be at least {limit:g}")
