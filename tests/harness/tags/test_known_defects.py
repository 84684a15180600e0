"""Verdicts against the registry, in real behave runs: a failure is known only if release, step and message
match an entry (a hang only with ``hangs``; an error never); known defects do not fail the run and read as
known on the console and in the Allure results; a registered defect that passes no longer reproduces and
fails the run (unless intermittent); anything else is a new failure."""

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
from pathlib import Path
from harness import options
from harness.tags import defect_registry, known_defects, releases

def before_all(context):
    # -D litserve=X stands in for the installed release here; every other -D is a suite option
    context.options = options.parse({k: v for k, v in context.config.userdata.items() if k != "litserve"})
    defects = defect_registry.parse_registry(Path("registry.toml").read_text())
    known_defects.install(context.config.userdata.get("litserve", "0.2.10"), defects)

def before_scenario(context, scenario):
    reason = releases.not_applicable_reason(scenario.effective_tags, context.config.userdata.get("litserve", "0.2.10"))
    if reason:
        scenario.skip(reason)

def after_step(context, step):
    known_defects.after_step(context, step)

def after_scenario(context, scenario):
    known_defects.after_scenario(context, scenario)

def after_all(context):
    known_defects.after_all(context)
"""

STEPS = """
from behave import then
from harness.clients.http import NoAnswerInTime

@then("all is well")
def well(context):
    pass

@then("an assertion fails")
def fails(context):
    assert False, "the server said 500"

@then("another assertion fails")
def fails_otherwise(context):
    assert False, "the server said 500"

@then("an answer says 404")
def other_message(context):
    assert False, "the server said 404"

@then("the request hangs")
def hangs(context):
    raise NoAnswerInTime("POST /predict got no answer within 1 s")

@then("the suite itself breaks")
def breaks(context):
    raise RuntimeError("the server said 500")
"""

ISSUE = "https://github.com/Lightning-AI/LitServe/issues/46"
PULL = "https://github.com/Lightning-AI/LitServe/pull/562"


def entry(scenario: str, step: str = "an assertion fails", message: str = "said 500", extra: str = "") -> str:
    return textwrap.dedent(f"""
        [[defect]]
        id = "{scenario.replace('.', '-')}"
        scenario = "x.{scenario}"
        releases = "0.2.5..0.2.18"
        step = "{step}"
        message = "{message}"
        links = ["{ISSUE}", "{PULL}"]
        summary = "Users need the right thing; LitServe does the wrong one."
        {extra}
        """)


REGISTRY = "".join([entry("defect"), entry("other-step"), entry("other-message"), entry("hang", "request hangs", "no answer"),
                    entry("hang-known", "request hangs", "no answer", "hangs = true"), entry("error"),
                    entry("fixed"), entry("sometimes", extra="intermittent = true")])


def run_behave(tmp_path, scenarios: str, *options: str, registry: str = REGISTRY) -> subprocess.CompletedProcess:
    features = tmp_path / "features"
    (features / "steps").mkdir(parents=True, exist_ok=True)
    (features / "environment.py").write_text(ENVIRONMENT)
    (features / "steps" / "steps.py").write_text(STEPS)
    (tmp_path / "registry.toml").write_text(registry)
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


def verdict_lines(out: str) -> list[str]:
    return [" ".join(line.split()) for line in out[out.rindex("New failures:"):].splitlines() if line.strip()]


DEFECT_AND_PASS = """
    @id.x.defect
    Scenario: defect
      Then an assertion fails
    @id.x.fine
    Scenario: fine
      Then all is well
"""


def test_the_expected_failure_on_a_release_in_range_is_known_and_does_not_fail_the_run(tmp_path):
    result = run_behave(tmp_path, DEFECT_AND_PASS)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Known LitServe defects on 0.2.10: 1 scenario(s) failed as registered" in out, out
    assert f"defect (0.2.5..0.2.18): {ISSUE}  {PULL}" in out, out
    assert "Failing scenarios" not in out, "behave's list of failing scenarios should hold only new failures"
    assert verdict_lines(out) == [
        "New failures: none", "Known LitServe defects: 1 (listed above, with their registry ids and links)", "Passed: 1"]


@pytest.mark.parametrize("scenario, step, why", [
    ("other-step", "another assertion fails", "the failure is in another step than the entry says"),
    ("other-message", "an answer says 404", "the message is another than the entry says"),
    ("hang", "the request hangs", "a timeout, and the entry does not say hangs = true"),
    ("error", "the suite itself breaks", "an error that is not an assertion"),
])
def test_a_registered_scenario_failing_otherwise_is_a_new_failure(tmp_path, scenario, step, why):
    result = run_behave(tmp_path, f"""
        @id.x.{scenario}
        Scenario: {scenario}
          Then {step}
    """)
    out = result.stdout
    assert result.returncode == 1, f"{why}: " + out + result.stderr
    listed = re.search(r"(Failing|Errored) scenarios:", out)
    assert listed and scenario in out[listed.start():out.index("New failures:")], out
    assert verdict_lines(out)[:2] == ['New failures: 1 (listed under "Failing scenarios" above)',
                                      "Known LitServe defects: 0"], out


def test_a_hang_is_known_when_the_entry_says_the_defect_is_a_hang(tmp_path):
    result = run_behave(tmp_path, """
        @id.x.hang-known
        Scenario: hang
          Then the request hangs
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Known LitServe defects:  1" in result.stdout


@pytest.mark.parametrize("release", ["0.2.4", "0.2.19"])
def test_the_expected_failure_on_a_release_outside_the_range_is_a_new_failure(tmp_path, release):
    result = run_behave(tmp_path, DEFECT_AND_PASS, "-D", f"litserve={release}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdict_lines(result.stdout)[0].startswith("New failures: 1"), result.stdout


def test_a_registered_defect_that_passes_in_range_no_longer_reproduces_and_fails_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @id.x.fixed
        Scenario: fixed upstream
          Then all is well
    """)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "NO LONGER REPRODUCES: known LitServe defect fixed (0.2.5..0.2.18) passed on LitServe 0.2.10" in out, out
    assert "No longer reproduces on 0.2.10: 1 scenario(s)" in out, out
    assert any(line.startswith("No longer reproduces: 1") and "fails the run" in line for line in verdict_lines(out))
    outside = run_behave(tmp_path, "@id.x.fixed\nScenario: fixed upstream\n  Then all is well\n", "-D", "litserve=0.2.19")
    assert outside.returncode == 0 and "NO LONGER" not in outside.stdout, outside.stdout


def test_an_intermittent_defect_that_passes_is_reported_but_does_not_fail_the_run(tmp_path):
    result = run_behave(tmp_path, """
        @id.x.sometimes
        Scenario: sometimes
          Then all is well
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No longer reproduces:    1" in result.stdout and "intermittent" in result.stdout


def test_an_examples_block_id_selects_its_rows_only(tmp_path):
    result = run_behave(tmp_path, """
        @id.x.outline
        Scenario Outline: outline <n>
          Then <step>
          Examples:
            | n | step        |
            | 1 | all is well |
          @id.x.defect
          Examples: failing
            | n | step               |
            | 2 | an assertion fails |
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdict_lines(result.stdout)[1].startswith("Known LitServe defects: 1"), result.stdout


def test_without_behave_summary_the_verdict_still_ends_the_run(tmp_path):
    result = run_behave(tmp_path, DEFECT_AND_PASS, "--no-summary")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("Passed:                  1"), result.stdout


def test_a_malformed_registry_stops_the_run_naming_the_entry_and_the_field(tmp_path):
    result = run_behave(tmp_path, DEFECT_AND_PASS, registry=entry("defect").replace("0.2.5..0.2.18", "0.2.5 to 0.2.18"))
    assert result.returncode != 0
    assert "defect #1 ('defect'), field 'releases'" in result.stdout + result.stderr


def test_the_verdict_file_gives_every_scenario_its_outcome(tmp_path):
    target = tmp_path / "verdicts.json"
    run_behave(tmp_path, DEFECT_AND_PASS + "@id.x.fixed\nScenario: fixed\n  Then all is well\n", "-D",
               f"verdict_file={target}")
    rows = {row["name"]: row for row in json.loads(target.read_text())["scenarios"]}
    assert {name: (row["outcome"], row["defects"]) for name, row in rows.items()} == {
        "defect": ("known", ["defect"]), "fine": ("passed", []), "fixed": ("no longer reproduces", ["fixed"])}


def test_allure_reports_known_defects_as_known_and_broken_and_a_fixed_one_as_no_longer_reproducing(tmp_path):
    results = tmp_path / "allure-results"
    run = run_behave(tmp_path, DEFECT_AND_PASS + """
    @id.x.other-message
    Scenario: regression
      Then an answer says 404
    @id.x.error
    Scenario: broken harness
      Then the suite itself breaks
    @id.x.fixed
    Scenario: fixed
      Then all is well
""", "-f", "allure_behave.formatter:AllureFormatter", "-o", str(results))
    assert run.returncode == 1, run.stdout + run.stderr
    found = allure_results(results)
    defect = found["defect"]
    assert defect["status"] == "broken" and defect["statusDetails"]["known"] is True, defect
    assert defect["statusDetails"]["message"].startswith(known_defects.PREFIX + " defect (LitServe 0.2.10; registered for 0.2.5..0.2.18): "), defect["statusDetails"]
    assert {(link["type"], link["url"]) for link in defect["links"]} >= {("issue", ISSUE), ("link", PULL)}
    assert found["regression"]["status"] == "failed" and not found["regression"]["statusDetails"].get("known")
    assert found["broken harness"]["status"] == "broken"
    assert not found["broken harness"]["statusDetails"].get("known")
    assert found["fine"]["status"] == "passed"
    assert found["fixed"]["status"] == "failed"
    assert found["fixed"]["statusDetails"]["message"].startswith(verdict.NO_LONGER_REPRODUCES)
    categories = {name: category_of(r) for name, r in found.items()}
    assert categories == {"defect": ["Known LitServe defects"], "regression": ["Product defects"],
                          "broken harness": ["Test defects"], "fine": [],
                          "fixed": ["Known defects that no longer reproduce"]}, categories
    summary = verdict.from_results(results)
    assert summary == verdict.Verdict(new_failures=2, known_defects=1, passed=2, no_longer_reproduces=1,
                                      no_longer_failing=1), summary
    assert summary.title() == ("LitServe acceptance report: 2 NEW FAILURES, 1 known LitServe defect, "
                               "1 NO LONGER REPRODUCING, 2 passed")


def test_issue_and_pull_request_links_read_as_names():
    assert allure_meta.link_name({"type": "issue", "url": ISSUE, "name": ISSUE}) == "LitServe issue #46"
    assert allure_meta.link_name({"type": "link", "url": PULL, "name": "pull"}) == "LitServe pull request #562"
    assert allure_meta.link_name({"type": "link", "url": "https://x.org", "name": "docs"}) == "LitServe documentation"
    assert allure_meta.link_name({"type": "link", "url": "https://x.org", "name": "other"}) == "other"


def category_of(result: dict) -> list[str]:
    """The categories Allure 2 gives a result: statuses, and the regex on the whole message (DOTALL)."""
    message = (result.get("statusDetails") or {}).get("message", "")
    return [c["name"].split(" (")[0] for c in allure_meta.CATEGORIES
            if result["status"] in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message, re.DOTALL)]


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
    assert verdict.from_results(tmp_path) == verdict.Verdict(new_failures=1, known_defects=1, passed=1, skipped=1)


def test_failure_rules_are_parsed_and_bad_ones_refused():
    rules = AppSettings.from_dict({"failure_rules": "decode:13, predict:client-2:422"}).parsed_failure_rules()
    assert [(r.stage, r.value, r.status) for r in rules] == [("decode", "13", 0), ("predict", "client-2", 422)]
    with pytest.raises(ValueError, match="bad failure rule"):
        AppSettings.from_dict({"failure_rules": "decoder:13"})


SKIPPED = """
    @id.x.fine
    Scenario: fine
      Then all is well
    @id.x.later @litserve.since:0.2.17.restart_workers
    Scenario: later
      Then an assertion fails
"""
RESTART_WORKERS = "needs LitServe >= 0.2.17: restart_workers (LitServer(restart_workers=True) (PR #624))"


def test_scenarios_left_out_for_the_release_are_counted_with_their_reason_on_the_console(tmp_path):
    result = run_behave(tmp_path, SKIPPED)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"Left out on LitServe 0.2.10: 1 scenario(s):\n    1  {RESTART_WORKERS}" in out, out
    assert verdict_lines(out)[-1] == "Skipped: 1 (not for this LitServe release, listed above)"


@pytest.mark.parametrize("shown", ["--no-skipped", "--show-skipped"])
def test_the_report_shows_a_scenario_left_out_for_the_release_as_skipped_with_the_reason(tmp_path, shown):
    """behave.ini has show_skipped = false, where allure-behave drops skipped scenarios: the suite writes them."""
    results = tmp_path / "allure-results"
    run_behave(tmp_path, SKIPPED, shown, "-f", "allure_behave.formatter:AllureFormatter", "-o", str(results))
    found = allure_results(results)
    assert found["later"]["status"] == "skipped", found["later"]
    assert found["later"]["statusDetails"]["message"] == RESTART_WORKERS
    assert {"name": "tag", "value": "id.x.later"} in found["later"]["labels"]
    summary = verdict.from_results(results)
    assert summary.skipped == 1 and summary.title().endswith("1 passed, 1 skipped"), summary.title()
