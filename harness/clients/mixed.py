"""Mixed traffic: plain requests to one endpoint and streams from another, all at the same moment."""

from __future__ import annotations

import asyncio
from typing import Any

from harness.clients.http import DEFAULT_TIME_LIMIT, Exchange, connect, new_client, send
from harness.clients.streams import StreamTranscript, read_stream


def ask_and_stream_together(ask_url: str, ask_bodies: list[Any], stream_url: str, stream_bodies: list[Any], *,
                            stream_headers: dict[str, str] | None = None,
                            time_limit: float = DEFAULT_TIME_LIMIT) -> tuple[list[Exchange], list[StreamTranscript]]:
    """POST every ``ask_bodies`` item to ``ask_url`` and stream every ``stream_bodies`` item from ``stream_url``,
    each from its own already-connected client, all released at one barrier. Returns both in body order."""
    barrier = asyncio.Barrier(len(ask_bodies) + len(stream_bodies))

    async def ask(body: Any) -> Exchange:
        async with new_client() as client:
            await connect(client, ask_url)
            await barrier.wait()
            return await send(client, "POST", ask_url, body, time_limit=time_limit)

    async def stream(body: Any) -> StreamTranscript:
        async with new_client() as client:
            await connect(client, stream_url)
            await barrier.wait()
            return await read_stream(client, stream_url, body, time_limit=time_limit, headers=stream_headers)

    async def run() -> tuple[list[Exchange], list[StreamTranscript]]:
        asks = [asyncio.ensure_future(ask(body)) for body in ask_bodies]
        streams = [asyncio.ensure_future(stream(body)) for body in stream_bodies]
        await asyncio.gather(*asks, *streams)
        return [task.result() for task in asks], [task.result() for task in streams]

    return asyncio.run(run())
