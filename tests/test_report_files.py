"""The files the suite writes around the Allure results, the charts, and what one real behave run leaves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from harness.reporting import allure_meta
from harness.reporting import charts
from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.paths import REPO_ROOT
from harness.clients.streams import Chunk, StreamTranscript


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


def _svg_of(page: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*</svg>", page, re.DOTALL).group(0))


def test_request_timeline_draws_each_request_and_batch():
    t = 1000.0
    exchanges, answers = [], []
    for n, batch in ((1, "b1"), (2, "b1"), (3, "b2")):
        exchanges.append(Exchange("POST", "http://127.0.0.1:1/predict", {"client": f"client-{n}"}, 200,
                                  sent_at=t, answered_at=t + 0.2 * n))
        answers.append({"client": f"client-{n}", "trace": {"batch": batch, "size": 2 if batch == "b1" else 1,
                        "members": ["client-1", "client-2"] if batch == "b1" else ["client-3"],
                        "started_at": t + (0.05 if batch == "b1" else 0.3),
                        "finished_at": t + (0.15 if batch == "b1" else 0.55)}})
    page = charts.request_timeline(exchanges, Composition.from_answers(answers))
    svg = _svg_of(page)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect")) == 5  # 2 batches + 3 requests
    texts = [el.text for el in svg.iter(f"{ns}text")]
    assert "batch 2 (model)" in texts and "client-3" in texts
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_chunk_chart_draws_every_chunk_and_survives_odd_streams():
    t = 50.0
    good = StreamTranscript("u", {"client": "client-1"}, 200, sent_at=t, finished_at=t + 1, ended_cleanly=True,
                            chunks=[Chunk(t + 0.1 * i, json.dumps({"text": f"a-{i}", "produced_at": t + 0.1 * i - 0.01,
                                                                   "batch": "b", "batch_size": 1}))
                                    for i in range(5)])
    odd = StreamTranscript("u", "not a dict", 200, sent_at=t, finished_at=0.0, chunks=[Chunk(t + 0.2, "plain <text>")])
    page = charts.chunk_arrivals([good, odd])
    svg = _svg_of(page)
    assert len(svg.findall("{http://www.w3.org/2000/svg}circle")) == 6
    assert "colour of the batch" in page and "&lt;text&gt;" in page


def test_charts_say_so_when_there_is_nothing_to_draw():
    assert "nothing to draw" in charts.request_timeline([])
    assert "nothing to draw" in charts.chunk_arrivals([])


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
