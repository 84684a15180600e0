"""Read streamed answers line by line, recording when each chunk reached the client."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

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
                      time_limit: float = DEFAULT_TIME_LIMIT, headers: dict[str, str] | None = None) -> StreamTranscript:
    """POST ``body`` (with ``headers``) and read the answer as newline-delimited chunks until the server ends it."""
    transcript = StreamTranscript(url, body)

    async def consume() -> None:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            transcript.status = response.status_code
            transcript.headers = dict(response.headers)
            async for line in response.aiter_lines():
                if line.strip():
                    transcript.chunks.append(Chunk(time.monotonic(), line))
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


def stream_staggered(url: str, plan: list[tuple[Any, float]], *,
                     time_limit: float = DEFAULT_TIME_LIMIT) -> list[StreamTranscript]:
    """One stream per ``(body, delay)``: each client connects first, then sends ``delay`` seconds after the start."""
    barrier = asyncio.Barrier(len(plan))

    async def one(body: Any, delay: float) -> StreamTranscript:
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            await asyncio.sleep(delay)
            return await read_stream(client, url, body, time_limit=time_limit)

    async def run() -> list[StreamTranscript]:
        return list(await asyncio.gather(*(one(body, delay) for body, delay in plan)))

    return asyncio.run(run())
