"""Read server-sent event (SSE) streams as an OpenAI client receives them, keeping the wire text too.

The events are parsed by ``httpx-sse`` (the WHATWG rules: an event ends at a blank line, and text
after the last blank line is not an event). The bytes as they came off the wire are kept as
well, so the suite can check the framing itself and show what a parser would have dropped.
Each event records when it reached the client (``time.monotonic()``), like
:mod:`harness.clients.streams` does for line-delimited streams.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

import httpx
from httpx_sse import EventSource, SSEError

from harness.clients.http import DEFAULT_TIME_LIMIT, NoAnswerInTime, connect, new_client
from harness.clients.streams import Chunk, Cue, StreamTranscript, stream_cued

DONE = "[DONE]"


@dataclass
class SSETranscript(StreamTranscript):
    """One SSE stream: its events as chunks (``raw`` is the event's data), and the text received."""

    wire: str = ""
    arrivals: list[tuple[float, int]] = field(default_factory=list)  # (arrived_at, bytes so far) per network read

    @property
    def data_events(self) -> list[Any]:
        """The events' data as JSON, without the closing ``[DONE]``."""
        return [chunk.data for chunk in self.chunks if chunk.raw != DONE]

    @property
    def unterminated(self) -> str:
        """Text after the last blank line: an event the server never finished, which SSE parsers drop."""
        text = self.wire.replace("\r\n", "\n")
        return text.rsplit("\n\n", 1)[-1] if "\n\n" in text else text

    @property
    def wire_events(self) -> list[str]:
        """The wire text cut at blank lines: the events as the server framed them (the unterminated rest last)."""
        parts = self.wire.replace("\r\n", "\n").split("\n\n")
        return [part for part in parts if part]


class NotAnEventStream(AssertionError):
    """A stream that should be server-sent events is labelled otherwise (LitServe's answer, so an assertion)."""


class _Recorded(httpx.AsyncByteStream):
    """A response body stream that keeps a copy of every read, with its arrival time."""

    def __init__(self, inner: httpx.AsyncByteStream, transcript: SSETranscript) -> None:
        self._inner = inner
        self._transcript = transcript
        self._received = bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for data in self._inner:
            self._received.extend(data)
            self._transcript.wire = self._received.decode("utf-8", errors="replace")
            self._transcript.arrivals.append((time.monotonic(), len(self._received)))
            yield data

    async def aclose(self) -> None:
        await self._inner.aclose()


async def read_sse(client: httpx.AsyncClient, url: str, body: Any, *,
                   time_limit: float = DEFAULT_TIME_LIMIT,
                   on_chunk: Callable[[SSETranscript], None] | None = None) -> SSETranscript:
    """POST ``body`` and read the answer as server-sent events until the server ends it (``on_chunk`` is called
    with the transcript after each event).

    An answer that is not ``text/event-stream`` (an error status, or a chat answer without streaming) is kept as
    wire text with no events.
    """
    transcript = SSETranscript(url, body)

    async def consume() -> None:
        async with client.stream("POST", url, json=body, headers={"Accept": "text/event-stream"}) as response:
            transcript.status = response.status_code
            transcript.headers = dict(response.headers)
            response.stream = _Recorded(response.stream, transcript)
            try:
                async for event in EventSource(response).aiter_sse():
                    transcript.chunks.append(Chunk(time.monotonic(), event.data))
                    if on_chunk:
                        on_chunk(transcript)
            except SSEError:  # not an event stream: read the body as it is
                await response.aread()
        transcript.ended_cleanly = True

    transcript.sent_at = time.monotonic()
    try:
        await asyncio.wait_for(consume(), time_limit)
    except asyncio.TimeoutError:
        raise NoAnswerInTime(f"the event stream from {url} did not end within {time_limit:g} s; "
                             f"{len(transcript.chunks)} event(s) had arrived (request: {json.dumps(body)})") from None
    except httpx.HTTPError as error:
        transcript.error = f"{type(error).__name__}: {error}"
    transcript.finished_at = time.monotonic()
    return transcript


def stream_sse(url: str, body: Any, *, time_limit: float = DEFAULT_TIME_LIMIT) -> SSETranscript:
    """One event stream from one client."""

    async def run() -> SSETranscript:
        async with new_client() as client:
            return await read_sse(client, url, body, time_limit=time_limit)

    return asyncio.run(run())


def stream_sse_concurrently(url: str, bodies: list[Any], *,
                            time_limit: float = DEFAULT_TIME_LIMIT) -> list[SSETranscript]:
    """Start one event stream per body at the same moment, each from its own (already connected) client."""
    barrier = asyncio.Barrier(len(bodies))

    async def one(body: Any) -> SSETranscript:
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            return await read_sse(client, url, body, time_limit=time_limit)

    async def run() -> list[SSETranscript]:
        return list(await asyncio.gather(*(one(body) for body in bodies)))

    return asyncio.run(run())


def stream_sse_cued(url: str, plan: list[tuple[dict, Cue]], *,
                    time_limit: float = DEFAULT_TIME_LIMIT) -> list[SSETranscript]:
    """One chat request per ``(body, cue)``, each sent on its cue (:func:`harness.clients.streams.stream_cued`; a
    body's ``user`` names its client) and read as server-sent events, or as the whole answer without streaming."""
    return stream_cued(url, plan, time_limit=time_limit, read=read_sse, name=lambda body: body["user"])


def stream_sse_and_leave(url: str, body: Any, *, after_pieces: int,
                         time_limit: float = DEFAULT_TIME_LIMIT) -> SSETranscript:
    """Read an event stream until ``after_pieces`` content deltas arrived, then close the connection (a client
    that leaves mid-stream); ``finished_at`` is when it left."""
    transcript = SSETranscript(url, body)

    async def consume(client: httpx.AsyncClient) -> None:
        async with client.stream("POST", url, json=body, headers={"Accept": "text/event-stream"}) as response:
            transcript.status = response.status_code
            try:
                async for event in EventSource(response).aiter_sse():
                    transcript.chunks.append(Chunk(time.monotonic(), event.data))
                    if sum(1 for c in transcript.chunks if c.raw != DONE and '"content":"' in c.raw) >= after_pieces:
                        break
            except SSEError:
                raise NotAnEventStream(
                    "the stream is not sent as server-sent events: its Content-Type is "
                    f"{response.headers.get('content-type', 'missing')!r}, so the client reads none of its pieces "
                    "and cannot leave after some of them") from None

    async def run() -> None:
        async with new_client() as client:
            await asyncio.wait_for(consume(client), time_limit)

    transcript.sent_at = time.monotonic()
    asyncio.run(run())
    transcript.finished_at = time.monotonic()
    return transcript
