"""Steps about the LitServer options deployments switch on (``servers/options_apps.py``): the fast queue,
callbacks, middlewares, request tracking, health and info paths, model metadata, no timeout, the shutdown
API and workers per API."""

from __future__ import annotations

import asyncio
import time

from behave import then, when
from hamcrest import assert_that, equal_to, greater_than_or_equal_to, has_entries

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, only_exchange, record_exchanges, url
from harness.checks import options
from harness.clients import http
from harness.clients.bodies import square_request
from harness.serving import watch
from servers.trace import MIDDLEWARE_HEADER

#: How long the track-requests scenario waits for LitServe to take its held requests in.
TAKEN_IN_SECONDS = 5.0


def _held(client: str, number: int, ms: int) -> dict:
    return {**square_request(client, number), "hold_ms": ms}


# ---------------------------------------------------------------- requests

@when('a client asks "{path}" for the square of {number:d}')
def step_ask_path(context, path, number):
    record_exchanges(context, [http.request("POST", url(context, path), square_request("client-1", number),
                                            time_limit=TIME_LIMIT)])


@when('{count:d} clients ask "{path}" for squares one after another')
def step_ask_path_in_sequence(context, count, path):
    bodies = [square_request(f"client-{n}", n) for n in range(1, count + 1)]
    record_exchanges(context, http.post_in_sequence(url(context, path), bodies, time_limit=TIME_LIMIT))


@when('{count:d} clients ask "{path}" at the same moment, each held for {ms:d} ms')
def step_ask_held_together(context, count, path, ms):
    bodies = [_held(f"client-{n}", n, ms) for n in range(1, count + 1)]
    record_exchanges(context, http.post_concurrently(url(context, path), bodies, time_limit=TIME_LIMIT))


@when("a client asks for the square of {number:d}, held for {ms:d} ms")
def step_ask_held(context, number, ms):
    record_exchanges(context, [http.request("POST", url(context), _held("client-1", number, ms),
                                            time_limit=TIME_LIMIT + ms / 1000)])


@when('{count:d} clients ask "{path}", each held for {ms:d} ms, and once LitServe has taken them in, one more asks')
def step_one_more_while_held(context, count, path, ms):
    """``count`` held requests; when their ``on_request`` hooks are logged, one more (the last exchange)."""
    target = url(context, path)

    async def run() -> list[http.Exchange]:
        async with http.new_client() as client:
            since = time.monotonic()
            held = [asyncio.create_task(http.send(client, "POST", target, _held(f"client-{n}", n, ms),
                                                  time_limit=TIME_LIMIT)) for n in range(1, count + 1)]
            await asyncio.to_thread(options.wait_for_hooks, context.server, "on_request", since, count,
                                    TAKEN_IN_SECONDS)
            last = await http.send(client, "POST", target, square_request("client-last", 7), time_limit=TIME_LIMIT)
            return [*await asyncio.gather(*held), last]

    record_exchanges(context, asyncio.run(run()))


@when('a client sends GET "{path}"')
def step_get(context, path):
    record_exchanges(context, [http.request("GET", url(context, path), time_limit=TIME_LIMIT)])


@when('a client asks the server to shut down with {key:ShutdownKey}')
def step_shutdown(context, key):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    record_exchanges(context, [http.request("POST", url(context, "/shutdown"), headers=headers,
                                            time_limit=TIME_LIMIT)])


# ---------------------------------------------------------------- what LitServe did inside

@then("the answer says the request travelled over {transport:Transport}")
def step_transport(context, transport):
    answer = only_exchange(context).json()
    assert_that(answer.get("transport"), equal_to(transport),
                f"the request travelled to the inference worker over {answer.get('transport')!r} "
                f"(zmq: the ZeroMQ fast queue; mp: multiprocessing queues): {answer}")


@then("each request fired each of these hooks once, in this order")
def step_hooks(context):
    expected = [row["hook"] for row in context.table]
    options.each_request_fired(context.server, context.exchanges, expected)


@then('every answer passed the middlewares "{names}" once each, in that order')
def step_middlewares(context, names):
    options.middlewares_passed(context.server, context.exchanges, MIDDLEWARE_HEADER, names.split(", "))


@then("LitServe counted {count:d} requests in flight when the last one arrived")
@then("LitServe counted {count:d} request in flight when it arrived")
def step_counted(context, count):
    counted = options.counted_in_flight(context.server, context.exchanges[-1])
    assert_that(counted, equal_to(count), f"LitServe counted {counted} active requests when the last one arrived, "
                f"while {count} were in flight (the others were still being answered)")


@then("they were served by {count:d} different inference workers")
@then("they were served by {count:d} inference worker")
def step_workers(context, count):
    workers = {exchange.json()["worker"] for exchange in context.exchanges}
    assert_that(len(workers), equal_to(count), f"the requests were served by the workers {sorted(workers)}")


@then("the client gets {square:d} after at least {ms:d} ms")
def step_late_answer(context, square, ms):
    exchange = only_exchange(context)
    assert_that((exchange.status, exchange.json().get("output")), equal_to((200, square)),
                f"the long request was not answered: {exchange.status} {exchange.text[:300]}")
    assert_that(exchange.seconds, greater_than_or_equal_to(ms / 1000), "the model did not hold the request")


@then('the info shows the model as name "{name}" and version "{version}", and no request timeout')
def step_info_metadata(context, name, version):
    info = only_exchange(context).json()
    assert_that(info, has_entries(model={"name": name, "version": version}),
                f"the info does not show the model metadata: {info}")
    assert_that(info.get("server", {}).get("timeout"), equal_to(False), f"the info shows a request timeout: {info}")


@then("the server exits within {seconds:g} seconds")
def step_exits(context, seconds):
    code = watch.wait_for_exit(context.server, seconds)
    assert_that(code is not None, equal_to(True),
                f"the server still runs {seconds:g} s after it was told to shut down:\n{context.server.log_tail()}")
