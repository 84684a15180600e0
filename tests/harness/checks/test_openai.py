"""The OpenAI checks, on event streams read by the SSE reader from known wire text (malformed included)."""

from __future__ import annotations

import asyncio
import base64
import json
import struct

import httpx
import pytest

from harness.checks import openai as checks
from harness.clients.http import Exchange
from harness.clients.sse import SSETranscript, read_sse
from servers.toy_answers import embedding_of

URL = "http://127.0.0.1:9/v1/chat/completions"
SSE = {"content-type": "text/event-stream; charset=utf-8"}


class _Body(httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes], pause: float = 0.0) -> None:
        self.pieces, self.pause = pieces, pause

    async def __aiter__(self):
        for piece in self.pieces:
            if self.pause:
                await asyncio.sleep(self.pause)
            yield piece


def _read(pieces: list[bytes], headers: dict | None = None, status: int = 200, pause: float = 0.0) -> SSETranscript:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=SSE if headers is None else headers, stream=_Body(pieces, pause))

    async def run() -> SSETranscript:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await read_sse(client, URL, {"messages": [{"role": "user", "content": "about p"}]})

    return asyncio.run(run())


def _chunk(content: str | None, finish: str | None = None, usage: dict | None = None) -> bytes:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    event = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
             "usage": usage}
    return f"data: {json.dumps(event)}\n\n".encode()


COMPLETE = [_chunk("p-0"), _chunk(" p-1"), _chunk(None, "stop", {"prompt_tokens": 2, "completion_tokens": 2,
                                                                   "total_tokens": 4}), b"data: [DONE]\n\n"]


def test_events_split_across_reads_are_parsed_with_arrival_times_and_the_wire_is_kept():
    wire = b"".join(COMPLETE)
    transcript = _read([wire[:30], wire[30:200], wire[200:]], pause=0.01)
    assert [c.raw for c in transcript.chunks][-1] == "[DONE]" and len(transcript.chunks) == 4
    assert transcript.wire == wire.decode()
    assert transcript.sent_at <= transcript.chunks[0].arrived_at <= transcript.chunks[-1].arrived_at
    checks.event_stream(transcript)
    checks.chunk_deltas(transcript, ["p-0", " p-1"])
    checks.last_event_stop_with_usage(transcript, 2, 2, 4)
    checks.ends_with_done(transcript)


def test_an_unterminated_last_event_is_not_an_event_but_stays_on_the_wire():
    error = b'data: {"error": {"message": "Internal Server Error"}}'
    transcript = _read([_chunk("p-0"), error])
    assert [c.raw for c in transcript.chunks] == [json.dumps(json.loads(_chunk("p-0")[6:]))]
    assert transcript.unterminated == error.decode()
    with pytest.raises(AssertionError, match="no blank line ends"):
        checks.event_stream(transcript)
    with pytest.raises(AssertionError, match="not ended by a blank line"):
        checks.error_event_at_end(transcript)
    checks.cut_short(transcript, ["p-0"])  # no finish reason, no [DONE]: does not look complete


def test_events_not_separated_by_blank_lines_fail_the_framing_check():
    transcript = _read([_chunk("p-0").replace(b"\n\n", b"\n"), b"data: [DONE]\n\n"])
    with pytest.raises(AssertionError, match="not one 'data: ' line"):
        checks.event_stream(transcript)


def test_a_done_after_a_readable_error_event_is_accepted_but_not_alone():
    told = _read([_chunk("p-0"), b'data: {"error": {"message": "boom"}}\n\n', b"data: [DONE]\n\n"])
    checks.cut_short(told, ["p-0"])
    checks.error_event_at_end(_read([_chunk("p-0"), b'data: {"error": {"message": "boom"}}\n\n']))
    silent = _read([_chunk("p-0"), b"data: [DONE]\n\n"])
    with pytest.raises(AssertionError, match="like a complete answer"):
        checks.cut_short(silent, ["p-0"])


def test_an_answer_that_is_not_an_event_stream_is_kept_as_one_body():
    transcript = _read([b'{"detail": "rejected: p"}'], headers={"content-type": "application/json"}, status=403)
    assert transcript.status == 403 and transcript.chunks == []
    assert transcript.wire == '{"detail": "rejected: p"}'


def test_pieces_follow_the_models_rule():
    assert checks.pieces("alpha-0", 3) == ["alpha-0", " alpha-1", " alpha-2"]
    assert checks.pieces("client-1-0", 2) == ["client-1-0", " client-1-1"]


def test_base64_is_read_as_little_endian_float32():
    vector = embedding_of("hello world")
    little = base64.b64encode(struct.pack("<4f", *vector)).decode()
    big = base64.b64encode(struct.pack(">4f", *vector)).decode()
    assert checks.decode_base64(little) == vector
    assert checks.decode_base64(big) != vector
    answer = {"object": "list", "data": [{"index": 0, "embedding": big, "object": "embedding"}]}
    exchange = Exchange("POST", URL, {"input": "hello world"}, status=200, text=json.dumps(answer))
    with pytest.raises(AssertionError, match="base64 vectors are not the model's"):
        checks.embeddings_answer(exchange, ["hello world"], "base64")


def test_the_embedding_model_is_exact_in_float32():
    for text in ["hello world", "Zebra!", "a", "one two three"]:
        vector = embedding_of(text)
        assert list(struct.unpack("<4f", struct.pack("<4f", *vector))) == vector


def test_batched_together_needs_two_of_the_texts_in_one_batch():
    checks.batched_together([{"members": ["a", "b"]}, {"members": ["c"]}], ["a", "b", "c"])
    with pytest.raises(AssertionError, match="no two of the 3 texts"):
        checks.batched_together([{"members": ["a"]}, {"members": ["b", "z"]}], ["a", "b", "c"])
