"""The stream reader on known inputs, malformed ones included."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from harness.checks import streams as stream_checks
from harness.clients.http import NoAnswerInTime
from harness.clients.streams import StreamTranscript, read_stream

URL = "http://127.0.0.1:9/predict"


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
