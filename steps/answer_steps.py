"""Then steps about single answers: status, body, health and info."""

from behave import then
from hamcrest import assert_that, equal_to, has_entries, less_than_or_equal_to, starts_with

from harness.checks import expect


def _only_exchange(context):
    (exchange,) = context.exchanges
    return exchange


@then('the client is answered with status {status:d} and content type "{content_type}"')
def step_status_and_type(context, status, content_type):
    exchange = _only_exchange(context)
    assert_that(exchange.status, equal_to(status), f"unexpected status; body: {exchange.text[:300]}")
    assert_that(exchange.content_type, starts_with(content_type), "unexpected content type")


@then("the answer holds exactly the output {value:g}")
def step_exact_output(context, value):
    assert_that(_only_exchange(context).json(), equal_to({"output": value}), "the answer is not exactly the output")


@then("every client gets the square of its own number")
def step_own_squares(context):
    expect.answers_are_own_squares(context.exchanges)


@then("every answer comes within {window_ms:d} ms plus {cost_ms:d} ms plus {margin_ms:d} ms")
def step_answered_within(context, window_ms, cost_ms, margin_ms):
    limit = (window_ms + cost_ms + margin_ms) / 1000
    times = [round(e.seconds * 1000) for e in context.exchanges]
    for exchange in context.exchanges:
        assert_that(exchange.seconds, less_than_or_equal_to(limit),
                    f"an answer took {exchange.seconds * 1000:.0f} ms, more than {limit * 1000:.0f} ms "
                    f"(all answer times in ms: {times})")


@then('the health check answers {status:d} with "{text}"')
def step_health_answer(context, status, text):
    exchange = _only_exchange(context)
    assert_that((exchange.status, exchange.text), equal_to((status, text)), "unexpected health answer")


@then("the info says the server runs {workers:d} worker per device with a request timeout of {timeout:g} seconds")
def step_info_server(context, workers, timeout):
    info = _only_exchange(context).json()
    assert_that(info.get("server", {}), has_entries(workers_per_device=workers, timeout=timeout),
                f"the info does not describe the running server: {info}")


@then('the info says "{path}" does not stream')
def step_info_not_streaming(context, path):
    info = _only_exchange(context).json()
    assert_that(info.get("server", {}).get("stream", {}), has_entries({path: False}),
                f"the info does not say {path} is not streaming: {info}")


@then("the info says the server does not stream")
def step_info_server_not_streaming(context):
    info = _only_exchange(context).json()
    assert_that(info.get("server", {}), has_entries(stream=False), f"the info does not say the server is not streaming: {info}")
