"""The request client: a server that answers, one that never does, one that refuses or drops the connection."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from harness.clients.http import ConnectionLost, NoAnswerInTime, send
from harness.tags.outcomes import Kind, kind_of


def _send(handler, time_limit: float = 5.0, url: str = "http://127.0.0.1:9/predict"):
    async def run():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await send(client, "POST", url, {"input": 3}, time_limit=time_limit)

    return asyncio.run(run())


def test_an_answer_is_recorded_with_its_status_and_times():
    exchange = _send(lambda request: httpx.Response(200, json={"output": 9}))
    assert exchange.status == 200 and exchange.json() == {"output": 9}
    assert exchange.seconds >= 0


def test_no_answer_within_the_limit_is_a_timeout():
    async def never(request):
        await asyncio.sleep(5)

    with pytest.raises(NoAnswerInTime, match=r"got no answer within 0.1 s") as caught:
        _send(never, time_limit=0.1)
    assert kind_of(caught.value) == Kind.TIMEOUT


def test_a_dropped_connection_is_an_assertion_saying_so():
    def drop(request):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    with pytest.raises(ConnectionLost, match=r"got no answer: the server closed the connection") as caught:
        _send(drop)
    assert not caught.value.refused and kind_of(caught.value) == Kind.ASSERTION


def test_a_refused_connection_is_an_assertion_saying_nothing_listens():
    with socket.socket() as closed:   # a port that nothing listens on: bound, never listening
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

        async def run():
            async with httpx.AsyncClient() as client:
                return await send(client, "POST", f"http://127.0.0.1:{port}/predict", {"input": 3}, time_limit=5.0)

        with pytest.raises(ConnectionLost, match=r"nothing listens there any more") as caught:
            asyncio.run(run())
    assert caught.value.refused and kind_of(caught.value) == Kind.ASSERTION
