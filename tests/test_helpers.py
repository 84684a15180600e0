"""The stream reader, batch composition, timing and assertion helpers on known inputs, malformed ones included."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from harness.checks import answers, batches
from harness.checks import streams as stream_checks
from harness.checks.batches import Composition, MissingTrace
from tools import behave_runs
from tools.behave_runs import parse_results
from harness.clients.http import Exchange, NoAnswerInTime
from tools.flakiness import rates
from harness.tags.releases import not_applicable_reason, parse
from harness.clients.streams import Chunk, StreamTranscript, read_stream

URL = "http://127.0.0.1:9/predict"


# --- stream reader ---------------------------------------------------------------------------------


class _Body(httpx.AsyncByteStream):
    """A response body delivered in the given pieces, with optional pauses and a failure at the end."""

    def __init__(self, pieces: list[bytes], pause: float = 0.0, fail: Exception | None = None) -> None:
        self.pieces, self.pause, self.fail = pieces, pause, fail

    async def __aiter__(self):
        for piece in self.pieces:
            if self.pause:
                await asyncio.sleep(self.pause)
            yield piece
        if self.fail:
            raise self.fail


def _read(pieces: list[bytes], *, status: int = 200, pause: float = 0.0, fail: Exception | None = None,
          time_limit: float = 5.0) -> StreamTranscript:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, stream=_Body(pieces, pause, fail))

    async def run() -> StreamTranscript:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await read_stream(client, URL, {"prompt": "p"}, time_limit=time_limit)

    return asyncio.run(run())


def test_stream_reader_splits_lines_across_pieces_and_skips_blank_lines():
    transcript = _read([b'{"text": "p-0"}\n{"te', b'xt": "p-1"}\n\n', b'{"text": "p-2"}'])
    assert transcript.status == 200
    assert transcript.texts == ["p-0", "p-1", "p-2"]
    assert transcript.ended_cleanly and transcript.error == ""


def test_stream_reader_records_arrival_times_in_order():
    transcript = _read([b'{"text": "a"}\n', b'{"text": "b"}\n'], pause=0.05)
    first, second = (chunk.arrived_at for chunk in transcript.chunks)
    assert transcript.sent_at <= first < second <= transcript.finished_at
    assert second - first >= 0.04


def test_a_chunk_that_is_not_json_is_kept_as_text():
    transcript = _read([b"plain words\n", b'{"text": "p-1"}\n', b"[1, 2]\n"])
    assert transcript.items == ["plain words", {"text": "p-1"}, [1, 2]]
    assert transcript.texts == ["plain words", "p-1", "[1, 2]"]


def test_a_stream_that_breaks_off_is_not_clean():
    transcript = _read([b'{"text": "p-0"}\n'], fail=httpx.ReadError("connection reset"))
    assert transcript.texts == ["p-0"]
    assert not transcript.ended_cleanly
    assert "ReadError" in transcript.error


def test_a_stream_that_does_not_end_in_time_fails_with_what_had_arrived():
    with pytest.raises(NoAnswerInTime, match=r"did not end within 0.2 s; 1 chunk\(s\) had arrived"):
        _read([b'{"text": "p-0"}\n', b'{"text": "p-1"}\n'], pause=0.15, time_limit=0.2)


def test_error_status_is_recorded():
    transcript = _read([b"Internal Server Error"], status=500)
    assert transcript.status == 500
    with pytest.raises(AssertionError, match="status 500"):
        stream_checks.stream_has_chunks(transcript, ["Internal Server Error"])


# --- batch composition ------------------------------------------------------------------------------


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


# --- answers, contexts, streams -------------------------------------------------------------------------


def _exchange(client: str, number: float, status: int, body) -> Exchange:
    exchange = Exchange("POST", URL, {"client": client, "input": number}, status=status,
                        text=body if isinstance(body, str) else json.dumps(body), sent_at=1.0, answered_at=1.25)
    return exchange


def test_own_squares_accepts_right_answers_and_names_wrong_ones():
    answers.answers_are_own_squares([_exchange("a", 3, 200, {"client": "a", "output": 9})])
    with pytest.raises(AssertionError) as error:
        answers.answers_are_own_squares([_exchange("a", 3, 200, {"client": "b", "output": 16}),
                                        _exchange("b", 4, 500, "Internal Server Error")])
    message = str(error.value)
    assert "a sent 3 and got 16 instead of 9" in message
    assert "a got the answer meant for b" in message
    assert "b got status 500" in message
    assert "2 of 2 clients got a wrong answer" in message


def test_an_answer_that_is_not_json_fails_with_its_text():
    with pytest.raises(AssertionError, match="not JSON.*Internal Server Error"):
        _exchange("a", 3, 500, "Internal Server Error").json()


@pytest.mark.parametrize("body", ['{"detail":"Internal server error"}', "Internal Server Error"])
def test_a_short_server_error_may_be_json_with_a_detail_or_plain_text(body):
    answers.short_server_error(_exchange("a", 3, 500, body))


@pytest.mark.parametrize("status, body, complaint", [
    (200, '{"detail":"x"}', "status 200 instead of 500"),
    (500, '{"detail":"Traceback (most recent call last): ..."}', "gives internals away"),
    (500, "model-internal-failure in predict", "gives internals away"),
    (500, '{"error":"x"}', "no short detail"),
    (500, "", "is empty"),
    (500, '{"detail":"' + "x" * 300 + '"}', "not a short error"),
])
def test_a_server_error_that_is_not_short_or_says_too_much_fails(status, body, complaint):
    with pytest.raises(AssertionError, match=complaint):
        answers.short_server_error(_exchange("a", 3, status, body))


def test_exchange_timing():
    assert _exchange("a", 1, 200, {}).seconds == pytest.approx(0.25)


def test_contexts_stay_with_owners():
    batches.contexts_stay_with_owners([("a", "a"), ("b", "b")])
    with pytest.raises(AssertionError, match="a's answer carried the context of 'b'"):
        batches.contexts_stay_with_owners([("a", "b"), ("b", "b")])


def _transcript(client: str, prompt: str, items: list, clean: bool = True) -> StreamTranscript:
    transcript = StreamTranscript(URL, {"client": client, "prompt": prompt}, status=200, ended_cleanly=clean)
    transcript.chunks = [Chunk(1.0 + i / 10, json.dumps(item)) for i, item in enumerate(items)]
    return transcript


def test_streams_are_own_accepts_complete_streams_and_catches_strangers_order_and_loss():
    own = [{"client": "a", "text": f"p-{i}"} for i in range(3)]
    stream_checks.streams_are_own([_transcript("a", "p", own)], 3)
    with pytest.raises(AssertionError, match="belong to other clients"):
        stream_checks.streams_are_own([_transcript("a", "p", own[:2] + [{"client": "b", "text": "p-2"}])], 3)
    with pytest.raises(AssertionError, match="expected chunks in order"):
        stream_checks.streams_are_own([_transcript("a", "p", [own[1], own[0], own[2]])], 3)
    with pytest.raises(AssertionError, match="expected chunks in order"):
        stream_checks.streams_are_own([_transcript("a", "p", own[:2])], 3)
    with pytest.raises(AssertionError, match="did not end cleanly"):
        stream_checks.streams_are_own([_transcript("a", "p", own, clean=False)], 3)


# --- small parsers: settings tables, releases, behave results, pass rates ----------------------------------


def test_release_numbers_and_version_tags():
    assert parse("0.2.19") > parse("0.2.9") > parse("0.2.0")
    assert parse("0.2.20.dev1") == (0, 2, 20)
    with pytest.raises(ValueError):
        parse("latest")
    assert not_applicable_reason(["litserve.since:0.2.6"], "0.2.5").startswith("LitServe 0.2.5 predates")
    assert not_applicable_reason(["litserve.since:0.2.6", "litserve.until:0.2.11"], "0.2.6") == ""
    assert not_applicable_reason(["litserve.until:0.2.11"], "0.2.12").startswith("LitServe 0.2.12 no longer")
    assert not_applicable_reason(["critical"], "0.2.19") == ""


def test_behave_json_results_and_pass_rates():
    document = [{"location": "/x/features/single_streaming.feature:1", "elements": [
        {"type": "background", "name": "", "location": "/x/features/single_streaming.feature:3", "steps": []},
        {"type": "scenario", "name": "A -- @1.1 ", "status": "passed",
         "location": "/x/features/single_streaming.feature:9", "steps": []},
        {"type": "scenario", "name": "B", "location": "/x/features/single_streaming.feature:12", "steps": [
            {"result": {"status": "passed"}},
            {"result": {"status": "failed", "error_message": ["Assertion Failed: chunks", "  but: was 3"]}}]},
    ]}]
    results = parse_results(document)
    assert [(r.feature, r.name, r.location, r.status) for r in results] == [
        ("single_streaming", "A -- @1.1", "features/single_streaming.feature:9", "passed"),
        ("single_streaming", "B", "features/single_streaming.feature:12", "failed")]
    assert "Assertion Failed: chunks" in results[1].error

    class Run:
        def __init__(self, scenarios):
            self.scenarios = scenarios

    assert rates([Run(results), Run(results[:1])]) == [("single_streaming: A -- @1.1", 2, 2),
                                                        ("single_streaming: B", 0, 1)]


def test_default_features_come_from_the_feature_files_and_behave_ini(tmp_path, monkeypatch):
    features = tmp_path / "features"
    features.mkdir()
    (features / "measured.feature").write_text("@performance\nFeature: M\n  Scenario: m\n    Given x\n")
    (features / "mixed.feature").write_text("Feature: X\n  @slow\n  Scenario: s\n    Given x\n"
                                            "  Scenario: p\n    Given x\n")
    (features / "slow.feature").write_text("Feature: S\n  Scenario Outline: o\n    Given <x>\n"
                                           "    @slow\n    Examples:\n      | x |\n      | 1 |\n")
    ini = tmp_path / "behave.ini"
    ini.write_text("[behave]\ndefault_tags = not @performance\n    not @slow\n")
    monkeypatch.setattr(behave_runs, "FEATURES_DIR", features)
    monkeypatch.setattr(behave_runs, "BEHAVE_INI", ini)
    assert behave_runs.default_tags() == "(not @performance) and (not @slow)"
    assert behave_runs.selected_features() == ["mixed"]
    assert behave_runs.selected_features("@performance or @slow") == ["measured", "mixed", "slow"]
    behave_runs.check_features(["mixed", "features/mixed.feature"], behave_runs.default_tags())
    with pytest.raises(ValueError, match="--tags"):
        behave_runs.check_features(["measured"], behave_runs.default_tags())
    with pytest.raises(ValueError, match="known features"):
        behave_runs.check_features(["nope"], behave_runs.default_tags())
