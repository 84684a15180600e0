"""Steps about a server's life: readiness, a killed inference worker, exits and restarts, clients that leave.

The logic is in ``harness/serving/watch.py`` (the health watch, the worker kill, exits) and
``harness/clients/misbehaving.py`` (clients that give up).
"""

from __future__ import annotations

import threading
import time

from behave import then, when
from hamcrest import assert_that, equal_to

from common import TIME_LIMIT, only_transcript, record_exchanges, record_transcripts, url
from harness.checks import streams, timing
from harness.clients import http, misbehaving
from harness.clients.bodies import square_request, stream_request
from harness.clients.http import ConnectionLost, NoAnswerInTime
from harness.serving import watch
from harness.serving.launcher import READY_TIMEOUT_SECONDS

#: A server broken on purpose is not worth a long graceful stop.
BROKEN_SERVER_STOP_SECONDS = 2.0
#: How long the client whose worker is killed waits at most (its scenario's Then judges sooner).
VICTIM_PATIENCE_SECONDS = 30.0


# ---------------------------------------------------------------- clients that leave

@when("a client leaves after {after:d} chunks of a reply of {total:d} chunks, "
      "and then another client streams a reply of {chunks:d} chunks")
def step_leave_mid_stream(context, after, total, chunks):
    quitter = stream_request("quitter", "abandoned", total)
    follower = stream_request("other", "next", chunks)
    context.abandoned, transcript = misbehaving.abandon_stream_then_stream(
        url(context), quitter, after, follower, time_limit=TIME_LIMIT)
    context.abandoned_total = total
    record_transcripts(context, [transcript])


@when("{count:d} clients ask at the same moment and one of them gives up after {give_up_ms:d} ms")
def step_give_up_in_batch(context, count, give_up_ms):
    quitter = square_request("client-1", 1)
    others = [square_request(f"client-{n}", n) for n in range(2, count + 1)]
    context.abandoned, exchanges = misbehaving.give_up_while_others_wait(
        url(context), quitter, give_up_ms / 1000, others, time_limit=TIME_LIMIT)
    record_exchanges(context, exchanges)


@then("the other client receives exactly {chunks:d} chunks, in order, and the stream ends cleanly")
def step_follower_complete(context, chunks):
    transcript = only_transcript(context)
    assert_that(transcript.status, equal_to(200), f"the other client's stream got status {transcript.status}")
    streams.stream_prefix(transcript, [f"next-{i}" for i in range(chunks)])
    assert_that((transcript.ended_cleanly, transcript.error), equal_to((True, "")), "the stream did not end cleanly")


@then("the other client's first chunk is made before the abandoned reply would have been finished")
def step_follower_prompt(context):
    transcript = only_transcript(context)
    assert_that(len(transcript.chunks) > 0, equal_to(True), "the other client received no chunks at all")
    pause = context.server.spec.settings.chunk_pause
    abandoned_start = context.abandoned.first_chunk["produced_at"]
    abandoned_end = abandoned_start + (context.abandoned_total - 1) * pause
    follower_start = transcript.items[0]["produced_at"]
    timing.before(follower_start, abandoned_end,
                  f"the client left a reply of {context.abandoned_total} chunks after "
                  f"{context.abandoned.chunks_read}; the next client's first chunk was made "
                  f"{follower_start - abandoned_start:.2f} s after the abandoned reply began, when all "
                  f"{context.abandoned_total} of its chunks would have been made "
                  f"({abandoned_end - abandoned_start:.2f} s): nobody was reading it, yet it was generated to the end")


# ---------------------------------------------------------------- readiness

@then("its health check does not answer 200 before the model has finished loading")
def step_not_ready_early(context):
    loaded_at = watch.model_loaded_at(context.server)
    health = context.health_watch
    early = [status for at, status in health.answers_at if loaded_at is None or at < loaded_at]
    assert_that("200" in early, equal_to(False),
                f"the health check answered 200 while the model was still loading "
                f"(it finished {'never' if loaded_at is None else f'{loaded_at - context.server.launched_at:.2f} s'} "
                f"after launch):\n{health.describe()}")


@then("its health check answers 200 once the model has loaded")
def step_ready_later(context):
    ready_at = context.health_watch.first_ready_at
    assert_that(ready_at is not None, equal_to(True),
                f"the health check never answered 200 (watched for the loading time plus "
                f"{READY_TIMEOUT_SECONDS:g} s, the launcher's limit for any server):\n"
                f"{context.health_watch.describe()}\n{context.server.log_tail()}")


# ---------------------------------------------------------------- a killed inference worker

@when("its inference worker is killed")
def step_kill_worker(context):
    context.server.graceful_stop_seconds = BROKEN_SERVER_STOP_SECONDS
    context.killed_worker = watch.kill_inference_worker(context.server)
    context.killed_at = time.monotonic()


@when("its inference worker is killed while it serves a client")
def step_kill_worker_while_serving(context):
    context.server.graceful_stop_seconds = BROKEN_SERVER_STOP_SECONDS
    outcome: dict = {"ended": threading.Event()}  # the Then waits for it as long as it allows, no longer

    def victim():
        try:
            outcome["exchange"] = http.request("POST", url(context), {"input": 2}, time_limit=VICTIM_PATIENCE_SECONDS)
        except (NoAnswerInTime, ConnectionLost) as error:
            outcome["error"] = error
        finally:
            outcome["ended"].set()

    threading.Thread(target=victim, name="victim client", daemon=True).start()
    time.sleep(0.3)  # the request is inside predict (1 s); no readiness to poll for, this is the scenario's timing
    context.killed_worker = watch.kill_inference_worker(context.server)
    context.killed_at = time.monotonic()
    context.victim = outcome


@then("the server exits with an error within {seconds:g} seconds")
def step_exits_with_error(context, seconds):
    remaining = max(0.0, seconds - (time.monotonic() - context.killed_at))
    code = watch.wait_for_exit(context.server, remaining)
    assert_that(code is not None, equal_to(True),
                f"the server was still running {seconds:g} s after its worker {context.killed_worker} was killed")
    assert_that(code != 0, equal_to(True), f"the server exited with code {code}, which says all went well")


@then("a new inference worker takes its place and the health check answers 200 within {seconds:g} seconds")
def step_worker_replaced(context, seconds):
    outcome = watch.wait_for_new_worker(context.server, context.killed_worker,
                                              within=seconds - (time.monotonic() - context.killed_at))
    assert_that(outcome, equal_to("ready"), f"{seconds:g} s after worker {context.killed_worker} was killed: {outcome}")


@then("a new client is refused at once instead of being left waiting")
def step_refused_at_once(context):
    outcome = watch.try_connect(url(context), time_limit=2.0)
    assert_that(outcome, equal_to("refused"), f"a new client was not refused: {outcome}")


@then("that client gets an error answer within {seconds:g} seconds instead of waiting forever")
def step_victim_answered(context, seconds):
    victim = context.victim
    victim["ended"].wait(timeout=max(0.0, seconds - (time.monotonic() - context.killed_at)))
    if "error" in victim or "exchange" not in victim:
        raise AssertionError(f"the client whose request was being served when its worker died got no answer "
                             f"within {seconds:g} s: {victim.get('error', 'no outcome')}")
    exchange = victim["exchange"]
    timing.arrives_within(exchange.answered_at - context.killed_at, seconds,
                          "the error answer to the client whose worker died")
    assert_that(exchange.status >= 500, equal_to(True),
                f"the client whose worker died got status {exchange.status}: {exchange.text[:200]!r}")
