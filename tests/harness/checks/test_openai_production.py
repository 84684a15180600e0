"""Checks of the OpenAI chat API in production configurations (harness/checks/openai_production.py)."""

import pytest

from harness.checks import openai_production as checks
from harness.clients.sse import SSETranscript
from harness.clients.streams import Chunk

_PIECE = '{"choices": [{"index": 0, "delta": {"content": "%s"}}]}'


def _transcript(user: str, pieces: list[str], done: bool = True) -> SSETranscript:
    transcript = SSETranscript("http://x/v1/chat/completions", {"user": user}, status=200)
    raws = [_PIECE % piece for piece in pieces] + (["[DONE]"] if done else [])
    transcript.chunks = [Chunk(10.0 + i, raw) for i, raw in enumerate(raws)]
    transcript.wire = "".join(f"data: {raw}\n\n" for raw in raws)
    return transcript


def test_a_complete_stream_of_its_own_pieces_passes():
    checks.own_complete(checks.seen(_transcript("u1", ["u1-0", " u1-1"])), 2, "u1")


def test_another_clients_pieces_or_a_missing_done_fail():
    with pytest.raises(AssertionError, match="its own 2 pieces"):
        checks.own_complete(checks.seen(_transcript("u1", ["u2-0", " u2-1"])), 2, "u1")
    with pytest.raises(AssertionError, match="complete answer"):
        checks.own_complete(checks.seen(_transcript("u1", ["u1-0", " u1-1"], done=False)), 2, "u1")


def test_a_first_piece_after_the_last_was_produced_is_a_held_back_stream():
    stream = checks.seen(_transcript("u1", ["u1-0", " u1-1"]))  # first piece arrived at 10.0
    checks.first_piece_before_last_produced(stream, [{"produced_at": 9.0}, {"produced_at": 10.5}])
    with pytest.raises(AssertionError, match="held back"):
        checks.first_piece_before_last_produced(stream, [{"produced_at": 9.0}, {"produced_at": 9.5}])


def test_streams_at_once_by_workers_and_after_leaving():
    made = {"a": [{"produced_at": 1.0, "worker": 1}, {"produced_at": 2.0, "worker": 1}],
            "b": [{"produced_at": 1.5, "worker": 2}, {"produced_at": 2.5, "worker": 2}]}
    checks.produced_at_once(made)
    checks.produced_by_workers(made, 2)
    with pytest.raises(AssertionError, match="one each"):
        checks.produced_by_workers({"a": made["a"], "b": [dict(p, worker=1) for p in made["b"]]}, 2)
    with pytest.raises(AssertionError, match="went on producing"):
        checks.stopped_after_leaving([{"index": i, "produced_at": float(i)} for i in range(10)], 2.5, 5)
