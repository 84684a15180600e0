"""Checks of the OpenAI API to the letter (features/openai_spec.feature): finish reasons, the usage chunk,
request fields reaching the model as sent, schema errors, API keys, embedding dimensions and token ids.

What the model received comes from its ``chat-request`` / ``embedding-request`` traces
(``servers/openai_letter_apps.py``, ``servers/openai_apps.py``).
"""

from __future__ import annotations

from hamcrest import assert_that, equal_to, greater_than

from harness.clients.http import Exchange
from harness.clients.openai_sdk import SdkCall
from harness.clients.sse import SSETranscript


def _answered(answer: Exchange | SSETranscript) -> None:
    text = answer.text if isinstance(answer, Exchange) else answer.wire
    assert_that(answer.status, equal_to(200), f"the request was answered with status {answer.status}: {text[:400]!r}")


def finish(answer: Exchange | SSETranscript) -> tuple[list[str | None], int]:
    """The finish reasons of an answer's choices, and the number of pieces of text it carried."""
    _answered(answer)
    if isinstance(answer, Exchange):
        choices = answer.json().get("choices") or []
        content = " ".join((c.get("message") or {}).get("content") or "" for c in choices)
        return [c.get("finish_reason") for c in choices], len(content.split())
    events = [e for e in answer.data_events if isinstance(e, dict)]
    reasons = [c.get("finish_reason") for e in events for c in e.get("choices", []) if c.get("finish_reason")]
    deltas = [c["delta"]["content"] for e in events for c in e.get("choices", [])
              if (c.get("delta") or {}).get("content")]
    return reasons, len(deltas)


def finish_reason(answer: Exchange | SSETranscript, reason: str, count: int) -> None:
    """The answer carried ``count`` pieces and its one choice ended with ``reason``."""
    reasons, pieces = finish(answer)
    assert_that(pieces, equal_to(count), f"the answer carried {pieces} pieces, not {count}")
    assert_that(reasons, equal_to([reason]), f"the answer ended with the finish reason(s) {reasons}, not "
                f"[{reason!r}]: a client cannot tell why the answer ended")


def usage_chunks(transcript: SSETranscript) -> list[dict]:
    """The stream's chunks that carry a usage."""
    _answered(transcript)
    return [e for e in transcript.data_events if isinstance(e, dict) and e.get("usage")]


def usage_chunk_count(transcript: SSETranscript, count: int) -> None:
    """The stream carries the answer's pieces as events, and ``count`` chunks with a usage (an empty stream
    would carry none, proving nothing)."""
    pieces = [e for e in transcript.data_events if isinstance(e, dict) and e.get("choices")]
    assert_that(len(pieces), greater_than(0), "the stream carries no piece of the answer as server-sent events, so "
                f"its usage chunks cannot be counted (what arrived: {transcript.wire[:200]!r})")
    found = usage_chunks(transcript)
    assert_that(len(found), equal_to(count), f"the stream carries {len(found)} chunk(s) with a usage, not {count}: "
                f"{[e.get('usage') for e in found]}")


def usage_chunk_alone_last(transcript: SSETranscript, usage: dict) -> None:
    """The usage chunk is the last data event, its choices empty, and holds ``usage``."""
    events = [e for e in transcript.data_events if isinstance(e, dict)]
    last = events[-1] if events else {}
    got = {key: (last.get("usage") or {}).get(key) for key in usage}
    assert_that(got, equal_to(usage), f"the last chunk before [DONE] does not carry the usage {usage}: {last}")
    assert_that(last.get("choices"), equal_to([]), f"the usage chunk is not a chunk of its own (OpenAI: its choices "
                f"are an empty array); it carries the choices {last.get('choices')}")


def not_refused(answer: Exchange | SSETranscript) -> None:
    """LitServe let the request through to the model (it did not refuse it with a 4xx before)."""
    text = answer.text if isinstance(answer, Exchange) else answer.wire
    assert_that(400 <= answer.status < 500, equal_to(False), f"LitServe refused the request with status {answer.status} "
                f"before it reached the model: {text[:400]!r}")


def received_as_sent(received: dict | None, sent: dict, field: str) -> None:
    """The model received the request's ``field`` exactly as the client sent it."""
    assert_that(received is not None, equal_to(True), "the model never received the request (see its answer)")
    assert_that(received.get(field), equal_to(sent.get(field)),
                f"the model received {field} = {received.get(field)!r}, the client sent {sent.get(field)!r}")


def refused_as_client_mistake(exchange: Exchange, field: str) -> None:
    """Status 4xx with a message that names ``field``."""
    assert_that(400 <= exchange.status < 500, equal_to(True),
                f"a request that breaks the schema ({field}) was answered with status {exchange.status}, not a "
                f"status in the 400s: {exchange.text[:300]!r}")
    assert_that(field in exchange.text, equal_to(True),
                f"the error message does not name {field!r}: {exchange.text[:300]!r}")


def sdk_answered(outcome: SdkCall) -> None:
    assert_that(outcome.error, equal_to(None), f"the openai client was not served: {outcome.describe()}")
    assert_that(bool(outcome.result.choices[0].message.content), equal_to(True),
                f"the openai client got no text: {outcome.describe()}")


def sdk_refused(outcome: SdkCall, status: int) -> None:
    assert_that(getattr(outcome.error, "status_code", None), equal_to(status),
                f"the openai client was not refused with status {status}: {outcome.describe()}")


def vectors_of_length(exchange: Exchange, count: int, expected: list[list[float]]) -> None:
    _answered(exchange)
    vectors = [item["embedding"] for item in exchange.json().get("data", [])]
    assert_that([len(v) for v in vectors], equal_to([count] * len(expected)),
                f"the vectors do not have {count} numbers: {vectors}")
    assert_that(vectors, equal_to(expected), f"the vectors are not the model's: {vectors}")


def prompt_tokens(exchange: Exchange, tokens: int) -> None:
    usage = exchange.json().get("usage") or {}
    assert_that(usage.get("prompt_tokens"), equal_to(tokens), f"the answer does not count {tokens} tokens: {usage}")


def sdk_short_vectors(outcome: SdkCall, expected: list[list[float]]) -> None:
    assert_that(outcome.error, equal_to(None), f"the openai client failed: {outcome.describe()}")
    got = [item.embedding for item in sorted(outcome.result.data, key=lambda item: item.index)]
    assert_that(got, equal_to(expected), f"the openai client did not get the shortened vectors {expected}: {got}")
