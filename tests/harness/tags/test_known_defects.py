"""The @known_litserve_defect tag: relabelled failures do not fail the run; anything else does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from harness.paths import REPO_ROOT
from servers.settings import AppSettings

ENVIRONMENT = """
import sys
from harness.tags import known_defects

def before_all(context):
    known_defects.install()

def after_step(context, step):
    known_defects.after_step(context, step)

def after_scenario(context, scenario):
    known_defects.after_scenario(context, scenario)

def after_all(context):
    print(known_defects.summary(), file=sys.__stdout__)
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


def run_behave(tmp_path, scenarios: str) -> subprocess.CompletedProcess:
    features = tmp_path / "features"
    (features / "steps").mkdir(parents=True)
    (features / "environment.py").write_text(ENVIRONMENT)
    (features / "steps" / "steps.py").write_text(STEPS)
    (features / "x.feature").write_text("Feature: x\n" + textwrap.indent(textwrap.dedent(scenarios), "  "))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "behave", str(features), "-f", "plain", "--no-capture",
                           "--no-summary"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_known_defect_is_reported_but_does_not_fail_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: defect
          Then an assertion fails
        Scenario: fine
          Then all is well
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed only on known LitServe defects" in result.stdout


def test_an_untagged_failure_still_fails_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: defect
          Then an assertion fails
        Scenario: regression
          Then an assertion fails
    """)
    assert result.returncode == 1, result.stdout + result.stderr


def test_an_error_in_a_tagged_scenario_still_fails_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: broken harness
          Then the suite itself breaks
    """)
    assert result.returncode == 1, result.stdout + result.stderr


def test_a_tagged_scenario_that_passes_is_announced_as_fixed(tmp_path):
    result = run_behave(tmp_path, """
        @known_litserve_defect
        Scenario: fixed upstream
          Then all is well
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seems fixed" in result.stdout


def test_failure_rules_are_parsed_and_bad_ones_refused():
    rules = AppSettings.from_dict({"failure_rules": "decode:13, predict:client-2:422"}).parsed_failure_rules()
    assert [(r.stage, r.value, r.status) for r in rules] == [("decode", "13", 0), ("predict", "client-2", 422)]
    with pytest.raises(ValueError, match="bad failure rule"):
        AppSettings.from_dict({"failure_rules": "decoder:13"})
