"""known_defects.toml: every entry well-formed and naming a scenario that exists; malformed entries refused
with the entry and the field; the verdict rules (release, step, message, hangs, errors)."""

from __future__ import annotations

import pytest

from harness.clients.http import NoAnswerInTime
from harness.tags import defect_registry
from harness.tags.defect_registry import RegistryError, parse_registry
from harness.tags.outcomes import Failure, Kind, Outcome, judge, kind_of, scenario_ids
from tests.harness.tags.scenario_ids import all_scenario_ids

ENTRY = """
[[defect]]
id = "stream-error-unseen"
scenario = "failure-streams.a-client-can-tell"
releases = "0.2.5..0.2.18"
step = "the client can tell that its stream did not complete"
message = "ended exactly like a complete stream"
links = ["https://github.com/Lightning-AI/LitServe/issues/46"]
summary = "A client needs to tell a failed stream from a complete one."
"""

STEP = "the client can tell that its stream did not complete"
MESSAGE = "the stream stopped after 3 of 8 chunks, and ended exactly like a complete stream"


def defect(**changes: str):
    text = ENTRY
    for name, value in changes.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{name} =")]
        text = "\n".join(lines) + (f"\n{name} = {value}\n" if value is not None else "\n")
    return parse_registry(text)


def test_the_registry_loads_and_every_entry_names_an_existing_scenario():
    defects = defect_registry.load()
    assert defects, "known_defects.toml has no entry"
    ids = all_scenario_ids()
    unknown = [f"{d.id} -> {d.scenario}" for d in defects if d.scenario not in ids]
    assert unknown == [], f"entries naming no scenario (an @id. tag renamed?): {unknown}"


def test_every_entry_says_what_users_need_and_links_litserve_or_says_none_exists():
    for entry in defect_registry.load():
        assert len(entry.summary) > 40, entry.id
        assert all("github.com/Lightning-AI/LitServe/" in link for link in entry.links), entry.id
        if not entry.links:
            assert "no LitServe issue" in entry.summary, f"{entry.id}: no link, and the summary does not say none exists"


def test_an_entry_reads_as_a_typed_frozen_record():
    (entry,) = defect()
    assert (entry.first, entry.last, entry.hangs, entry.links) == ("0.2.5", "0.2.18", False, (ENTRY.split('"')[-4],))
    with pytest.raises(AttributeError):
        entry.first = "0.2.0"  # type: ignore[misc]
    (open_ended,) = defect(releases='"0.2.5.."')
    assert open_ended.last is None and open_ended.affects("0.2.99") and not open_ended.affects("0.2.4")


@pytest.mark.parametrize("field, value, says", [
    ("releases", '"0.2.5-0.2.18"', "field 'releases'"),
    ("releases", '"0.2.9..0.2.5"', "ends before it begins"),
    ("step", '"(unclosed"', "field 'step'"),
    ("message", None, "field 'message' is missing"),
    ("links", '"https://x"', "field 'links'"),
    ("id", '"Not_An_Id"', "field 'id'"),
    ("scenario", '"no dot"', "field 'scenario'"),
    ("hangs", '"yes"', "field 'hangs'"),
    ("severity", '"high"', "field 'severity' is not a known field"),
])
def test_a_malformed_entry_is_refused_naming_the_entry_and_the_field(field, value, says):
    with pytest.raises(RegistryError, match="defect #1 \\('(stream-error-unseen|Not_An_Id)'\\)") as error:
        defect(**{field: value})
    assert says in str(error.value), str(error.value)


def test_a_repeated_id_is_refused():
    with pytest.raises(RegistryError, match="'stream-error-unseen' is used twice"):
        parse_registry(ENTRY + ENTRY)


# --- the rules --------------------------------------------------------------------------------------------

def outcome(version: str, failure: Failure | None, **changes: str) -> Outcome:
    return judge(defect(**changes), version, failure).outcome


ASSERTION = Failure(STEP, MESSAGE, Kind.ASSERTION)


def test_the_expected_failure_on_a_release_in_range_is_known():
    assert outcome("0.2.5", ASSERTION) == Outcome.KNOWN
    assert outcome("0.2.18", ASSERTION) == Outcome.KNOWN


def test_the_same_failure_outside_the_range_is_new():
    assert outcome("0.2.4", ASSERTION) == Outcome.NEW
    assert outcome("0.2.19", ASSERTION) == Outcome.NEW


def test_a_failure_in_another_step_or_with_another_message_is_new():
    assert outcome("0.2.10", Failure("the stream ends cleanly", MESSAGE, Kind.ASSERTION)) == Outcome.NEW
    assert outcome("0.2.10", Failure(STEP, "got status 500", Kind.ASSERTION)) == Outcome.NEW


def test_a_hang_is_known_only_for_a_defect_that_is_a_hang():
    hang = Failure(STEP, "the stream ended exactly like a complete stream, then did not end within 8 s", Kind.TIMEOUT)
    assert outcome("0.2.10", hang) == Outcome.NEW
    assert outcome("0.2.10", hang, hangs="true") == Outcome.KNOWN


def test_an_error_that_is_not_an_assertion_is_never_known():
    assert outcome("0.2.10", Failure(STEP, MESSAGE, Kind.ERROR), hangs="true") == Outcome.NEW


def test_a_pass_on_a_release_in_range_no_longer_reproduces_and_fails_the_run_unless_intermittent():
    judgement = judge(defect(), "0.2.10", None)
    assert judgement.outcome == Outcome.NO_LONGER_REPRODUCES and judgement.fails_run
    assert not judge(defect(intermittent="true"), "0.2.10", None).fails_run
    assert judge(defect(), "0.2.19", None).outcome == Outcome.PASSED


def test_failure_kinds_and_scenario_ids():
    assert kind_of(NoAnswerInTime("no answer")) == Kind.TIMEOUT
    assert kind_of(AssertionError("x")) == Kind.ASSERTION
    assert kind_of(RuntimeError("x")) == Kind.ERROR
    assert scenario_ids(["critical", "id.a.b", "id.a.c"]) == {"a.b", "a.c"}
