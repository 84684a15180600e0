"""Checks on streams: the right chunks in order, each client's own, refused or cut-short streams told apart."""

from __future__ import annotations

from hamcrest import assert_that, contains_exactly, equal_to, has_length

from harness.checks.answers import detail_of
from harness.clients.streams import StreamTranscript


def stream_has_chunks(transcript: StreamTranscript, expected_texts: list[str]) -> None:
    """The stream holds exactly these chunk texts, in this order."""
    assert_that(transcript.status, equal_to(200), f"the stream was answered with status {transcript.status}")
    assert_that(transcript.texts, contains_exactly(*expected_texts),
                f"the stream for {transcript.request_body!r} did not hold the expected chunks in order")


def streams_are_own(transcripts: list[StreamTranscript], chunks: int) -> None:
    """Every client got exactly its own ``chunks`` chunks, in order, and nothing of anyone else's."""
    for transcript in transcripts:
        client, prompt = transcript.request_body["client"], transcript.request_body["prompt"]
        strangers = [item for item in transcript.items if isinstance(item, dict) and item.get("client") != client]
        assert_that(strangers, has_length(0), f"{client} received chunks that belong to other clients")
        stream_has_chunks(transcript, [f"{prompt}-{index}" for index in range(chunks)])
        assert_that(transcript.ended_cleanly, equal_to(True), f"the stream of {client} did not end cleanly")


def stream_prefix(transcript: StreamTranscript, texts: list[str]) -> None:
    """Exactly these chunk texts, in order: what was produced before a failure, and nothing invented."""
    assert_that(transcript.texts, contains_exactly(*texts) if texts else equal_to([]),
                f"{transcript.request_body.get('client', 'the client')} did not receive exactly the chunks "
                f"produced before the failure")


def stream_refused(transcript: StreamTranscript, status: int, detail: str | None = None) -> None:
    """The stream was answered with an error status (and detail) instead of 200 with chunks."""
    body = "\n".join(chunk.raw for chunk in transcript.chunks)
    assert_that(transcript.status, equal_to(status),
                f"the stream for {transcript.request_body!r} was answered with status {transcript.status} "
                f"and {len(transcript.chunks)} chunk(s) {body[:200]!r} instead of status {status}")
    if detail is not None:
        assert_that(detail_of(body), equal_to(detail), f"the refused stream did not carry the model's detail: {body!r}")


def stream_marked_incomplete(transcript: StreamTranscript, expected_chunks: int) -> None:
    """A client can tell a cut-short stream: it is broken off, or says so in an error chunk."""
    error_chunk = any(isinstance(item, dict) and ("error" in item or "detail" in item) for item in transcript.items)
    told = (not transcript.ended_cleanly) or bool(transcript.error) or error_chunk
    assert_that(told, equal_to(True),
                f"the stream stopped after {len(transcript.chunks)} of {expected_chunks} chunks, with status "
                f"{transcript.status}, and ended exactly like a complete stream: the client cannot tell it failed")
