"""Performance results during a run: ``reports/performance.json``, Allure tables and charts.

Every performance scenario adds its figures to ``reports/performance.json`` (environment, each
load point's summary, each ratio). Comparing them with a stored baseline is
``tools/perf_baseline.py``'s job.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from harness.load import charts
from harness.paths import REPORTS_DIR
from harness.performance import machine
from harness.performance.figures import Measured, Ratio, describe
from harness.reporting import svg

RESULTS_PATH = REPORTS_DIR / "performance.json"


def environment() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        **machine.state(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "uptime_at_start": machine.uptime_line(),
        "measured_at_raised_priority": hasattr(os, "geteuid") and os.geteuid() == 0,
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


class PerformanceRun:
    """The figures of one behave run, written to ``path`` after every scenario that measures."""

    def __init__(self, path: Path = RESULTS_PATH) -> None:
        self.path = path
        self.data: dict[str, Any] = {"environment": environment(), "scenarios": {}}

    def record(self, scenario: str, measured: list[Measured], ratios: list[Ratio]) -> None:
        entry = self.data["scenarios"].setdefault(scenario, {})
        entry["load_points"] = [{"server": describe(m.server), **m.result.summary(), "kind": m.kind}
                                for m in measured]
        entry["ratios"] = {r.key: r.as_dict() for r in ratios}
        entry.setdefault("checks", [])
        self.write()

    def record_check(self, scenario: str, check: dict) -> None:
        """One Then of ``scenario``: the ratio, its value, the feature's limit, passed or not."""
        self.data["scenarios"].setdefault(scenario, {}).setdefault("checks", []).append(check)
        self.write()

    def write(self) -> None:
        self.data["environment"]["load_average_at_end"] = machine.load_average()
        self.data["environment"]["uptime_at_end"] = machine.uptime_line()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=2) + "\n")


_RUN: PerformanceRun | None = None


def current_run() -> PerformanceRun:
    """The figures of this process's run (created on first use)."""
    global _RUN
    if _RUN is None:
        _RUN = PerformanceRun()
    return _RUN


# --- Allure attachments ------------------------------------------------------------------------

def attach(measured: list[Measured], ratios: list[Ratio]) -> None:
    """A table of every load point and ratio, and the charts that fit what was measured."""
    from harness.reporting.attachments import attach_html  # Allure is imported only where the report is written

    streams = [m for m in measured if _streamed(m)]
    requests = [m for m in measured if not _streamed(m)]
    rows = [{"server": describe(m.server), **m.result.summary(), "kind": m.kind} for m in measured]
    for row in rows:
        row.pop("label", None)
    ratio_rows = [{"ratio": r.key, "value": round(r.value, 3), "better": r.better, "meaning": r.meaning} for r in ratios]
    attach_html("Performance figures", svg.page(
        "Performance figures", svg.table(rows, "Load points (times in ms)"),
        svg.table(ratio_rows, "Ratios measured side by side")))
    if requests:
        attach_html("Latency distribution", svg.page("Latency distribution", charts.cdf(
            {f"{describe(m.server)}, {m.kind}, {m.clients} cl.": [x * 1000 for x in m.result.latencies()]
             for m in requests}, "request latency (ms, log scale)", "Share of requests answered within x ms")))
    throughput_of = {
        m_id: (m.result.chunks_per_second() if _streamed(m) else m.result.requests_per_second())
        for m_id, m in enumerate(measured)
    }
    series: dict[str, dict[int, float]] = {}
    for m_id, m in enumerate(measured):
        if m.kind != "health":
            series.setdefault(describe(m.server), {})[m.clients] = throughput_of[m_id]
    clients = sorted({c for values in series.values() for c in values})
    unit = "chunks per second" if streams and not requests else "requests per second"
    attach_html("Throughput per concurrency", svg.page("Throughput per concurrency", charts.bars(
        [str(c) for c in clients], {name: [values.get(c, float("nan")) for c in clients]
                                    for name, values in series.items()}, unit, f"{unit.capitalize()} by clients")))
    if streams:
        attach_html("Chunk-arrival timeline", svg.page("Chunk-arrival timeline", *(
            charts.timeline(_timeline_rows(m), f"{describe(m.server)}, {m.clients} client(s): first streams")
            for m in streams)))


def _streamed(m: Measured) -> bool:
    return any(s.arrivals for s in m.result.samples)


def _timeline_rows(m: Measured, most: int = 8) -> list[tuple[str, list[float], list[float]]]:
    rows = []
    for index, sample in enumerate(m.result.of()[:most]):
        arrived = [(at - sample.sent) * 1000 for at in sample.arrivals]
        produced = [(at - sample.sent) * 1000 for at in sample.produced]
        rows.append((f"stream {index + 1}", arrived, produced))
    return rows
