"""The version matrix's cells: the hooks' judgement per scenario (known defect with its registry ids, new failure,
no longer reproduces), n/a when every scenario of the feature is skipped."""

from __future__ import annotations

from tools.behave_runs import BehaveRun, ScenarioResult
from tools.version_matrix import ReleaseResult

NEW = ScenarioResult("failure_model_errors", "A request the model refuses ... -- @1.1", "x:56", "failed",
                     "ASSERT FAILED: the first client did not get the model's status and detail; it got 500")
PASSED = ScenarioResult("failure_model_errors", "A model that fails in decode ...", "x:1", "passed")
KNOWN = ScenarioResult("failure_model_errors", "A client can tell ...", "x:2", "known defect",
                       "KNOWN LITSERVE DEFECT failed-stream-looks-complete: x", ("failed-stream-looks-complete",))
FIXED = ScenarioResult("failure_model_errors", "Fixed ...", "x:3", "no longer reproduces", "", ("some-defect",))
SKIPPED = ScenarioResult("failure_model_errors", "Later ...", "x:4", "skipped", "", (), "needs LitServe >= 0.2.17")


def _cell(*scenarios: ScenarioResult, feature: str = "failure_model_errors") -> str:
    return ReleaseResult("0.2.10", BehaveRun([], 1, 1.0, list(scenarios))).cell(feature)


def test_a_cell_names_its_known_defects_and_says_new_failures_loudly():
    assert _cell(PASSED, KNOWN) == "known (failed-stream-looks-complete)"
    assert _cell(PASSED, KNOWN, NEW) == "NEW failure"
    assert _cell(PASSED) == "passed"


def test_a_defect_that_no_longer_reproduces_is_not_a_pass():
    assert _cell(PASSED, FIXED) != "passed"


def test_a_feature_whose_scenarios_all_skip_is_na_and_a_missing_one_is_reported():
    assert _cell(SKIPPED) == "n/a"
    assert _cell(PASSED, feature="failure_streams") == "missing"
