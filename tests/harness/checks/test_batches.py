"""Batch composition and its checks on known answers, malformed ones included."""

from __future__ import annotations

import pytest

from harness.checks import batches
from harness.checks.batches import Composition, MissingTrace


def _answer(client: str, batch: str, members: list[str], started: float, finished: float, size: int | None = None):
    trace = {"batch": batch, "size": len(members) if size is None else size, "members": members, "worker": 1,
             "started_at": started, "finished_at": finished}
    return {"client": client, "output": 0, "trace": trace}


def test_composition_groups_clients_by_batch_in_start_order():
    answers = [_answer("c3", "w-2", ["c3"], 10.5, 10.6), _answer("c1", "w-1", ["c1", "c2"], 10.0, 10.1),
               _answer("c2", "w-1", ["c1", "c2"], 10.0, 10.1)]
    composition = Composition.from_answers(answers)
    assert composition.count == 2 and composition.sizes == [2, 1]
    assert composition.batch_of == {"c3": "w-2", "c1": "w-1", "c2": "w-1"}
    assert composition.inconsistencies() == []
    rows = composition.rows()
    assert [(r["batch"], r["size"], r["started_ms"], r["finished_ms"]) for r in rows] == [(1, 2, 0.0, 100.0),
                                                                                       (2, 1, 500.0, 600.0)]


def test_composition_reports_contradicting_traces():
    answers = [_answer("c1", "w-1", ["c1", "c2"], 1.0, 1.1, size=3),  # size says 3, lists 2
               _answer("c2", "w-1", ["c1", "c2"], 1.0, 1.1),
               _answer("c3", "w-1", ["c1", "c2"], 1.0, 1.1)]            # served by a batch that does not list it
    problems = Composition.from_answers(answers).inconsistencies()
    assert any("says size 3 but lists 2" in p for p in problems)
    assert any("c3 was served by batch w-1, which does not list it" in p for p in problems)


def test_a_client_served_by_two_batches_is_reported():
    streams = {"c1": [{"batch": "w-1", "batch_size": 1, "members": ["c1"], "produced_at": 1.0},
                      {"batch": "w-2", "batch_size": 1, "members": ["c1"], "produced_at": 1.1}]}
    problems = Composition.from_streams(streams).inconsistencies()
    assert any("served by more than one batch" in p for p in problems)


@pytest.mark.parametrize("answer", [{"client": "c1", "output": 1}, "Internal Server Error", {"trace": None}])
def test_an_answer_without_a_trace_is_refused(answer):
    with pytest.raises(MissingTrace):
        Composition.from_answers([answer])


def test_a_chunk_without_a_batch_is_refused():
    with pytest.raises(MissingTrace):
        Composition.from_streams({"c1": [{"text": "p-0"}]})


def test_batches_within_passes_and_fails_on_count_size_and_total():
    composition = Composition.from_answers([_answer(f"c{i}", f"w-{i // 2}", [f"c{i - i % 2}", f"c{i - i % 2 + 1}"],
                                                    i // 2, i // 2 + 0.1) for i in range(4)])
    batches.batches_within(composition, most_batches=2, max_size=2, requests=4)
    with pytest.raises(AssertionError, match="more than 1"):
        batches.batches_within(composition, most_batches=1, max_size=2, requests=4)
    with pytest.raises(AssertionError, match="larger than the maximum"):
        batches.batches_within(composition, most_batches=2, max_size=1, requests=4)
    with pytest.raises(AssertionError, match="do not add up"):
        batches.batches_within(composition, most_batches=2, max_size=2, requests=5)


def test_contexts_stay_with_owners():
    batches.contexts_stay_with_owners([("a", "a"), ("b", "b")])
    with pytest.raises(AssertionError, match="a's answer carried the context of 'b'"):
        batches.contexts_stay_with_owners([("a", "b"), ("b", "b")])
