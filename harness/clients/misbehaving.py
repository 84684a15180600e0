"""Clients that misbehave: raw bodies and client mistakes, clients that give up or leave a stream
(watching the server itself is in ``harness/serving/watch.py``).

Every wait here is bounded, so a server that hangs makes a scenario fail with a clear message
instead of stalling the run.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from harness.clients.http import Exchange, NoAnswerInTime, connect, new_client, send
from harness.clients.streams import StreamTranscript, read_stream


def send_raw(url: str, method: str = "POST", *, content: bytes | None = None, body: Any = None,
             headers: dict[str, str] | None = None, time_limit: float = 5.0) -> Exchange:
    """One request with exactly these bytes (or this JSON body), method and headers."""

    async def run() -> Exchange:
        async with new_client() as client:
            return await send(client, method, url, body, content=content, headers=headers, time_limit=time_limit)

    return asyncio.run(run())


@dataclass
class Abandoned:
    """What a client saw before it gave up."""

    client: str
    chunks_read: int = 0
    gave_up_after: float = 0.0
    first_chunk: Any = None


async def _abandon_stream(url: str, body: dict, after_chunks: int, time_limit: float) -> Abandoned:
    seen = Abandoned(body.get("client", ""))
    began = time.monotonic()
    async with new_client() as client:
        try:
            async with asyncio.timeout(time_limit):
                async with client.stream("POST", url, json=body) as response:
                    async for line in response.aiter_lines():
                        if line.strip():
                            seen.chunks_read += 1
                            if seen.first_chunk is None:
                                seen.first_chunk = json.loads(line)
                        if seen.chunks_read >= after_chunks:
                            break
        except TimeoutError:
            raise NoAnswerInTime(f"{seen.client} did not get {after_chunks} chunk(s) within {time_limit:g} s") from None
    seen.gave_up_after = time.monotonic() - began
    return seen


def abandon_stream_then_stream(url: str, quitter: dict, after_chunks: int, follower: dict,
                               time_limit: float = 10.0) -> tuple[Abandoned, StreamTranscript]:
    """``quitter`` reads ``after_chunks`` chunks and disconnects; then ``follower`` streams its whole reply."""

    async def run() -> tuple[Abandoned, StreamTranscript]:
        abandoned = await _abandon_stream(url, quitter, after_chunks, time_limit)
        async with new_client() as client:
            transcript = await read_stream(client, url, follower, time_limit=time_limit)
        return abandoned, transcript

    return asyncio.run(run())


def give_up_while_others_wait(url: str, quitter: dict, give_up_after: float, others: list[dict],
                              time_limit: float = 10.0) -> tuple[Abandoned, list[Exchange]]:
    """All clients ask at the same moment; ``quitter`` disconnects after ``give_up_after`` seconds."""

    async def quit_early(client: httpx.AsyncClient) -> Abandoned:
        began = time.monotonic()
        try:
            await send(client, "POST", url, quitter, time_limit=give_up_after)
        except NoAnswerInTime:
            pass
        return Abandoned(quitter.get("client", ""), gave_up_after=time.monotonic() - began)

    async def one(body: dict | None, barrier: asyncio.Barrier):
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            if body is None:
                return await quit_early(client)
            return await send(client, "POST", url, body, time_limit=time_limit)

    async def run():
        barrier = asyncio.Barrier(len(others) + 1)
        results = await asyncio.gather(one(None, barrier), *(one(body, barrier) for body in others))
        return results[0], list(results[1:])

    return asyncio.run(run())


#: The client mistakes a scenario can name, as (method, path, raw body or None).
MISTAKES: dict[str, tuple[str, str, bytes | None]] = {
    "a body that is not JSON": ("POST", "/predict", b'{"input": 3'),
    "an empty body": ("POST", "/predict", b""),
    "a list instead of an object": ("POST", "/predict", b"[1, 2, 3]"),
    "a GET instead of a POST": ("GET", "/predict", None),
    "a PUT instead of a POST": ("PUT", "/predict", b'{"input": 3}'),
    "a request to an unknown path": ("POST", "/no-such-path", b'{"input": 3}'),
}


def send_mistake(base_url: str, mistake: str, time_limit: float = 5.0) -> Exchange:
    """Send one of :data:`MISTAKES`, or "a body of N bytes" (a valid request padded to N bytes)."""
    words = mistake.split()
    if mistake.startswith("a body of ") and len(words) == 5 and words[3].isdigit() and words[4] == "bytes":
        size = int(words[3])
        head = b'{"input": 3, "padding": "'
        content = head + b"x" * max(0, size - len(head) - 2) + b'"}'
        return send_raw(f"{base_url}/predict", content=content, headers={"content-type": "application/json"},
                        time_limit=time_limit)
    if mistake not in MISTAKES:
        raise ValueError(f"unknown client mistake {mistake!r}; known ones are {sorted(MISTAKES)} "
                         "and 'a body of <N> bytes'")
    method, path, content = MISTAKES[mistake]
    headers = {"content-type": "application/json"} if content is not None else None
    return send_raw(f"{base_url}{path}", method, content=content, headers=headers, time_limit=time_limit)
