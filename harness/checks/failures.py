"""Assertions for failure scenarios: error answers, refused requests, cut-short streams.

Failure messages say in plain words what the client got and what it should have got.
"""

from __future__ import annotations

from hamcrest import assert_that, contains_exactly, equal_to, less_than, less_than_or_equal_to

from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript
from servers.apps import INTERNAL_ERROR_MARKER

#: An error answer longer than this is not "short" (a stack trace or a dump of internals).
SHORT_ERROR_CHARS = 200
#: Signs of a stack trace or of the model's own error message in an answer body.
LEAKS = ("Traceback", 'File "', INTERNAL_ERROR_MARKER, "RuntimeError")


def short_server_error(exchange: Exchange, status: int = 500, who: str = "the client") -> None:
    """``status``, a JSON ``detail``, short, and nothing of the model's internals."""
    assert_that(exchange.status, equal_to(status), f"{who} got status {exchange.status} instead of {status}: "
                f"{exchange.text[:300]!r}")
    leaks = [sign for sign in LEAKS if sign in exchange.text]
    assert_that(leaks, equal_to([]), f"the error answer to {who} gives internals away: {exchange.text[:500]!r}")
    assert_that(len(exchange.text), less_than_or_equal_to(SHORT_ERROR_CHARS),
                f"the error answer to {who} is {len(exchange.text)} characters long, not a short error: "
                f"{exchange.text[:500]!r}")
    detail = exchange.json().get("detail") if isinstance(exchange.json(), dict) else None
    assert_that(isinstance(detail, str) and bool(detail), equal_to(True),
                f"the error answer to {who} has no short detail: {exchange.text!r}")


def status_and_detail(exchange: Exchange, status: int, detail: str, who: str = "the client") -> None:
    """Exactly this status and this detail."""
    assert_that((exchange.status, _detail(exchange.text)), equal_to((status, detail)),
                f"{who} did not get the model's status and detail; it got {exchange.status}: {exchange.text[:300]!r}")


def own_square(exchange: Exchange, who: str = "") -> None:
    """200 with the square of the number this client sent."""
    sent = exchange.request_body
    who = who or (sent.get("client") if isinstance(sent, dict) else "") or "the client"
    assert_that(exchange.status, equal_to(200), f"{who} got status {exchange.status}: {exchange.text[:300]!r}")
    assert_that(exchange.json().get("output"), equal_to(sent["input"] ** 2),
                f"{who} sent {sent['input']} and did not get its square: {exchange.text[:300]!r}")


def stream_refused(transcript: StreamTranscript, status: int, detail: str | None = None) -> None:
    """The stream was answered with an error status (and detail) instead of 200 with chunks."""
    body = "\n".join(chunk.raw for chunk in transcript.chunks)
    assert_that(transcript.status, equal_to(status),
                f"the stream for {transcript.request_body!r} was answered with status {transcript.status} "
                f"and {len(transcript.chunks)} chunk(s) {body[:200]!r} instead of status {status}")
    if detail is not None:
        assert_that(_detail(body), equal_to(detail), f"the refused stream did not carry the model's detail: {body!r}")


def stream_prefix(transcript: StreamTranscript, texts: list[str]) -> None:
    """Exactly these chunk texts, in order: what was produced before a failure, and nothing invented."""
    assert_that(transcript.texts, contains_exactly(*texts) if texts else equal_to([]),
                f"{transcript.request_body.get('client', 'the client')} did not receive exactly the chunks "
                f"produced before the failure")


def stream_marked_incomplete(transcript: StreamTranscript, expected_chunks: int) -> None:
    """A client can tell a cut-short stream: it is broken off, or says so in an error chunk."""
    error_chunk = any(isinstance(item, dict) and ("error" in item or "detail" in item) for item in transcript.items)
    told = (not transcript.ended_cleanly) or bool(transcript.error) or error_chunk
    assert_that(told, equal_to(True),
                f"the stream stopped after {len(transcript.chunks)} of {expected_chunks} chunks, with status "
                f"{transcript.status}, and ended exactly like a complete stream: the client cannot tell it failed")


def arrives_within(seconds: float, limit: float, what: str) -> None:
    assert_that(seconds, less_than_or_equal_to(limit), f"{what} took {seconds:.2f} s, more than {limit:g} s")


def before(first: float, second: float, what: str) -> None:
    assert_that(first, less_than(second), what)


def _detail(text: str):
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("detail") if isinstance(data, dict) else None
