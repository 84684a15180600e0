"""The version matrix's verdicts: known issues are matched on release, feature, scenario and message."""

from __future__ import annotations

from tools.behave_runs import BehaveRun, ScenarioResult
from tools.version_matrix import KNOWN_ISSUES, ReleaseResult

REFUSAL = ScenarioResult("failure_model_errors", "A request the model refuses gets the model's own status and detail "
                         "-- @1.1", "features/failure_model_errors.feature:56", "failed",
                         "ASSERT FAILED: the first client did not get the model's status and detail; it got 500: "
                         "'Internal Server Error'")
PASSED = ScenarioResult("failure_model_errors", "A model that fails in decode ...", "x:1", "passed")
KNOWN_DEFECT = ScenarioResult("failure_streams", "A client can tell ...", "x:2", "known defect", "KNOWN LITSERVE DEFECT: x")


def _cell(release: str, *scenarios: ScenarioResult, feature: str = "failure_model_errors") -> str:
    return ReleaseResult(release, BehaveRun([], 1, 1.0, list(scenarios))).cell(feature)


def test_a_known_bug_is_a_known_issue_only_on_its_releases():
    assert _cell("0.2.2", PASSED, REFUSAL) == "known issue"
    assert _cell("0.2.3", PASSED, REFUSAL) == "failed"


def test_a_known_message_in_another_scenario_is_a_failure():
    other = ScenarioResult(REFUSAL.feature, "Some other scenario", REFUSAL.location, "failed", REFUSAL.error)
    assert _cell("0.2.0", PASSED, other) == "failed"


def test_documented_known_defects_pass_and_missing_features_are_reported():
    assert _cell("0.2.19", KNOWN_DEFECT, feature="failure_streams") == "passed"
    assert _cell("0.2.19", PASSED, feature="failure_streams") == "missing"


def test_every_known_issue_links_litserve_and_names_a_scenario_or_message():
    for issue in KNOWN_ISSUES:
        assert "github.com/Lightning-AI/LitServe/" in issue.why
        assert issue.message
