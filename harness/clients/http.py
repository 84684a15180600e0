"""Real HTTP clients for the scenarios (httpx), with client-side time limits and timestamps.

Every call has a time limit, so a server that hangs makes the scenario fail with a clear
message instead of stalling the run. Timestamps are ``time.monotonic()`` readings, comparable
with the servers' own (see ``servers/trace.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_TIME_LIMIT = 30.0


class NoAnswerInTime(AssertionError):
    """The server did not answer within the client's time limit."""


class ConnectionLost(AssertionError):
    """The server refused or dropped the connection without answering: it exited, or is shutting down.

    The server was ready when the scenario got it, so this is what LitServe did (an assertion, which a
    registered known defect can match), not a broken suite. ``refused``: nothing listens any more."""

    def __init__(self, message: str, refused: bool) -> None:
        super().__init__(message)
        self.refused = refused


#: The transport errors of a server that refuses or drops the connection instead of answering.
LOST_CONNECTION_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)


def connection_lost(method: str, url: str, error: httpx.TransportError) -> ConnectionLost:
    """The :class:`ConnectionLost` for a transport error of httpx."""
    if isinstance(error, httpx.ConnectError):
        return ConnectionLost(f"{method} {url} got no answer: nothing listens there any more (connection refused)",
                              refused=True)
    return ConnectionLost(f"{method} {url} got no answer: the server closed the connection "
                          f"({type(error).__name__}: {error})", refused=False)


@dataclass
class Exchange:
    """One request and its answer, as the client saw them."""

    method: str
    url: str
    request_body: Any
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    sent_at: float = 0.0
    answered_at: float = 0.0

    @property
    def seconds(self) -> float:
        return self.answered_at - self.sent_at

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError as error:
            raise AssertionError(f"the answer is not JSON ({error}): {self.text[:500]!r}") from None


async def send(client: httpx.AsyncClient, method: str, url: str, body: Any = None, *,
               time_limit: float = DEFAULT_TIME_LIMIT, content: bytes | str | None = None,
               headers: dict[str, str] | None = None) -> Exchange:
    """Send one request; raise :class:`NoAnswerInTime` if no full answer arrives within ``time_limit``, and
    :class:`ConnectionLost` if the server refuses or drops the connection instead of answering."""
    exchange = Exchange(method, url, body if content is None else content)
    exchange.sent_at = time.monotonic()
    kwargs: dict[str, Any] = {"headers": headers}
    if content is not None:
        kwargs["content"] = content
    elif body is not None:
        kwargs["json"] = body
    try:
        response = await asyncio.wait_for(client.request(method, url, **kwargs), time_limit)
    except asyncio.TimeoutError:
        raise NoAnswerInTime(f"{method} {url} got no answer within {time_limit:g} s (request: {body!r})") from None
    except LOST_CONNECTION_ERRORS as error:
        raise connection_lost(method, url, error) from None
    exchange.answered_at = time.monotonic()
    exchange.status = response.status_code
    exchange.headers = dict(response.headers)
    exchange.text = response.text
    return exchange


def request(method: str, url: str, body: Any = None, *, time_limit: float = DEFAULT_TIME_LIMIT, **kwargs) -> Exchange:
    """One request from one client."""

    async def run() -> Exchange:
        async with new_client() as client:
            return await send(client, method, url, body, time_limit=time_limit, **kwargs)

    return asyncio.run(run())


def post_concurrently(url: str, bodies: list[Any], *, gap_seconds: float = 0.0,
                      time_limit: float = DEFAULT_TIME_LIMIT) -> list[Exchange]:
    """POST every body from its own client at the same moment, or ``gap_seconds`` apart without waiting
    for answers. Returns the exchanges in the order of ``bodies``.

    Every client connects first and all wait at a barrier, so "the same moment" is not stretched by
    connection set-up on a busy machine.
    """
    barrier = asyncio.Barrier(len(bodies))

    async def one(index: int, body: Any) -> Exchange:
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            await asyncio.sleep(index * gap_seconds)
            return await send(client, "POST", url, body, time_limit=time_limit)

    async def run() -> list[Exchange]:
        return list(await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies))))

    return asyncio.run(run())


def post_in_sequence(url: str, bodies: list[Any], *, time_limit: float = DEFAULT_TIME_LIMIT) -> list[Exchange]:
    """POST the bodies one after another from one client, each after the previous answer."""

    async def run() -> list[Exchange]:
        async with new_client() as client:
            return [await send(client, "POST", url, body, time_limit=time_limit) for body in bodies]

    return asyncio.run(run())


async def connect(client: httpx.AsyncClient, url: str, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
    """Open the client's keep-alive connection to the server of ``url`` (any answer will do)."""
    try:
        await asyncio.wait_for(client.get(str(httpx.URL(url).copy_with(path="/"))), time_limit)
    except asyncio.TimeoutError:
        raise NoAnswerInTime(f"the server of {url} did not answer within {time_limit:g} s") from None
    except LOST_CONNECTION_ERRORS as error:
        raise connection_lost("GET", url, error) from None


def new_client() -> httpx.AsyncClient:
    """A client with no connection pooling limits (each scenario client is independent).

    The servers speak plain HTTP on 127.0.0.1, so the client skips loading the TLS certificate
    bundle (``verify=False``): on a busy machine that load took seconds for a few dozen clients.
    """
    return httpx.AsyncClient(timeout=httpx.Timeout(DEFAULT_TIME_LIMIT), limits=httpx.Limits(max_connections=None),
                             verify=False)
