"""The @known_litserve_defect tag: relabelled failures do not fail the run, and read as known defects on the
console (listed with their issues, then the verdict) and in the Allure results (broken, known); anything
else fails the run and is a new failure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from harness.paths import REPO_ROOT
from harness.reporting import allure_meta, verdict
from harness.tags import known_defects
from servers.settings import AppSettings

ENVIRONMENT = """
from harness.tags import known_defects

def before_all(context):
    known_defects.install()

def after_step(context, step):
    known_defects.after_step(context, step)

def after_scenario(context, scenario):
    known_defects.after_scenario(context, scenario)

def after_all(context):
    known_defects.after_all(context)
"""

STEPS = """
from behave import then

@then("all is well")
def well(context):
    pass

@then("an assertion fails")
def fails(context):
    assert False, "the server said 500"

@then("the suite itself breaks")
def breaks(context):
    raise RuntimeError("harness bug")
"""

ISSUE = "https://github.com/Lightning-AI/LitServe/issues/46"
PULL = "https://github.com/Lightning-AI/LitServe/pull/562"


def run_behave(tmp_path, scenarios: str, *options: str) -> subprocess.CompletedProcess:
    features = tmp_path / "features"
    (features / "steps").mkdir(parents=True, exist_ok=True)
    (features / "environment.py").write_text(ENVIRONMENT)
    (features / "steps" / "steps.py").write_text(STEPS)
    (features / "x.feature").write_text("Feature: x\n" + textwrap.indent(textwrap.dedent(scenarios), "  "))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "behave", str(features), *options, "-f", "plain", "--no-capture"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def allure_results(folder) -> dict[str, dict]:
    found = {}
    for path in folder.glob("*-result.json"):
        result = json.loads(path.read_text())
        found[result["name"]] = result
    return found


DEFECT_AND_PASS = f"""
    @known_litserve_defect @allure.issue:{ISSUE}
    @allure.link.pull:{PULL}
    Scenario: defect
      Then an assertion fails
    Scenario: fine
      Then all is well
"""


def test_a_known_defect_is_listed_with_its_issue_and_does_not_fail_the_run(tmp_path):
    result = run_behave(tmp_path, DEFECT_AND_PASS)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Known LitServe defects: 1 scenario(s) failed as documented" in out, out
    assert f"{ISSUE}  {PULL}" in out, out
    assert "Failing scenarios" not in out, "behave's list of failing scenarios should hold only new failures"
    verdict = out[out.rindex("New failures:"):].splitlines()
    assert [" ".join(line.split()) for line in verdict] == [
        "New failures: none", "Known LitServe defects: 1 (listed above, with their LitServe issues)", "Passed: 1"]


def test_issue_and_pull_request_links_read_as_names():
    assert allure_meta.link_name({"type": "issue", "url": ISSUE, "name": ISSUE}) == "LitServe issue #46"
    assert allure_meta.link_name({"type": "link", "url": PULL, "name": "pull"}) == "LitServe pull request #562"
    assert allure_meta.link_name({"type": "link", "url": "https://x.org", "name": "docs"}) == "LitServe documentation"
    assert allure_meta.link_name({"type": "link", "url": "https://x.org", "name": "other"}) == "other"


def test_an_untagged_failure_is_a_new_failure_and_fails_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: defect
          Then an assertion fails
        Scenario: regression
          Then an assertion fails
    """)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    failing = out[out.index("Failing scenarios:"):out.index("Known LitServe defects:")]
    assert "regression" in failing and "defect" not in failing, failing
    assert "no LitServe issue linked" in out
    assert " ".join(out[out.rindex("New failures:"):].split()).startswith(
        'New failures: 1 (listed under "Failing scenarios" above) Known LitServe defects: 1'), out


def test_an_error_in_a_tagged_scenario_still_fails_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: broken harness
          Then the suite itself breaks
    """)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "New failures:            1" in result.stdout


def test_a_tagged_scenario_that_passes_is_announced_as_fixed(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: fixed upstream
          Then all is well
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seems fixed" in result.stdout
    assert "Known defects that seem fixed: 1" in result.stdout


def test_without_behave_summary_the_verdict_still_ends_the_run(tmp_path):
    result = run_behave(tmp_path, DEFECT_AND_PASS, "--no-summary")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("Passed:                  1"), result.stdout


def test_allure_reports_a_known_defect_as_known_and_broken_never_failed_or_passed(tmp_path):
    results = tmp_path / "allure-results"
    run = run_behave(tmp_path, DEFECT_AND_PASS + """
    Scenario: regression
      Then an assertion fails
    @known_litserve_defect
    Scenario: broken harness
      Then the suite itself breaks
""", "-f", "allure_behave.formatter:AllureFormatter", "-o", str(results))
    assert run.returncode == 1, run.stdout + run.stderr
    found = allure_results(results)
    defect = found["defect"]
    assert defect["status"] == "broken" and defect["statusDetails"]["known"] is True, defect
    assert defect["statusDetails"]["message"].startswith(known_defects.PREFIX), defect["statusDetails"]
    assert {(link["type"], link["url"]) for link in defect["links"]} >= {("issue", ISSUE), ("link", PULL)}
    assert found["regression"]["status"] == "failed" and not found["regression"]["statusDetails"].get("known")
    assert found["broken harness"]["status"] == "broken"
    assert not found["broken harness"]["statusDetails"].get("known")
    assert found["fine"]["status"] == "passed"
    categories = {name: category_of(r) for name, r in found.items()}
    assert categories == {"defect": ["Known LitServe defects"], "regression": ["Product defects"],
                          "broken harness": ["Test defects"], "fine": []}, categories
    summary = verdict.from_results(results)
    assert summary == verdict.Verdict(new_failures=2, known_defects=1, passed=1), summary
    assert summary.title() == ("LitServe acceptance report: 2 NEW FAILURES, 1 known LitServe defect, 1 passed")


def category_of(result: dict) -> list[str]:
    """The categories Allure 2 gives a result: statuses, and the regex on the whole message (DOTALL)."""
    message = (result.get("statusDetails") or {}).get("message", "")
    return [c["name"].split(" (")[0] for c in allure_meta.CATEGORIES
            if result["status"] in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message, re.DOTALL)]


class FakeScenario:
    def __init__(self, *tags: str) -> None:
        self.effective_tags = list(tags)


def test_issue_links_come_from_issue_and_pull_tags_not_from_the_docs_link():
    scenario = FakeScenario("known_litserve_defect", f"allure.issue:{ISSUE}", f"allure.link.pull:{PULL}",
                            "allure.link.docs:https://lightning.ai/docs/litserve", "allure.label.story:Streams")
    assert known_defects.issue_links(scenario) == [ISSUE, PULL]
    assert known_defects.issue_links(FakeScenario("known_litserve_defect")) == []


@pytest.mark.parametrize("counts, title", [
    ((0, 11, 58), "LitServe acceptance report: no new failures, 11 known LitServe defects, 58 passed"),
    ((1, 1, 0), "LitServe acceptance report: 1 NEW FAILURE, 1 known LitServe defect, 0 passed"),
])
def test_the_verdict_reads_as_words(counts, title):
    assert verdict.Verdict(*counts).title() == title
    lines = verdict.Verdict(*counts).lines()
    assert len(lines) == 3 and lines[0].startswith("New failures:") and lines[2].startswith("Passed:")


def test_the_verdict_counts_a_retried_scenario_once_and_only_known_broken_results_as_known(tmp_path):
    def write(name: str, **result) -> None:
        (tmp_path / f"{name}-result.json").write_text(json.dumps(result))

    write("a1", historyId="a", status="failed", stop=1, statusDetails={"message": "x"})
    write("a2", historyId="a", status="passed", stop=2)
    write("b", historyId="b", status="broken", stop=1, statusDetails={"known": True, "message": "KNOWN ..."})
    write("c", historyId="c", status="failed", stop=1, statusDetails={"message": "KNOWN LITSERVE DEFECT: but a hook"})
    write("d", historyId="d", status="skipped", stop=1)
    assert verdict.from_results(tmp_path) == verdict.Verdict(new_failures=1, known_defects=1, passed=1)


def test_failure_rules_are_parsed_and_bad_ones_refused():
    rules = AppSettings.from_dict({"failure_rules": "decode:13, predict:client-2:422"}).parsed_failure_rules()
    assert [(r.stage, r.value, r.status) for r in rules] == [("decode", "13", 0), ("predict", "client-2", 422)]
    with pytest.raises(ValueError, match="bad failure rule"):
        AppSettings.from_dict({"failure_rules": "decoder:13"})
