"""What counts as catching a fault: a failed assertion, or a registered defect that stops reproducing."""

from __future__ import annotations

from tools.behave_runs import KNOWN_DEFECT, NO_LONGER_REPRODUCES, BehaveRun, ScenarioResult
from tools.self_check import catching_scenarios, describe_catch


def _run(*statuses: str) -> BehaveRun:
    results = [ScenarioResult("openai_spec", f"row {i}", f"features/openai_spec.feature:{i}", status,
                              error="expected 401, got 200" if status == "failed" else "",
                              defects=("openai-bearer-key-refused",) if status == NO_LONGER_REPRODUCES else ())
               for i, status in enumerate(statuses)]
    return BehaveRun(["behave"], 1, 1.0, results)


def test_a_failed_assertion_catches():
    run = _run("passed", "failed")
    assert [r.name for r in catching_scenarios(run)] == ["row 1"]
    assert describe_catch(catching_scenarios(run)[0]) == "row 1: expected 401, got 200"


def test_a_known_defect_that_stops_reproducing_catches():
    run = _run(KNOWN_DEFECT, NO_LONGER_REPRODUCES)
    caught = catching_scenarios(run)
    assert [r.name for r in caught] == ["row 1"]
    assert "openai-bearer-key-refused no longer reproduces" in describe_catch(caught[0])


def test_passing_known_and_crashed_scenarios_do_not_catch():
    assert catching_scenarios(_run("passed", KNOWN_DEFECT, "skipped", "error", "undefined")) == []
