"""Steps about models and clients at the edges: unusual Content-Types, exceptions a model raises, health checks
that raise or take long (``servers/options_apps.py``)."""

from __future__ import annotations

import asyncio

from behave import then, when
from hamcrest import assert_that, equal_to, less_than_or_equal_to

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, record_exchanges, url
from harness.clients import http, misbehaving

#: How long a client waits for the answer to a request whose model raised: an error comes at once or not at all.
ERROR_TIME_LIMIT = 1.5


@when("a client sends a square request's JSON with {headers:ContentType}")
def step_content_type(context, headers):
    record_exchanges(context, [misbehaving.send_raw(url(context), content=b'{"client": "client-1", "input": 6}',
                                                    headers=headers, time_limit=TIME_LIMIT)])


@when("a client asks for the square of {number:d} and the model raises {kind:ModelException}")
def step_model_raises(context, number, kind):
    record_exchanges(context, [http.request("POST", url(context), {"client": "client-1", "input": number,
                                                                   "raise": kind}, time_limit=ERROR_TIME_LIMIT)])


@when("a client checks the server's health while {count:d} clients ask for squares")
def step_health_beside_requests(context, count):
    health_url, target = context.server.health_url, url(context)

    async def run() -> list[http.Exchange]:
        async with http.new_client() as client:
            health = asyncio.create_task(http.send(client, "GET", health_url, time_limit=TIME_LIMIT))
            await asyncio.sleep(0.1)  # the health check is under way when the requests arrive
            asked = [asyncio.create_task(http.send(client, "POST", target, {"client": f"client-{n}", "input": n},
                                                   time_limit=TIME_LIMIT)) for n in range(1, count + 1)]
            return [await health, *await asyncio.gather(*asked)]

    record_exchanges(context, asyncio.run(run()))


@then("the answer holds the output {square:d}")
def step_output(context, square):
    exchange = context.exchanges[-1]
    assert_that((exchange.status, exchange.json().get("output") if exchange.status == 200 else exchange.text),
                equal_to((200, square)), "the request was not served")


@then("the server goes on: a client that then asks for the square of {number:d} gets {square:d}")
def step_goes_on(context, number, square):
    exchange = http.request("POST", url(context), {"client": "client-next", "input": number}, time_limit=TIME_LIMIT)
    assert_that((exchange.status, exchange.json().get("output") if exchange.status == 200 else exchange.text),
                equal_to((200, square)), "the server did not go on serving")


@then('the health check answers {status:d} with "{text}", and every client gets the square of its own number')
def step_health_and_squares(context, status, text):
    health, *asked = context.exchanges
    assert_that((health.status, health.text), equal_to((status, text)), "unexpected health answer")
    for exchange in asked:
        assert_that((exchange.status, exchange.json().get("output")),
                    equal_to((200, exchange.request_body["input"] ** 2)), f"wrong answer: {exchange.text[:300]}")


@then("every client is answered within {ms:d} ms, without waiting for the health check")
def step_not_blocked_by_health(context, ms):
    health, *asked = context.exchanges
    slowest = max(exchange.seconds for exchange in asked)
    assert_that(slowest, less_than_or_equal_to(ms / 1000),
                f"a request took {slowest * 1000:.0f} ms while the health check took {health.seconds * 1000:.0f} ms: "
                "the server stopped serving while the model's health() ran")
