"""The gate's checks: a ratio against the feature's limit, recorded for tools/perf_gate_check.py."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from harness.performance import gate, results
from harness.performance.figures import Ratio


@pytest.fixture()
def run_file(tmp_path, monkeypatch):
    run = results.PerformanceRun(tmp_path / "performance.json")
    monkeypatch.setattr(results, "_RUN", run)
    return run


def checks(run_file) -> list[dict]:
    return json.loads(run_file.path.read_text())["scenarios"]["s"]["checks"]


def test_at_most_passes_and_records_how_far_below_the_limit(run_file):
    gate.at_most(SimpleNamespace(scenario=SimpleNamespace(name="s")), Ratio("k", 1.5, "lower", "m"), 2, "too slow")
    assert checks(run_file) == [{"ratio": "k", "value": 1.5, "limit": 2, "better": "lower", "passed": True,
                                 "value_over_limit": 0.75, "meaning": "m"}]


def test_at_most_fails_with_the_figures(run_file):
    with pytest.raises(AssertionError, match=r"too slow: 2.50 \(m\); the limit is 2"):
        gate.at_most(SimpleNamespace(scenario=SimpleNamespace(name="s")), Ratio("k", 2.5, "lower", "m"), 2, "too slow")
    assert checks(run_file)[0]["passed"] is False and checks(run_file)[0]["value_over_limit"] == 1.25


def test_at_least_fails_below_the_limit(run_file):
    context = SimpleNamespace(scenario=SimpleNamespace(name="s"))
    gate.at_least(context, Ratio("gain", 3.0, "higher", "m"), 3, "gains too little")
    with pytest.raises(AssertionError, match="gains too little: 2.90 .* at least 3"):
        gate.at_least(context, Ratio("gain", 2.9, "higher", "m"), 3, "gains too little")
    assert [c["passed"] for c in checks(run_file)] == [True, False]


def test_a_load_point_in_the_results_file_keeps_its_kind(run_file):
    from harness.load.model import Run, Sample
    from harness.performance.figures import Measured
    from servers.settings import AppSettings

    server = SimpleNamespace(spec=SimpleNamespace(app="square", settings=AppSettings()))
    run = Run([Sample("get", 0.1, 0.2, 200)], 0.0, (0.0, 1.0), 1)
    run_file.record("s", [Measured(server, "paired health", run)], [])
    point = json.loads(run_file.path.read_text())["scenarios"]["s"]["load_points"][0]
    assert point["kind"] == "paired health" and point["requests"] == 1
