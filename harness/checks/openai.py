"""Checks on OpenAI-compatible answers: chat completions (plain, streamed on the wire, through the
``openai`` client) and embeddings. Failure messages say in plain words what the client got."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

from hamcrest import (assert_that, contains_exactly, equal_to, greater_than_or_equal_to, has_length, instance_of,
                      less_than, starts_with)

from harness.clients.http import Exchange
from harness.clients.openai_sdk import SdkCall, sdk, streamed_text
from harness.clients.sse import DONE, SSETranscript
from servers.toy_answers import embedding_of


def pieces(first: str, count: int) -> list[str]:
    """The chat model's pieces from ``first`` ("alpha-0"): "alpha-0", " alpha-1", ... (``count`` of them)."""
    topic = first.rsplit("-", 1)[0]
    return [f"{' ' if index else ''}{topic}-{index}" for index in range(count)]


# ---------------------------------------------------------------- chat, without streaming

def chat_completion(exchange: Exchange, content: str, finish_reason: str) -> None:
    """200, JSON, a "chat.completion" with one assistant message holding exactly ``content``."""
    assert_that(exchange.status, equal_to(200),
                f"the chat request got status {exchange.status}: {exchange.text[:300]!r}")
    assert_that(exchange.content_type, starts_with("application/json"), "the chat answer is not JSON")
    answer = exchange.json()
    assert_that(answer.get("object"), equal_to("chat.completion"), f"the answer is not a chat completion: {answer}")
    choices = answer.get("choices") or []
    assert_that(choices, has_length(1), f"the answer has {len(choices)} choices instead of one: {answer}")
    choice = choices[0]
    message = choice.get("message") or {}
    assert_that((choice.get("index"), message.get("role"), message.get("content"), choice.get("finish_reason")),
                equal_to((0, "assistant", content, finish_reason)),
                f"the answer's choice is not one assistant message {content!r} with finish reason {finish_reason!r}: "
                f"{choice}")


def usage_is(usage: Any, prompt: int, completion: int | None, total: int, where: str) -> None:
    """The usage holds exactly these token counts (``completion`` None: embeddings, which have none)."""
    expected = {"prompt_tokens": prompt, "total_tokens": total}
    if completion is not None:
        expected["completion_tokens"] = completion
    got = {key: (usage or {}).get(key) for key in expected}
    assert_that(got, equal_to(expected), f"{where} does not report the model's usage: {usage}")


# ---------------------------------------------------------------- chat, streamed: the wire

def event_stream(transcript: SSETranscript) -> None:
    """Status 200, ``text/event-stream``, every event one ``data:`` line (JSON or [DONE]) ended by a blank line."""
    assert_that(transcript.status, equal_to(200), f"the stream was answered with status {transcript.status}")
    assert_that(transcript.headers.get("content-type", ""), starts_with("text/event-stream"),
                "the stream is not sent as server-sent events")
    for event in transcript.wire_events:
        lines = event.split("\n")
        assert_that(len(lines) == 1 and lines[0].startswith("data: "), equal_to(True),
                    f"this event is not one 'data: ' line: {event[:300]!r}")
        data = lines[0][len("data: "):]
        if data != DONE:
            assert_that(_is_json(data), equal_to(True), f"this event's data is not JSON: {data[:300]!r}")
    assert_that(transcript.unterminated, equal_to(""),
                f"the stream ends with an event that no blank line ends, which clients drop: "
                f"{transcript.unterminated[:300]!r}")


def chunk_deltas(transcript: SSETranscript, expected: list[str], *, error_event_allowed: bool = False) -> None:
    """The data events are "chat.completion.chunk"s whose content deltas are ``expected``, one per chunk, in order
    (with ``error_event_allowed``, error events may be among them)."""
    events = [e for e in transcript.data_events if not (error_event_allowed and isinstance(e, dict) and "error" in e)]
    not_chunks = [e for e in events if not isinstance(e, dict) or e.get("object") != "chat.completion.chunk"]
    assert_that(not_chunks, equal_to([]), f"some events are not chat completion chunks: {str(not_chunks)[:300]}")
    deltas = [choice.get("delta", {}).get("content") for e in events for choice in e.get("choices", [])
              if (choice.get("delta") or {}).get("content") is not None]
    assert_that(deltas, contains_exactly(*expected),
                f"the chunks do not carry the model's {len(expected)} pieces as deltas, in order: {deltas}")


def last_event_stop_with_usage(transcript: SSETranscript, prompt: int, completion: int, total: int) -> None:
    """The last data event says finish reason "stop" and carries the usage."""
    events = transcript.data_events
    assert_that(events, has_length(greater_than_or_equal_to(1)), "the stream has no data events")
    last = events[-1] if isinstance(events[-1], dict) else {}
    reasons = [choice.get("finish_reason") for choice in last.get("choices", [])]
    assert_that(reasons, equal_to(["stop"]), f"the last data event does not finish with 'stop': {last}")
    usage_is(last.get("usage"), prompt, completion, total, "the last data event")


def ends_with_done(transcript: SSETranscript) -> None:
    """The stream's last event is exactly ``data: [DONE]``, its only one."""
    dones = [chunk for chunk in transcript.chunks if chunk.raw == DONE]
    assert_that((len(dones), transcript.chunks[-1].raw if transcript.chunks else None), equal_to((1, DONE)),
                f"the stream does not end with exactly one 'data: [DONE]'; it ends {transcript.wire[-200:]!r}")
    assert_that(transcript.wire.replace("\r\n", "\n").endswith("data: [DONE]\n\n"), equal_to(True),
                f"the stream does not end with 'data: [DONE]' and a blank line: {transcript.wire[-200:]!r}")


def first_piece_early(transcript: SSETranscript, produced: list[dict], count: int) -> None:
    """The first delta arrived before the model produced the middle piece (server-side timestamps)."""
    assert_that(produced, has_length(count), f"the model's log shows {len(produced)} pieces produced, not {count}")
    with_content = [c for c, data in zip(transcript.chunks, transcript.items)
                    if isinstance(data, dict) and any((ch.get("delta") or {}).get("content") for ch in data["choices"])]
    assert_that(with_content, has_length(greater_than_or_equal_to(1)), "no piece reached the client")
    middle = sorted(p["produced_at"] for p in produced)[count // 2]
    first = with_content[0].arrived_at
    assert_that(first, less_than(middle),
                f"the first piece reached the client {1000 * (first - middle):.0f} ms after the model had produced "
                f"half of its {count} pieces: the stream was held back")


def cut_short(transcript: SSETranscript, expected: list[str]) -> None:
    """Exactly the pieces made before the failure, and no sign of a complete answer: no finish reason, and
    no ``data: [DONE]`` unless an error event (one a client can read) comes before it."""
    chunk_deltas(transcript, expected, error_event_allowed=True)
    reasons = [choice.get("finish_reason") for e in transcript.data_events if isinstance(e, dict)
               for choice in e.get("choices", []) if choice.get("finish_reason")]
    assert_that(reasons, equal_to([]), f"the failed stream says it finished normally: {reasons}")
    told = any(isinstance(event, dict) and "error" in event for event in transcript.data_events)
    assert_that(DONE in transcript.wire and not told, equal_to(False),
                f"the failed stream ends with 'data: [DONE]' and no error event, like a complete answer: "
                f"{transcript.wire[-200:]!r}")


def error_event_at_end(transcript: SSETranscript) -> None:
    """The stream's last event is an error event, framed like every other (so clients see it)."""
    assert_that(transcript.unterminated, equal_to(""),
                f"the error event is not ended by a blank line, so SSE clients (the openai client among them) "
                f"drop it and the stream looks complete: {transcript.unterminated[:300]!r}")
    last = transcript.items[-1] if transcript.items else None
    assert_that(isinstance(last, dict) and "error" in last, equal_to(True),
                f"the stream does not end with an error event: {transcript.wire[-300:]!r}")


# ---------------------------------------------------------------- chat, through the openai client

def sdk_succeeded(outcome: SdkCall) -> None:
    assert_that(outcome.error, equal_to(None), f"the openai client failed: {outcome.describe()}")


def sdk_texts(outcome: SdkCall, count: int, text: str) -> None:
    """``count`` choices, indices 0 to count-1, each with exactly ``text`` (streamed or not)."""
    sdk_succeeded(outcome)
    if outcome.chunks:
        indices = sorted({c.index for _, chunk in outcome.chunks for c in chunk.choices})
        texts = [streamed_text(outcome, index) for index in indices]
    else:
        indices = [c.index for c in outcome.result.choices]
        texts = [c.message.content for c in outcome.result.choices]
    assert_that((indices, texts), equal_to((list(range(count)), [text] * count)),
                f"the openai client did not get {count} complete choice(s) {text!r}: {outcome.describe()}")


def sdk_tool_call(outcome: SdkCall, tool: str, arguments: dict) -> None:
    """One call of ``tool`` with ``arguments``, as ``message.tool_calls`` (or the streamed deltas' tool calls)."""
    sdk_succeeded(outcome)
    if outcome.chunks:
        calls = [call for _, chunk in outcome.chunks for c in chunk.choices for call in (c.delta.tool_calls or [])]
    else:
        calls = list(outcome.result.choices[0].message.tool_calls or [])
    got = [(call.function.name, _json_or_text(call.function.arguments)) for call in calls]
    assert_that(got, equal_to([(tool, arguments)]),
                f"the openai client did not get one call of {tool!r} with {arguments}: {outcome.describe()}")


def sdk_raised(outcome: SdkCall, error_class: str, status: int, detail: str) -> None:
    """The client raised ``openai.<error_class>`` with this status and the model's detail in its body."""
    expected = getattr(sdk(), error_class, None)
    if expected is None:
        raise ValueError(f"openai has no error class {error_class!r}")
    assert_that(outcome.error, instance_of(expected), f"the openai client did not raise {error_class}: "
                f"{outcome.describe()}")
    body = outcome.error.body if isinstance(outcome.error.body, dict) else {}
    assert_that((outcome.error.status_code, body.get("detail")), equal_to((status, detail)),
                f"the openai client's error does not carry the status and the model's detail: {outcome.describe()}")


def sdk_error_saying(outcome: SdkCall, message: str) -> None:
    """The client raised an ``openai.APIError`` whose message is the model's."""
    assert_that(outcome.error, instance_of(sdk().APIError),
                f"the openai client raised no error, so its user cannot tell that the answer failed: "
                f"{outcome.describe()}")
    assert_that(message in str(outcome.error.message), equal_to(True),
                f"the openai client's error does not say {message!r}: {outcome.describe()}")


# ---------------------------------------------------------------- embeddings

def embeddings_answer(exchange: Exchange, texts: list[str], encoding: str = "float") -> list[list[float]]:
    """200, a "list" of one embedding per text, indices in order, each the model's vector; returns the vectors."""
    assert_that(exchange.status, equal_to(200), f"the embeddings request got status {exchange.status}: "
                f"{exchange.text[:300]!r}")
    answer = exchange.json()
    data = answer.get("data") or []
    assert_that((answer.get("object"), [item.get("index") for item in data]),
                equal_to(("list", list(range(len(texts))))),
                f"the answer is not a list of {len(texts)} embeddings with indices 0 to {len(texts) - 1}: "
                f"{exchange.text[:300]!r}")
    vectors = [decode_base64(item["embedding"]) if encoding == "base64" else item["embedding"] for item in data]
    assert_that(vectors, equal_to([embedding_of(text) for text in texts]),
                f"the {encoding} vectors are not the model's vectors for {texts}: {exchange.text[:300]!r}")
    return vectors


def decode_base64(value: Any) -> list[float]:
    """A base64 embedding as the openai client reads it: little-endian float32 numbers."""
    assert_that(value, instance_of(str), f"the embedding is not base64 text: {str(value)[:200]}")
    raw = base64.b64decode(value)
    assert_that(len(raw) % 4, equal_to(0), f"the base64 embedding is {len(raw)} bytes, not float32 numbers")
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def sdk_vectors(outcome: SdkCall, texts: list[str]) -> None:
    """The openai client got the model's vector for each text, in order."""
    sdk_succeeded(outcome)
    vectors = [item.embedding for item in sorted(outcome.result.data, key=lambda item: item.index)]
    assert_that(vectors, equal_to([embedding_of(text) for text in texts]),
                f"the openai client did not get the model's vectors for {texts}: {outcome.describe()}")


def batched_together(batches: list[dict], texts: list[str]) -> None:
    """At least two of ``texts`` were embedded in one batch, as the model's log shows."""
    sizes = [len([m for m in batch["members"] if m in texts]) for batch in batches]
    assert_that(max(sizes, default=0), greater_than_or_equal_to(2),
                f"no two of the {len(texts)} texts were embedded in the same batch; batches: {batches}")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text
