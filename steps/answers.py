"""Then steps about answers: status and body, each client's own result, error answers, health and info."""

from behave import then
from hamcrest import assert_that, equal_to, has_entries, has_length, starts_with

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, client_of, named_client, only_exchange, url
from harness.checks import answers, streams, timing
from harness.clients import http
from harness.reporting import attachments


# ---------------------------------------------------------------- status and body

@then('the client is answered with status {status:d} and content type "{content_type}"')
def step_status_and_type(context, status, content_type):
    exchange = only_exchange(context)
    assert_that(exchange.status, equal_to(status), f"unexpected status; body: {exchange.text[:300]}")
    assert_that(exchange.content_type, starts_with(content_type), "unexpected content type")


@then("the answer holds exactly the output {value:g}")
def step_exact_output(context, value):
    assert_that(only_exchange(context).json(), equal_to({"output": value}), "the answer is not exactly the output")


@then("that client is answered with status {status:d}")
def step_that_status(context, status):
    exchange = context.exchanges[-1]
    assert_that(exchange.status, equal_to(status), f"the client got status {exchange.status}: {exchange.text[:300]!r}")


@then("that client is told its request was bad, with a status in the 400s")
def step_client_error(context):
    exchange = context.exchanges[-1]
    assert_that(400 <= exchange.status < 500, equal_to(True),
                f"a client mistake was answered with status {exchange.status} ({exchange.text[:200]!r}): "
                "a server error, as if the server were at fault")


# ---------------------------------------------------------------- each client's own result

@then("every client gets the square of its own number")
def step_own_squares(context):
    answers.answers_are_own_squares(context.exchanges)


@then("every client that waited gets the square of its own number")
def step_waited_ok(context):
    for exchange in context.exchanges:
        answers.own_square(exchange)


@then("the second client gets the square of its own number")
def step_second_ok(context):
    answers.own_square(context.exchanges[1], "the second client")


@then("every other client gets the square of its own number")
def step_others_ok(context):
    """Every client but the one an earlier Then singled out."""
    named = named_client(context)
    for exchange in context.exchanges:
        if client_of(exchange) != named:
            answers.own_square(exchange)


@then("a client that then asks for the square of {number:g} gets {square:g}")
def step_then_ok(context, number, square):
    exchange = http.request("POST", url(context), {"input": number}, headers=context.server.auth_headers,
                            time_limit=TIME_LIMIT)
    attachments.attach_exchanges([exchange], name="The next request")
    assert_that((exchange.status, exchange.json()), equal_to((200, {"output": square})),
                "the server did not go on serving correctly")


# ---------------------------------------------------------------- error answers

@then("the first client is answered with status {status:d} and a short error that reveals nothing of the model")
def step_first_short_error(context, status):
    answers.short_server_error(context.exchanges[0], status, "the first client")


@then('{who:Addressee} is answered with status {status:d} and the detail "{detail}"')
def step_status_detail(context, who, status, detail):
    if who.client:
        context.named_client = who.client
    if who.stream:
        matches = [t for t in context.transcripts if not who.client or t.request_body["client"] == who.client]
        assert_that(matches, has_length(1), f"no single stream {('from ' + who.client) if who.client else ''} "
                    "in this scenario")
        streams.stream_refused(matches[0], status, detail)
        return
    if not who.client:
        exchange, name = context.exchanges[0], "the first client"
    else:
        matches = [e for e in context.exchanges if client_of(e) == who.client]
        assert_that(matches, has_length(1), f"no single request from {who.client} in this scenario")
        exchange, name = matches[0], who.client
    answers.status_and_detail(exchange, status, detail, name)


@then("{client:Client} and every client batched with it are answered with status 500 and a short error, "
      "and every other client gets the square of its own number")
def step_batch_failed(context, client):
    by_client = {client_of(e): e for e in context.exchanges}
    answers.short_server_error(by_client[client], 500, client)
    for name, exchange in by_client.items():
        if name == client:
            continue
        if exchange.status == 200:
            answers.own_square(exchange, name)
            members = exchange.json().get("trace", {}).get("members", [])
            assert_that(client in members, equal_to(False),
                        f"{name} got an answer from a batch with {client}, whose batch should have failed: {members}")
        else:
            answers.short_server_error(exchange, 500, name)


# ---------------------------------------------------------------- timeouts

@then("every answer comes within {window_ms:d} ms plus {cost_ms:d} ms plus {margin_ms:d} ms")
def step_answered_within(context, window_ms, cost_ms, margin_ms):
    limit = (window_ms + cost_ms + margin_ms) / 1000
    times = [round(e.seconds * 1000) for e in context.exchanges]
    for exchange in context.exchanges:
        timing.arrives_within(exchange.seconds, limit, f"an answer (all answer times in ms: {times})")


@then("{served:d} client gets the square of its own number and the other {timed_out:d} are answered with status 504")
def step_served_and_timed_out(context, served, timed_out):
    ok = [e for e in context.exchanges if e.status == 200]
    late = [e for e in context.exchanges if e.status == 504]
    summary = [(client_of(e), e.status, round(e.seconds, 2)) for e in context.exchanges]
    assert_that((len(ok), len(late)), equal_to((served, timed_out)), f"answers (client, status, seconds): {summary}")
    for exchange in ok:
        answers.own_square(exchange)
    for exchange in late:
        answers.status_and_detail(exchange, 504, "Request timed out", client_of(exchange))


@then("the clients answered with status 504 get it before the model has finished the first request")
def step_504_prompt(context):
    ok = [e for e in context.exchanges if e.status == 200]
    late = [e for e in context.exchanges if e.status == 504]
    assert_that((len(ok) >= 1, len(late) >= 1), equal_to((True, True)),
                f"expected one served and some timed-out requests: {[(e.status, e.text[:80]) for e in context.exchanges]}")
    first_done = min(e.answered_at for e in ok)
    for exchange in late:
        timing.before(exchange.answered_at, first_done,
                      f"{client_of(exchange)} got its 504 {exchange.seconds:.2f} s after asking, "
                      f"{exchange.answered_at - first_done:+.2f} s after the first request was finished: "
                      "it was told only when a worker got to it, not when its wait passed the timeout")


# ---------------------------------------------------------------- health and info

@then('the health check answers {status:d} with "{text}"')
def step_health_answer(context, status, text):
    exchange = only_exchange(context)
    assert_that((exchange.status, exchange.text), equal_to((status, text)), "unexpected health answer")


@then("the info says the server runs {workers:d} worker per device with a request timeout of {timeout:g} seconds")
@then("the info says the server runs {workers:d} workers per device with a request timeout of {timeout:g} seconds")
def step_info_server(context, workers, timeout):
    info = only_exchange(context).json()
    assert_that(info.get("server", {}), has_entries(workers_per_device=workers, timeout=timeout),
                f"the info does not describe the running server: {info}")


@then('the info says "{path}" {streams:Streams}')
def step_info_endpoint_streaming(context, path, streams):
    info = only_exchange(context).json()
    assert_that(info.get("server", {}).get("stream", {}), has_entries({path: streams}),
                f"the info does not say {path} {'streams' if streams else 'does not stream'}: {info}")


@then("the info says the server does not stream")
def step_info_server_not_streaming(context):
    info = only_exchange(context).json()
    assert_that(info.get("server", {}), has_entries(stream=False), f"the info does not say the server is not streaming: {info}")
