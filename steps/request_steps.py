"""When steps: clients send requests and streams. Results land in ``context.exchanges`` or ``context.transcripts``."""

from behave import when

from harness.clients import http
from harness.reporting import attachments
from harness.clients import streams
from harness.checks.expect import square_request


def _predict_url(context) -> str:
    return f"{context.server.base_url}/predict"


def _record(context, exchanges):
    context.exchanges = exchanges
    attachments.attach_exchanges(exchanges)


@when("a client asks for the square of {number:g}")
def step_ask_one(context, number):
    _record(context, [http.request("POST", _predict_url(context), {"input": number})])


@when("a client asks for the squares of {first:d} to {last:d}, one after another")
def step_ask_in_sequence(context, first, last):
    bodies = [square_request(f"request-{n}", n) for n in range(first, last + 1)]
    _record(context, http.post_in_sequence(_predict_url(context), bodies))


@when("one client asks {times:d} times, one after another")
def step_ask_alone_repeatedly(context, times):
    bodies = [square_request(f"request-{n}", n) for n in range(1, times + 1)]
    _record(context, http.post_in_sequence(_predict_url(context), bodies))


@when("{count:d} clients ask at the same moment")
def step_ask_together(context, count):
    bodies = [square_request(f"client-{n}", n) for n in range(1, count + 1)]
    _record(context, http.post_concurrently(_predict_url(context), bodies))


@when("{count:d} clients ask one after another, {gap_ms:d} ms apart")
def step_ask_trickling(context, count, gap_ms):
    bodies = [square_request(f"client-{n}", n) for n in range(1, count + 1)]
    _record(context, http.post_concurrently(_predict_url(context), bodies, gap_seconds=gap_ms / 1000))


@when("a client checks the server's health")
def step_health(context):
    _record(context, [http.request("GET", f"{context.server.base_url}/health")])


@when("a client asks the server for its info")
def step_info(context):
    _record(context, [http.request("GET", f"{context.server.base_url}/info")])


def _stream(context, bodies):
    context.transcripts = streams.stream_concurrently(_predict_url(context), bodies)
    attachments.attach_transcripts(context.transcripts)


@when('a client streams a reply of {chunks:d} chunks to "{prompt}"')
def step_stream_one(context, chunks, prompt):
    _stream(context, [{"client": "client-1", "prompt": prompt, "chunks": chunks}])


@when("{count:d} clients stream replies of {chunks:d} chunks at the same moment")
def step_stream_together_sized(context, count, chunks):
    _stream(context, [{"client": f"client-{n}", "prompt": f"prompt{n}", "chunks": chunks} for n in range(1, count + 1)])


@when("{count:d} clients stream replies at the same moment")
def step_stream_together(context, count):
    _stream(context, [{"client": f"client-{n}", "prompt": f"prompt{n}"} for n in range(1, count + 1)])
