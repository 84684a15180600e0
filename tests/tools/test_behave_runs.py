"""Reading behave's JSON results, pass rates over several runs, and which features are the default ones."""

from __future__ import annotations

import pytest

from tools import behave_runs
from tools.behave_runs import _first_error, parse_results
from tools.flakiness import rates


def test_behave_json_results_and_pass_rates():
    document = [{"location": "/x/features/single_streaming.feature:1", "elements": [
        {"type": "background", "name": "", "location": "/x/features/single_streaming.feature:3", "steps": []},
        {"type": "scenario", "name": "A -- @1.1 ", "status": "passed",
         "location": "/x/features/single_streaming.feature:9", "steps": []},
        {"type": "scenario", "name": "B", "location": "/x/features/single_streaming.feature:12", "steps": [
            {"result": {"status": "passed"}},
            {"result": {"status": "failed", "error_message": ["Assertion Failed: chunks", "  but: was 3"]}}]},
    ]}]
    results = parse_results(document)
    assert [(r.feature, r.name, r.location, r.status) for r in results] == [
        ("single_streaming", "A -- @1.1", "features/single_streaming.feature:9", "passed"),
        ("single_streaming", "B", "features/single_streaming.feature:12", "failed")]
    assert "Assertion Failed: chunks" in results[1].error

    class Run:
        def __init__(self, scenarios):
            self.scenarios = scenarios

    assert rates([Run(results), Run(results[:1])]) == [("single_streaming: A -- @1.1", 2, 2),
                                                        ("single_streaming: B", 0, 1)]


def test_a_step_that_errored_is_named_when_behave_keeps_no_message():
    error = _first_error([{"keyword": "Given", "name": "a model server", "result": {"status": "error"}}])
    assert error.startswith('error in step "Given a model server"') and "not an assertion" in error


def test_default_features_come_from_the_feature_files_and_behave_ini(tmp_path, monkeypatch):
    features = tmp_path / "features"
    features.mkdir()
    (features / "measured.feature").write_text("@performance\nFeature: M\n  Scenario: m\n    Given x\n")
    (features / "mixed.feature").write_text("Feature: X\n  @slow\n  Scenario: s\n    Given x\n"
                                            "  Scenario: p\n    Given x\n")
    (features / "slow.feature").write_text("Feature: S\n  Scenario Outline: o\n    Given <x>\n"
                                           "    @slow\n    Examples:\n      | x |\n      | 1 |\n")
    ini = tmp_path / "behave.ini"
    ini.write_text("[behave]\ndefault_tags = not @performance\n    not @slow\n")
    monkeypatch.setattr(behave_runs, "FEATURES_DIR", features)
    monkeypatch.setattr(behave_runs, "BEHAVE_INI", ini)
    assert behave_runs.default_tags() == "(not @performance) and (not @slow)"
    assert behave_runs.selected_features() == ["mixed"]
    assert behave_runs.selected_features("@performance or @slow") == ["measured", "mixed", "slow"]
    behave_runs.check_features(["mixed", "features/mixed.feature"], behave_runs.default_tags())
    with pytest.raises(ValueError, match="--tags"):
        behave_runs.check_features(["measured"], behave_runs.default_tags())
    with pytest.raises(ValueError, match="known features"):
        behave_runs.check_features(["nope"], behave_runs.default_tags())


def test_the_hooks_judgement_makes_the_status_precise():
    """The tools read each scenario's outcome from the run's -D verdict_file, as behave features/ judged it."""
    def element(name: str, line: int, status: str, tags: list[str]) -> dict:
        steps = [{"name": "the stream ends cleanly", "result": {"status": status, "error_message": ["ASSERT FAILED: x"]}}]
        return {"type": "scenario", "name": name, "location": f"/x/features/failure_streams.feature:{line}",
                "tags": tags, "steps": steps}

    document = [{"location": "/x/features/failure_streams.feature:1", "elements": [
        element("known", 5, "failed", ["id.failure-streams.known"]), element("new", 9, "failed", []),
        element("fixed", 13, "passed", ["id.failure-streams.fixed"]), element("later", 17, "skipped", [])]}]
    verdicts = {"scenarios": [
        {"location": "/x/features/failure_streams.feature:5", "name": "known", "outcome": "known", "defects": ["a"]},
        {"location": "/x/features/failure_streams.feature:9", "name": "new", "outcome": "new failure", "defects": []},
        {"location": "/x/features/failure_streams.feature:13", "name": "fixed", "outcome": "no longer reproduces",
         "defects": ["b"], "fails_run": True},
        {"location": "/x/features/failure_streams.feature:17", "name": "later", "outcome": "skipped", "defects": [],
         "skip_reason": "needs LitServe >= 0.2.17"}]}
    results = {r.name: r for r in parse_results(document, verdicts)}
    assert {name: (r.status, r.defects) for name, r in results.items()} == {
        "known": ("known defect", ("a",)), "new": ("failed", ()), "fixed": ("no longer reproduces", ("b",)),
        "later": ("skipped", ())}
    assert results["later"].skip_reason == "needs LitServe >= 0.2.17"
    assert results["known"].ids == ("failure-streams.known",) and results["new"].step == "the stream ends cleanly"


def test_the_flakiness_gate_keeps_the_whole_output_of_a_failed_run(tmp_path, monkeypatch):
    from tools import flakiness
    from tools.behave_runs import BehaveRun

    monkeypatch.setattr(flakiness, "RUN_LOGS", tmp_path / "runs")
    run = BehaveRun(["behave", "features/x.feature"], 1, 2.0, [], "Traceback ...\nValueError: boom\n")
    path = flakiness.keep_output(run, 3)
    assert path == tmp_path / "runs" / "run-3.log"
    assert path.read_text() == "$ behave features/x.feature\n\nTraceback ...\nValueError: boom\n"
