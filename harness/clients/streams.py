"""Read streamed answers line by line, recording when each chunk reached the client."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import httpx

from harness.clients.http import DEFAULT_TIME_LIMIT, NoAnswerInTime, connect, new_client


@dataclass
class Chunk:
    """One line of a streamed answer and the client's arrival time."""

    arrived_at: float
    raw: str

    @property
    def data(self) -> Any:
        """The chunk as JSON; a chunk that is not JSON is returned as its text."""
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw


@dataclass
class StreamTranscript:
    """What one client received from one streaming request."""

    url: str
    request_body: Any
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    sent_at: float = 0.0
    finished_at: float = 0.0
    ended_cleanly: bool = False
    error: str = ""

    @property
    def items(self) -> list[Any]:
        return [chunk.data for chunk in self.chunks]

    @property
    def texts(self) -> list[str]:
        return [item.get("text", "") if isinstance(item, dict) else str(item) for item in self.items]


async def read_stream(client: httpx.AsyncClient, url: str, body: Any, *,
                      time_limit: float = DEFAULT_TIME_LIMIT, headers: dict[str, str] | None = None,
                      on_chunk: Callable[[StreamTranscript], None] | None = None) -> StreamTranscript:
    """POST ``body`` (with ``headers``) and read the answer as newline-delimited chunks until the server ends it
    (``on_chunk`` is called with the transcript after each chunk)."""
    transcript = StreamTranscript(url, body)

    async def consume() -> None:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            transcript.status = response.status_code
            transcript.headers = dict(response.headers)
            async for line in response.aiter_lines():
                if line.strip():
                    transcript.chunks.append(Chunk(time.monotonic(), line))
                    if on_chunk:
                        on_chunk(transcript)
        transcript.ended_cleanly = True

    transcript.sent_at = time.monotonic()
    try:
        await asyncio.wait_for(consume(), time_limit)
    except asyncio.TimeoutError:
        raise NoAnswerInTime(
            f"the stream from {url} did not end within {time_limit:g} s; "
            f"{len(transcript.chunks)} chunk(s) had arrived (request: {body!r})"
        ) from None
    except httpx.HTTPError as error:
        transcript.error = f"{type(error).__name__}: {error}"
    transcript.finished_at = time.monotonic()
    return transcript


def stream_concurrently(url: str, bodies: list[Any], *, time_limit: float = DEFAULT_TIME_LIMIT,
                        headers: dict[str, str] | None = None) -> list[StreamTranscript]:
    """Start one stream per body at the same moment, each from its own (already connected) client."""
    barrier = asyncio.Barrier(len(bodies))

    async def one(body: Any) -> StreamTranscript:
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            return await read_stream(client, url, body, time_limit=time_limit, headers=headers)

    async def run() -> list[StreamTranscript]:
        return list(await asyncio.gather(*(one(body) for body in bodies)))

    return asyncio.run(run())


@dataclass(frozen=True)
class Cue:
    """When a client of :func:`stream_cued` sends: ``delay`` seconds after the start, or once ``client`` has
    received ``chunks`` chunks (then ``delay`` is ignored)."""

    delay: float = 0.0
    client: str = ""
    chunks: int = 0


def stream_cued(url: str, plan: list[tuple[dict, Cue]], *, time_limit: float = DEFAULT_TIME_LIMIT,
                read: Callable[..., Awaitable[StreamTranscript]] = read_stream,
                name: Callable[[dict], str] = lambda body: body["client"]) -> list[StreamTranscript]:
    """One stream per ``(body, cue)`` (``name`` tells a body's client, by default its ``client``): each client
    connects first, then sends on its cue, so that a plan keyed to another stream's progress holds however fast
    the server runs. ``read`` reads one stream (:func:`read_stream`; ``harness.clients.sse.read_sse`` for
    server-sent events), calling its ``on_chunk`` after each chunk."""
    barrier = asyncio.Barrier(len(plan))
    cues: dict[tuple[str, int], asyncio.Event] = {(c.client, c.chunks): asyncio.Event() for _, c in plan if c.client}

    def progressed(transcript: StreamTranscript) -> None:
        event = cues.get((name(transcript.request_body), len(transcript.chunks)))
        if event:
            event.set()

    async def one(body: dict, cue: Cue) -> StreamTranscript:
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            if cue.client:
                try:
                    await asyncio.wait_for(cues[(cue.client, cue.chunks)].wait(), time_limit)
                except asyncio.TimeoutError:
                    raise NoAnswerInTime(f"{name(body)} was to ask once {cue.client} had {cue.chunks} chunk(s), "
                                         f"which did not happen within {time_limit:g} s") from None
            else:
                await asyncio.sleep(cue.delay)
            transcript = await read(client, url, body, time_limit=time_limit, on_chunk=progressed)
        for (waited_for, _), event in cues.items():  # a stream that ended short releases who waited for it
            if waited_for == name(body):
                event.set()
        return transcript

    async def run() -> list[StreamTranscript]:
        return list(await asyncio.gather(*(one(body, cue) for body, cue in plan)))

    return asyncio.run(run())
