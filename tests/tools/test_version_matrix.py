"""The version matrix: a cell per (release, feature) from the hooks' judgement of each scenario (known defects
with their registry ids, new failures, defects that no longer reproduce, n/a when every scenario is skipped,
skips counted by reason); a run stores only its own cells; the page is generated from the stored cells."""

from __future__ import annotations

from tools import matrix_docs
from tools.behave_runs import BehaveRun, ScenarioResult
from tools.matrix_results import cells_from_run, load, store

FEATURE = "failure_model_errors"
NEW = ScenarioResult(FEATURE, "A request the model refuses ... -- @1.1", "x:56", "failed",
                     "ASSERT FAILED: the first client did not get the model's status and detail; it got 500",
                     step="the first client is answered with status 400")
PASSED = ScenarioResult(FEATURE, "A model that fails in decode ...", "x:1", "passed")
KNOWN = ScenarioResult(FEATURE, "A client can tell ...", "x:2", "known defect", "KNOWN LITSERVE DEFECT a: x", ("a",))
FIXED = ScenarioResult(FEATURE, "Fixed ...", "x:3", "no longer reproduces", "", ("b",))
SKIPPED = ScenarioResult(FEATURE, "Later ...", "x:4", "skipped", "", (), "needs LitServe >= 0.2.17: restart_workers")


def cell(*scenarios: ScenarioResult, feature: str = FEATURE):
    (only,) = cells_from_run("0.2.10", [feature], BehaveRun([], 1, 12.0, list(scenarios)))
    return only


def test_a_cell_names_its_known_defects_counts_skips_and_says_new_failures_loudly():
    assert cell(PASSED, KNOWN, SKIPPED).text() == "known: a · 1 skipped"
    assert cell(PASSED, KNOWN, NEW).text() == "**NEW failure** ×1"
    assert cell(PASSED).text() == "passed"
    assert cell(PASSED, SKIPPED).skipped == {"needs LitServe >= 0.2.17: restart_workers": 1}


def test_a_defect_that_no_longer_reproduces_fails_the_cell():
    fixed = cell(PASSED, FIXED)
    assert fixed.verdict == "no longer reproduces" and fixed.fails and "b" in fixed.text()


def test_na_only_when_every_scenario_of_the_feature_is_skipped_and_a_missing_feature_is_an_error():
    assert cell(SKIPPED).verdict == "n/a"
    assert cell(PASSED, feature="failure_streams").verdict == "error"
    (broken,) = cells_from_run("0.2.3", [FEATURE], None, "could not install litserve==0.2.3")
    assert broken.verdict == "error" and broken.fails


def test_a_run_over_some_cells_replaces_only_those(tmp_path):
    path = tmp_path / "matrix.json"
    store(cells_from_run("0.2.9", [FEATURE], BehaveRun([], 1, 1.0, [PASSED])), path)
    store(cells_from_run("0.2.10", [FEATURE], BehaveRun([], 1, 1.0, [NEW])), path)
    store(cells_from_run("0.2.10", [FEATURE], BehaveRun([], 1, 1.0, [KNOWN])), path)
    stored = load(path)
    assert {key: c.verdict for key, c in stored.items()} == {("0.2.9", FEATURE): "passed", ("0.2.10", FEATURE): "known"}


def test_the_page_is_generated_between_its_markers_from_the_stored_cells(tmp_path):
    cells = {("0.2.10", FEATURE): cell(PASSED, KNOWN, SKIPPED), ("0.2.9", FEATURE): cell(PASSED, NEW)}
    text = matrix_docs.generated([FEATURE], cells)
    assert "| 0.2.9 | **NEW failure** ×1 | 12 |" in text and "| 0.2.10 | known: a · 1 skipped | 12 |" in text
    assert text.index("| 0.2.9 |") < text.index("| 0.2.10 |"), "releases in release order"
    assert "NEW failure: A request the model refuses" in text
    assert "**0.2.10**: 1 skipped: 1 × needs LitServe >= 0.2.17: restart_workers" in text
    doc = tmp_path / "page.md"
    doc.write_text(f"# by hand\n\n{matrix_docs.BEGIN}\nold\n{matrix_docs.END}\n\nafter, by hand\n")
    original = matrix_docs.generated
    matrix_docs.generated = lambda features: "new table"
    try:
        matrix_docs.write([FEATURE], doc)
    finally:
        matrix_docs.generated = original
    assert doc.read_text() == f"# by hand\n\n{matrix_docs.BEGIN}\n\nnew table\n\n{matrix_docs.END}\n\nafter, by hand\n"
