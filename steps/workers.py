"""Steps about several inference workers and API servers, and async models: who served what, and when.

The traced apps answer with the worker's pid and server-side timestamps (``servers/deployment_apps.py``);
the checks are in ``harness/checks/workers.py``.
"""

from __future__ import annotations

import time

from behave import then, when
from hamcrest import assert_that, equal_to

from common import record_exchanges, url
from harness.checks import answers, workers
from harness.clients import http
from harness.serving import watch
from harness.clients.bodies import square_request

#: A server broken on purpose is not worth a long graceful stop (after a lost request, LitServe 0.2.19 does
#: not shut down gracefully at all: the launcher terminates what is left).
BROKEN_SERVER_STOP_SECONDS = 0.5


# ---------------------------------------------------------------- who served, and when

@then("the {count:d} requests were served by {processes:d} different worker processes, all at the same time")
@then("the {count:d} requests were served by {processes:d} worker process, all at the same time")
def step_served_together(context, count, processes):
    assert_that(len(context.exchanges), equal_to(count), "the scenario's last When sent a different number of requests")
    workers.served_by(context.exchanges, processes)
    workers.served_at_the_same_time(context.exchanges)


@then("the requests were spread over {processes:d} worker processes")
def step_spread_over_workers(context, processes):
    workers.served_by(context.exchanges, processes)


@then("no client waits longer than {limit_ms:d} ms for its answer")
def step_answered_within(context, limit_ms):
    workers.answered_within(context.exchanges, limit_ms / 1000)


@then("no stream takes longer than {limit_ms:d} ms to end")
def step_streams_within(context, limit_ms):
    workers.streams_within(context.transcripts, limit_ms / 1000)


@then("the {count:d} streams were produced by {processes:d} worker process, all at the same time")
def step_streams_together(context, count, processes):
    assert_that(len(context.transcripts), equal_to(count), "the scenario's last When made a different number of streams")
    workers.streams_at_the_same_time(context.transcripts, processes)


# ---------------------------------------------------------------- one of several workers dies

@when("one of its {count:d} inference workers is killed")
def step_kill_one_worker(context, count):
    context.server.graceful_stop_seconds = BROKEN_SERVER_STOP_SECONDS
    running = watch.inference_workers(context.server)
    assert_that(len(running), equal_to(count), f"the server runs {len(running)} inference workers, not {count}")
    context.killed_worker, context.surviving_workers = watch.kill_one_of_the_workers(context.server)
    context.killed_at = time.monotonic()


@then("the other worker goes on running, and a new one takes the dead one's place within {seconds:g} seconds")
def step_worker_replaced_among_several(context, seconds):
    count = 1 + len(context.surviving_workers)
    outcome = watch.wait_for_worker_count(context.server, count, context.killed_worker,
                                                within=seconds - (time.monotonic() - context.killed_at))
    assert_that(outcome, equal_to("ready"), f"{seconds:g} s after worker {context.killed_worker} was killed: {outcome}")
    still = {w.pid for w in watch.inference_workers(context.server)}
    gone = [pid for pid in context.surviving_workers if pid not in still]
    assert_that(gone, equal_to([]), f"the workers that were not killed did not survive: {gone} are gone")


@then("{count:d} clients that then ask one after another each get the square of their own number "
      "within {seconds:g} seconds")
def step_served_after_kill(context, count, seconds):
    exchanges = []
    for n in range(1, count + 1):
        try:
            exchanges.append(http.request("POST", url(context), square_request(f"client-{n}", n), time_limit=seconds))
        except http.NoAnswerInTime as error:
            record_exchanges(context, exchanges)
            raise AssertionError(f"client-{n}, asking after worker {context.killed_worker} was killed, got no "
                                 f"answer within {seconds:g} s ({len(exchanges)} client(s) before it were answered): "
                                 f"its request was lost") from error
    record_exchanges(context, exchanges)
    answers.answers_are_own_squares(exchanges)

