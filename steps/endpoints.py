"""Steps about several LitAPIs on one server (``api_path``): mixed traffic, per-endpoint access, refusals at start."""

from __future__ import annotations

from behave import then, when
from hamcrest import assert_that, equal_to

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, record_exchanges, record_transcripts, url
from harness.clients import http, mixed, streams
from harness.clients.bodies import square_request, stream_request
from harness.reporting import attachments
from harness.serving import watch
from harness.serving.launcher import READY_TIMEOUT_SECONDS


@when('{asking:d} clients ask "{ask_path}" for squares while {streaming:d} clients stream replies from '
      '"{stream_path}" with {headers:ApiKey}, all at the same moment')
def step_mixed_traffic(context, asking, ask_path, streaming, stream_path, headers):
    ask_bodies = [square_request(f"client-{n}", n) for n in range(1, asking + 1)]
    stream_bodies = [stream_request(f"client-{n}", f"prompt{n}") for n in range(asking + 1, asking + streaming + 1)]
    exchanges, transcripts = mixed.ask_and_stream_together(url(context, ask_path), ask_bodies, url(context, stream_path),
                                                           stream_bodies, stream_headers=headers, time_limit=TIME_LIMIT)
    record_exchanges(context, exchanges)
    record_transcripts(context, transcripts)


@when('a client asks "{path}" for the square of {number:d} with {headers:ApiKey}')
def step_ask_path(context, path, number, headers):
    record_exchanges(context, [http.request("POST", url(context, path), square_request("client-1", number),
                                            headers=headers, time_limit=TIME_LIMIT)])


@when('a client streams a reply from "{path}" with {headers:ApiKey}')
def step_stream_path(context, path, headers):
    record_transcripts(context, streams.stream_concurrently(url(context, path), [stream_request("client-1", "hello")],
                                                            headers=headers, time_limit=TIME_LIMIT))


@then("its health check answered 503 while the streaming model was still loading")
def step_not_ready_while_loading(context):
    loaded_at = watch.model_loaded_at(context.server)
    assert_that(loaded_at is not None, equal_to(True), "the streaming model never finished loading")
    early = {status for at, status in context.health_watch.answers_at if at < loaded_at}
    crashed = sorted(status for status in early if status.startswith("5") and status != "503")
    assert_that(crashed, equal_to([]), f"the health check answered {', '.join(crashed)} (it crashed instead of saying "
                f"'not ready') while the streaming model was loading:\n{context.health_watch.describe()}\n"
                f"{context.server.log_tail()}")
    assert_that("503" in early, equal_to(True),
                f"the health check never answered 503 while the streaming model was loading (it answered "
                f"{sorted(early)}); the server opened its port only when every model was loaded, so this "
                f"scenario proves nothing:\n{context.health_watch.describe()}\n{context.server.log_tail()}")


@then('LitServe refuses to start, saying "{message}"')
def step_refuses_to_start(context, message):
    server = context.server
    health = watch.watch_health(server, until_ready_within=READY_TIMEOUT_SECONDS)  # until it is ready or exits
    code = watch.wait_for_exit(server, 5.0)
    log = server.log_text()
    attachments.attach_text("Server log", log)
    assert_that(code is not None, equal_to(True),
                f"the server started instead of refusing (health check: {health.describe()}):\n{server.log_tail()}")
    assert_that(code != 0, equal_to(True), f"the server exited with code 0, as if all went well:\n{log}")
    assert_that(message in log, equal_to(True), f"the server did not say {message!r}:\n{server.log_tail()}")
    assert_that("Traceback" in log, equal_to(False), f"the refusal came with a traceback:\n{server.log_tail()}")
