"""When steps that send something: requests, streams, health and info checks, client mistakes.

What they produce lands in ``context.exchanges`` (answers) or ``context.transcripts`` (streams).
"""

from behave import when

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, record_exchanges, record_transcripts, url
from harness.clients import http, misbehaving, streams
from harness.clients.bodies import square_request, stream_request


# ---------------------------------------------------------------- predictions

@when("a client asks for the square of {number:g}")
def step_ask_one(context, number):
    record_exchanges(context, [http.request("POST", url(context), {"input": number})])


@when("a client asks for the square of {number:g} with {headers:ApiKey}")
def step_ask_with_key(context, number, headers):
    record_exchanges(context, [http.request("POST", url(context), {"input": number}, headers=headers,
                                            time_limit=TIME_LIMIT)])


@when("a client asks for the square of {first:g}, then another client asks for the square of {second:g}")
def step_two_in_sequence(context, first, second):
    record_exchanges(context, [http.request("POST", url(context), square_request(f"client-{n}", value),
                                            time_limit=TIME_LIMIT)
                               for n, value in ((1, first), (2, second))])


@when("a client asks for the squares of {first:d} to {last:d}, one after another")
def step_ask_in_sequence(context, first, last):
    bodies = [square_request(f"request-{n}", n) for n in range(first, last + 1)]
    record_exchanges(context, http.post_in_sequence(url(context), bodies))


@when("one client asks {times:d} times, one after another")
def step_ask_alone_repeatedly(context, times):
    bodies = [square_request(f"request-{n}", n) for n in range(1, times + 1)]
    record_exchanges(context, http.post_in_sequence(url(context), bodies))


@when("{count:d} clients ask at the same moment")
@when("{count:d} other clients ask at the same moment")
@when("{count:d} clients ask at the same moment, each waiting at most {seconds:g} seconds")
def step_ask_together(context, count, seconds=TIME_LIMIT):
    """Clients are numbered on from the ones the scenario already has ("other clients"). A scenario whose
    requests hang on some release says how long a client waits, so the hang costs the run no more."""
    start = len(context.exchanges) + 1
    bodies = [square_request(f"client-{n}", n) for n in range(start, start + count)]
    record_exchanges(context, http.post_concurrently(url(context), bodies, time_limit=seconds))


@when("{count:d} clients ask one after another, {gap_ms:d} ms apart")
def step_ask_trickling(context, count, gap_ms):
    bodies = [square_request(f"client-{n}", n) for n in range(1, count + 1)]
    record_exchanges(context, http.post_concurrently(url(context), bodies, gap_seconds=gap_ms / 1000))


@when("a client sends {mistake:Mistake}")
def step_mistake(context, mistake):
    record_exchanges(context, [misbehaving.send_mistake(context.server.base_url, mistake, time_limit=TIME_LIMIT)])


# ---------------------------------------------------------------- health and info

@when("a client checks the server's health")
@when("a client checks the server's health without the API key")
def step_health(context):
    record_exchanges(context, [http.request("GET", url(context, "/health"), time_limit=TIME_LIMIT)])


@when("a client asks the server for its info")
def step_info(context):
    record_exchanges(context, [http.request("GET", url(context, "/info"))])


# ---------------------------------------------------------------- streams

@when('a client streams a reply of {chunks:d} chunks to "{prompt}"')
def step_stream_one(context, chunks, prompt):
    record_transcripts(context, streams.stream_concurrently(url(context), [stream_request("client-1", prompt, chunks)]))


@when("{count:d} clients stream replies of {chunks:d} chunks at the same moment")
def step_stream_together_sized(context, count, chunks):
    bodies = [stream_request(f"client-{n}", f"prompt{n}", chunks) for n in range(1, count + 1)]
    record_transcripts(context, streams.stream_concurrently(url(context), bodies))


@when("{count:d} clients stream replies at the same moment")
@when("{count:d} other clients stream replies at the same moment")
def step_stream_together(context, count):
    """Clients are numbered on from the ones the scenario already has ("other clients")."""
    start = len(context.transcripts) + 1
    bodies = [stream_request(f"client-{n}", f"prompt{n}") for n in range(start, start + count)]
    record_transcripts(context, streams.stream_concurrently(url(context), bodies, time_limit=TIME_LIMIT))
