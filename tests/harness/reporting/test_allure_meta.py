"""The files the suite writes around the Allure results, and what one real behave run leaves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from harness.reporting import allure_meta
from harness.paths import REPO_ROOT


def _category_of(status: str, message: str) -> list[str]:
    """Which categories match, the way Allure 2 matches them (whole message, DOTALL)."""
    return [c["name"] for c in allure_meta.CATEGORIES
            if status in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message, re.DOTALL)]


@pytest.mark.parametrize("status, message, expected", [
    ("failed", "AssertionError: 10 requests were served in 3 batches\nExpected: <1>\n", "Product defects"),
    ("broken", "KeyError: 'missing'\n", "Test defects"),
    ("broken", "harness.serving.launcher.ServerStartError: square did not become ready within 60 s\n",
     "Environment problems"),
    # how harness.tags.known_defects reports a scenario that failed only as documented: broken, marked
    ("broken", "KNOWN LITSERVE DEFECT: streams end without a final chunk\n", "Known LitServe defects"),
    # a tagged scenario that failed in a way that fails the run (a hook error besides) is a new failure
    ("failed", "AssertionError: KNOWN LITSERVE DEFECT: streams end without a final chunk\n", "Product defects"),
])
def test_every_failure_lands_in_exactly_one_category(status, message, expected):
    matched = _category_of(status, message)
    assert len(matched) == 1 and matched[0].startswith(expected), matched


def test_environment_properties_are_java_properties(tmp_path):
    allure_meta.write_environment(tmp_path)
    lines = (tmp_path / "environment.properties").read_text(encoding="latin-1").splitlines()
    keys = [line.split("=", 1)[0] for line in lines]
    assert keys[:3] == ["LitServe", "Commit", "Python"]
    assert "CPU\\ count" in keys and "Commit" in keys, keys
    assert all("=" in line for line in lines)


def test_labels_read_as_words_and_features_become_suites(tmp_path):
    result = {"name": "x", "labels": [{"name": "epic", "value": "Core_serving"},
                                      {"name": "story", "value": "Batch_window"},
                                      {"name": "feature", "value": "Dynamic batching"},
                                      {"name": "tag", "value": "fixture.fresh_server"}],
              "links": [{"type": "link", "name": "docs", "url": "https://example.org/docs"}]}
    (tmp_path / "a-result.json").write_text(json.dumps(result))
    assert allure_meta.tidy_labels(tmp_path, {"Dynamic batching": "What batching does."}) == 1
    tidied = json.loads((tmp_path / "a-result.json").read_text())
    labels = {(label["name"], label["value"]) for label in tidied["labels"]}
    assert {("epic", "Core serving"), ("story", "Batch window"), ("suite", "Dynamic batching"),
            ("tag", "fixture.fresh_server")} <= labels
    assert tidied["links"][0]["name"] == allure_meta.DOCS_LINK_NAME
    assert tidied["description"] == "What batching does."
    assert allure_meta.tidy_labels(tmp_path, {}) == 0, "tidying twice must change nothing"


def test_history_is_carried_once_per_run(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    results, report = tmp_path / "results", tmp_path / "report"
    results.mkdir()
    (results / "a-result.json").write_text("{}")
    (report / "history").mkdir(parents=True)
    (report / "history" / "history-trend.json").write_text(json.dumps([{"buildOrder": 1}, {"buildOrder": 2}]))
    assert "carried" in allure_meta.prepare_report(results, report)
    assert json.loads((results / "executor.json").read_text())["buildOrder"] == 3
    # the report made from this run now has a longer history; generating again must not add this run twice
    (report / "history" / "history-trend.json").write_text(json.dumps([{"buildOrder": n} for n in (1, 2, 3)]))
    assert "already prepared" in allure_meta.prepare_report(results, report)
    assert len(json.loads((results / "history" / "history-trend.json").read_text())) == 2


def test_prepare_refuses_an_empty_results_folder(tmp_path):
    with pytest.raises(SystemExit, match="no Allure results"):
        allure_meta.prepare_report(tmp_path, tmp_path / "report")


def test_a_behave_run_empties_the_results_folder_and_writes_its_files(tmp_path):
    """One short real run (the health check) into a folder that holds leftovers of an earlier run."""
    # behave.ini names the results folder relative to where behave runs: run it from tmp_path
    shutil.copy(REPO_ROOT / "behave.ini", tmp_path / "behave.ini")
    results = tmp_path / "reports" / "allure-results"
    results.mkdir(parents=True)
    (results / "stale-result.json").write_text("{}")
    (results / "history").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "behave", str(REPO_ROOT / "features" / "single_prediction.feature"),
         "--name", "health check"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    names = sorted(p.name for p in results.iterdir())
    assert "stale-result.json" not in names and "history" not in names, names
    assert {"environment.properties", "categories.json"} <= set(names)
    (result,) = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    labels = {(label["name"], label["value"]) for label in result["labels"]}
    assert {("epic", "Core serving"), ("story", "Health"), ("severity", "critical"),
            ("feature", "Single prediction"), ("suite", "Single prediction")} <= labels, labels
    assert result["links"] and result["links"][0]["url"].startswith("https://lightning.ai/docs/litserve")
    assert result["description"], "the scenario should carry its feature's description"
