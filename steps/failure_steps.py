"""Steps of the failure-mode features: failing models, bad clients, timeouts, health, access, dead workers.

The logic is in ``harness/misbehaving.py`` (misbehaving clients, worker kill, health watch) and
``harness/failures.py`` (assertions); these steps only connect sentences to it.
"""

from __future__ import annotations

import re
import threading
import time

from behave import given, then, when
from hamcrest import assert_that, equal_to, has_length

from harness.clients import http
from harness.checks import failures
from harness.clients import misbehaving
from harness.reporting import attachments
from harness.clients import streams
from harness.clients.http import NoAnswerInTime
from harness.checks.expect import square_request
from harness.serving.launcher import READY_TIMEOUT_SECONDS
from harness.serving.scenario import start_app, start_fresh_app_unready

#: Client-side time limit of the requests in these scenarios: a hang fails fast, with a clear message.
TIME_LIMIT = 8.0
#: A server broken on purpose is not worth a long graceful stop.
BROKEN_SERVER_STOP_SECONDS = 2.0


# ---------------------------------------------------------------- Given: models told to fail

@given("a model server that squares numbers but fails in decode for {decode}, in predict for {predict} "
       "and in encode for {encode}")
def step_square_fails(context, decode, predict, encode):
    start_app(context, "square", failure_rules=f"decode:{decode},predict:{predict},encode:{encode}")


@given("a model server that squares numbers but refuses {refusals}")
def step_square_refuses(context, refusals):
    """``refusals``: "21 with status 400, 22 with status 422 and 23 with status 429"."""
    pairs = re.findall(r"(\S+) with status (\d+)", refusals)
    if not pairs:
        raise ValueError(f'say which numbers are refused, like "21 with status 400 and 22 with status 422": {refusals!r}')
    start_app(context, "square", failure_rules=",".join(f"decode:{value}:{status}" for value, status in pairs))


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but fails in predict for any batch with {client}")
def step_batched_square_fails(context, max_batch_size, window_ms, client):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              failure_rules=f"predict:{client}")


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but returns one answer too few for any batch with {client}")
def step_batched_square_wrong_length(context, max_batch_size, window_ms, client):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              wrong_batch_length=client)


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but refuses {client} with status {status:d}")
def step_batched_square_refuses(context, max_batch_size, window_ms, client, status):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              failure_rules=f"decode:{client}:{status}")


@given('a streaming model server that refuses the prompt "{prompt}" with status {status:d}')
def step_stream_refuses(context, prompt, status):
    start_app(context, "tokens", chunk_pause=0.01, failure_rules=f"decode:{prompt}:{status}")


@given('a streaming model server that fails after {chunks:d} chunks for the prompt "{prompt}"')
def step_stream_fails(context, chunks, prompt):
    start_app(context, "tokens", chunk_pause=0.01, failure_rules=f"predict:{prompt}", fail_after_chunks=chunks)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms, "
       "produces {chunks:d} chunks and fails after {after:d} chunks for any batch with {client}")
def step_batched_stream_fails(context, max_batch_size, window_ms, chunks, after, client):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000, chunks=chunks,
              chunk_pause=0.01, failure_rules=f"predict:{client}", fail_after_chunks=after)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms, "
       "produces {chunks:d} chunks and refuses {client} with status {status:d}")
def step_batched_stream_refuses(context, max_batch_size, window_ms, chunks, client, status):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000, chunks=chunks,
              chunk_pause=0.01, failure_rules=f"decode:{client}:{status}")


# ---------------------------------------------------------------- Given: server options

@given("a model server that squares numbers and declares no request type")
def step_untyped_square(context):
    start_app(context, "square", untyped_request=True)


@given("a model server that squares numbers and accepts bodies of at most {size:d} bytes")
def step_square_payload_limit(context, size):
    start_app(context, "square", max_payload_size=size)


@given("a model server that squares numbers, taking {cost_ms:d} ms per request, with a request timeout of {timeout_ms:d} ms")
def step_square_timeout(context, cost_ms, timeout_ms):
    start_app(context, "square", predict_seconds=cost_ms / 1000, timeout=timeout_ms / 1000)


@given("a streaming model server that produces {chunks:d} chunks {pause_ms:d} ms apart, "
       "with a request timeout of {timeout_ms:d} ms")
def step_stream_timeout(context, chunks, pause_ms, timeout_ms):
    start_app(context, "tokens", chunks=chunks, chunk_pause=pause_ms / 1000, timeout=timeout_ms / 1000)


@given("a model server that squares numbers and takes {seconds:g} seconds to load, watched from its start")
def step_slow_setup(context, seconds):
    server = start_fresh_app_unready(context, "square", setup_seconds=seconds)
    context.health_watch = misbehaving.watch_health(server, until_ready_within=seconds + READY_TIMEOUT_SECONDS)
    attachments.attach_text("Health check answers (seconds after launch, status)", context.health_watch.describe())


@given("a model server that squares numbers and reports itself unhealthy")
def step_unhealthy(context):
    server = start_fresh_app_unready(context, "square", healthy=False)
    watch = misbehaving.watch_health(server, until_ready_within=30, until_answered=True)
    if watch.answers[-1][1] == "no connection":
        raise RuntimeError(f"the server never answered its health check within 30 s:\n{server.log_tail()}")


@given('a model server that squares numbers and requires the API key "{key}"')
def step_api_key(context, key):
    start_app(context, "square", api_key=key)


@given("a model server that squares numbers and restarts workers that die")
def step_restarting(context):
    start_app(context, "square", restart_workers=True)


@given("a model server that squares numbers, taking {cost_ms:d} ms per request, and restarts workers that die")
def step_restarting_slow(context, cost_ms):
    start_app(context, "square", restart_workers=True, predict_seconds=cost_ms / 1000)


# ---------------------------------------------------------------- When

def _url(context, path: str = "/predict") -> str:
    return f"{context.server.base_url}{path}"


def _record(context, exchanges):
    context.exchanges = exchanges
    attachments.attach_exchanges(exchanges)


def _record_streams(context, transcripts):
    context.transcripts = transcripts
    attachments.attach_transcripts(transcripts)


@when("a client asks for the square of {first:g}, then another client asks for the square of {second:g}")
def step_two_in_sequence(context, first, second):
    exchanges = [http.request("POST", _url(context), square_request(f"client-{n}", value), time_limit=TIME_LIMIT)
                 for n, value in ((1, first), (2, second))]
    _record(context, exchanges)


@when("{count:d} other clients ask at the same moment")
def step_others_ask(context, count):
    start = len(getattr(context, "exchanges", None) or []) + 1
    bodies = [square_request(f"client-{n}", n) for n in range(start, start + count)]
    _record(context, http.post_concurrently(_url(context), bodies, time_limit=TIME_LIMIT))


@when("{count:d} other clients stream replies at the same moment")
def step_others_stream(context, count):
    start = len(getattr(context, "transcripts", None) or []) + 1
    bodies = [{"client": f"client-{n}", "prompt": f"prompt{n}"} for n in range(start, start + count)]
    _record_streams(context, streams.stream_concurrently(_url(context), bodies, time_limit=TIME_LIMIT))


@when("a client sends {mistake}")
def step_mistake(context, mistake):
    _record(context, [misbehaving.send_mistake(context.server.base_url, mistake, time_limit=TIME_LIMIT)])


@when("a client leaves after {after:d} chunks of a reply of {total:d} chunks, "
      "and then another client streams a reply of {chunks:d} chunks")
def step_leave_mid_stream(context, after, total, chunks):
    quitter = {"client": "quitter", "prompt": "abandoned", "chunks": total}
    follower = {"client": "other", "prompt": "next", "chunks": chunks}
    context.abandoned, transcript = misbehaving.abandon_stream_then_stream(
        _url(context), quitter, after, follower, time_limit=TIME_LIMIT)
    context.abandoned_total = total
    _record_streams(context, [transcript])


@when("{count:d} clients ask at the same moment and one of them gives up after {give_up_ms:d} ms")
def step_give_up_in_batch(context, count, give_up_ms):
    quitter = square_request("client-1", 1)
    others = [square_request(f"client-{n}", n) for n in range(2, count + 1)]
    context.abandoned, exchanges = misbehaving.give_up_while_others_wait(
        _url(context), quitter, give_up_ms / 1000, others, time_limit=TIME_LIMIT)
    _record(context, exchanges)


@when("a client asks for the square of {number:g} with {key}")
def step_ask_with_key(context, number, key):
    if key == "no API key":
        headers = {}
    else:
        match = re.fullmatch(r'the API key "(.*)"', key)
        if not match:
            raise ValueError(f'say "no API key" or \'the API key "<key>"\', not {key!r}')
        headers = {"X-API-Key": match.group(1)}
    _record(context, [http.request("POST", _url(context), {"input": number}, headers=headers,
                                      time_limit=TIME_LIMIT)])


@when("a client checks the server's health without the API key")
def step_health_without_key(context):
    _record(context, [http.request("GET", _url(context, "/health"), time_limit=TIME_LIMIT)])


@when("its inference worker is killed")
def step_kill_worker(context):
    context.server.graceful_stop_seconds = BROKEN_SERVER_STOP_SECONDS
    context.killed_worker = misbehaving.kill_inference_worker(context.server)
    context.killed_at = time.monotonic()


@when("its inference worker is killed while it serves a client")
def step_kill_worker_while_serving(context):
    context.server.graceful_stop_seconds = BROKEN_SERVER_STOP_SECONDS
    outcome: dict = {}

    def victim():
        try:
            outcome["exchange"] = http.request("POST", _url(context), {"input": 2}, time_limit=5.0 + 1.0)
        except NoAnswerInTime as error:
            outcome["error"] = error

    thread = threading.Thread(target=victim, name="victim client", daemon=True)
    thread.start()
    time.sleep(0.3)  # the request is inside predict (1 s); no readiness to poll for, this is the scenario's timing
    context.killed_worker = misbehaving.kill_inference_worker(context.server)
    context.killed_at = time.monotonic()
    thread.join(timeout=10.0)
    context.victim = outcome


# ---------------------------------------------------------------- Then: single answers

def _who(exchange, fallback: str) -> str:
    body = exchange.request_body
    return body.get("client", fallback) if isinstance(body, dict) else fallback


@then("the first client is answered with status {status:d} and a short error that reveals nothing of the model")
def step_first_short_error(context, status):
    failures.short_server_error(context.exchanges[0], status, "the first client")


@then('{who} is answered with status {status:d} and the detail "{detail}"')
def step_status_detail(context, who, status, detail):
    """``who``: "the first client", a client's name, "the stream" or "<client>'s stream"."""
    if who == "the stream":
        failures.stream_refused(_only_transcript(context), status, detail)
        return
    if who.endswith("'s stream"):
        client = who[: -len("'s stream")]
        matches = [t for t in context.transcripts if t.request_body["client"] == client]
        assert_that(matches, has_length(1), f"no single stream from {client} in this scenario")
        failures.stream_refused(matches[0], status, detail)
        return
    if who == "the first client":
        exchange = context.exchanges[0]
    else:
        matches = [e for e in context.exchanges if _who(e, "") == who]
        assert_that(matches, has_length(1), f"no single request from {who} in this scenario")
        exchange = matches[0]
    failures.status_and_detail(exchange, status, detail, who)


@then("the second client gets the square of its own number")
def step_second_ok(context):
    failures.own_square(context.exchanges[1], "the second client")


@then("every other client gets the square of its own number")
def step_others_ok(context):
    named = getattr(context, "named_client", "client-2")
    for exchange in context.exchanges:
        if _who(exchange, "") != named:
            failures.own_square(exchange)


@then("{client} and every client batched with it are answered with status 500 and a short error, "
      "and every other client gets the square of its own number")
def step_batch_failed(context, client):
    by_client = {_who(e, ""): e for e in context.exchanges}
    failures.short_server_error(by_client[client], 500, client)
    for name, exchange in by_client.items():
        if name == client:
            continue
        if exchange.status == 200:
            failures.own_square(exchange, name)
            members = exchange.json().get("trace", {}).get("members", [])
            assert_that(client in members, equal_to(False),
                        f"{name} got an answer from a batch with {client}, whose batch should have failed: {members}")
        else:
            failures.short_server_error(exchange, 500, name)


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


@then("a client that then asks for the square of {number:g} gets {square:g}")
def step_then_ok(context, number, square):
    _ask_and_expect(context, number, square, TIME_LIMIT)


@then("a client that then asks for the square of {number:g} gets {square:g} within {seconds:g} seconds")
def step_then_ok_within(context, number, square, seconds):
    _ask_and_expect(context, number, square, seconds)


def _ask_and_expect(context, number, square, time_limit):
    exchange = http.request("POST", _url(context), {"input": number}, headers=context.server.auth_headers,
                               time_limit=time_limit)
    attachments.attach_exchanges([exchange], name="The next request")
    assert_that((exchange.status, exchange.json()), equal_to((200, {"output": square})),
                "the server did not go on serving correctly")


@then("every client that waited gets the square of its own number")
def step_waited_ok(context):
    for exchange in context.exchanges:
        failures.own_square(exchange)


@then("{served:d} client gets the square of its own number and the other {timed_out:d} are answered with status 504")
def step_served_and_timed_out(context, served, timed_out):
    ok = [e for e in context.exchanges if e.status == 200]
    late = [e for e in context.exchanges if e.status == 504]
    summary = [(e.request_body["client"], e.status, round(e.seconds, 2)) for e in context.exchanges]
    assert_that((len(ok), len(late)), equal_to((served, timed_out)), f"answers (client, status, seconds): {summary}")
    for exchange in ok:
        failures.own_square(exchange)
    for exchange in late:
        failures.status_and_detail(exchange, 504, "Request timed out", exchange.request_body["client"])


@then("the clients answered with status 504 get it before the model has finished the first request")
def step_504_prompt(context):
    ok = [e for e in context.exchanges if e.status == 200]
    late = [e for e in context.exchanges if e.status == 504]
    assert_that((len(ok) >= 1, len(late) >= 1), equal_to((True, True)),
                f"expected one served and some timed-out requests: {[(e.status, e.text[:80]) for e in context.exchanges]}")
    first_done = min(e.answered_at for e in ok)
    for exchange in late:
        failures.before(exchange.answered_at, first_done,
                              f"{exchange.request_body['client']} got its 504 {exchange.seconds:.2f} s after asking, "
                              f"{exchange.answered_at - first_done:+.2f} s after the first request was finished: "
                              "it was told only when a worker got to it, not when its wait passed the timeout")


# ---------------------------------------------------------------- Then: streams

def _only_transcript(context):
    (transcript,) = context.transcripts
    return transcript


@then("the stream is answered with status {status:d}")
def step_stream_status(context, status):
    failures.stream_refused(_only_transcript(context), status)


@then("the client can tell that its stream did not complete")
def step_stream_incomplete(context):
    transcript = _only_transcript(context)
    failures.stream_marked_incomplete(transcript, transcript.request_body.get("chunks", 0))


@then("the client receives no chunks")
def step_no_chunks(context):
    failures.stream_prefix(_only_transcript(context), [])


@then("{client} and every client batched with it receive only their first {after:d} chunks, "
      "and every other client its complete stream of {chunks:d} chunks")
def step_batched_stream_failed(context, client, after, chunks):
    for transcript in context.transcripts:
        name, prompt = transcript.request_body["client"], transcript.request_body["prompt"]
        members = next((item.get("members", []) for item in transcript.items if isinstance(item, dict)), [])
        with_failing = name == client or client in members
        expected = after if with_failing else chunks
        failures.stream_prefix(transcript, [f"{prompt}-{i}" for i in range(expected)])
        strangers = [item for item in transcript.items if isinstance(item, dict) and item.get("client") != name]
        assert_that(strangers, has_length(0), f"{name} received chunks that belong to other clients")


@then("every other client receives its own {chunks:d} chunks in order")
def step_other_streams_complete(context, chunks):
    for transcript in context.transcripts:
        if transcript.request_body["client"] == "client-2":
            continue
        prompt = transcript.request_body["prompt"]
        failures.stream_prefix(transcript, [f"{prompt}-{i}" for i in range(chunks)])


@then("the other client receives exactly {chunks:d} chunks, in order, and the stream ends cleanly")
def step_follower_complete(context, chunks):
    transcript = _only_transcript(context)
    assert_that(transcript.status, equal_to(200), f"the other client's stream got status {transcript.status}")
    failures.stream_prefix(transcript, [f"next-{i}" for i in range(chunks)])
    assert_that((transcript.ended_cleanly, transcript.error), equal_to((True, "")), "the stream did not end cleanly")


@then("the other client's first chunk is made before the abandoned reply would have been finished")
def step_follower_prompt(context):
    transcript = _only_transcript(context)
    assert_that(len(transcript.chunks) > 0, equal_to(True), "the other client received no chunks at all")
    pause = context.server.spec.settings.chunk_pause
    abandoned_start = context.abandoned.first_chunk["produced_at"]
    abandoned_end = abandoned_start + (context.abandoned_total - 1) * pause
    follower_start = transcript.items[0]["produced_at"]
    failures.before(follower_start, abandoned_end,
                          f"the client left a reply of {context.abandoned_total} chunks after "
                          f"{context.abandoned.chunks_read}; the next client's first chunk was made "
                          f"{follower_start - abandoned_start:.2f} s after the abandoned reply began, when all "
                          f"{context.abandoned_total} of its chunks would have been made "
                          f"({abandoned_end - abandoned_start:.2f} s): nobody was reading it, yet it was generated to the end")


@then("one stream is complete and the other is answered with status {status:d}")
def step_one_complete_one_refused(context, status):
    summary = [(t.request_body["client"], t.status, len(t.chunks)) for t in context.transcripts]
    complete = [t for t in context.transcripts if t.status == 200 and len(t.chunks) == 10]
    refused = [t for t in context.transcripts if t.status == status]
    assert_that((len(complete), len(refused)), equal_to((1, 1)),
                f"streams (client, status, chunks): {summary}; a stream that waited too long must be answered "
                f"{status}, not 200 with an empty body")


# ---------------------------------------------------------------- Then: health, exits

@then("its health check does not answer 200 before the model has finished loading")
def step_not_ready_early(context):
    loaded_at = misbehaving.model_loaded_at(context.server)
    watch = context.health_watch
    early = [status for at, status in watch.answers_at if loaded_at is None or at < loaded_at]
    assert_that("200" in early, equal_to(False),
                f"the health check answered 200 while the model was still loading "
                f"(it finished {'never' if loaded_at is None else f'{loaded_at - context.server.launched_at:.2f} s'} "
                f"after launch):\n{watch.describe()}")


@then("its health check answers 200 once the model has loaded")
def step_ready_later(context):
    ready_at = context.health_watch.first_ready_at
    assert_that(ready_at is not None, equal_to(True),
                f"the health check never answered 200 (watched for the loading time plus "
                f"{READY_TIMEOUT_SECONDS:g} s, the launcher's limit for any server):\n"
                f"{context.health_watch.describe()}\n{context.server.log_tail()}")


@then("the server exits with an error within {seconds:g} seconds")
def step_exits_with_error(context, seconds):
    remaining = max(0.0, seconds - (time.monotonic() - context.killed_at))
    code = misbehaving.wait_for_exit(context.server, remaining)
    assert_that(code is not None, equal_to(True),
                f"the server was still running {seconds:g} s after its worker {context.killed_worker} was killed")
    assert_that(code != 0, equal_to(True), f"the server exited with code {code}, which says all went well")


@then("a new inference worker takes its place and the health check answers 200 within {seconds:g} seconds")
def step_worker_replaced(context, seconds):
    outcome = misbehaving.wait_for_new_worker(context.server, context.killed_worker,
                                                within=seconds - (time.monotonic() - context.killed_at))
    assert_that(outcome, equal_to("ready"), f"{seconds:g} s after worker {context.killed_worker} was killed: {outcome}")


@then("a new client is refused at once instead of being left waiting")
def step_refused_at_once(context):
    outcome = misbehaving.try_connect(_url(context), time_limit=2.0)
    assert_that(outcome, equal_to("refused"), f"a new client was not refused: {outcome}")


@then("that client gets an error answer within {seconds:g} seconds instead of waiting forever")
def step_victim_answered(context, seconds):
    victim = context.victim
    if "error" in victim or "exchange" not in victim:
        raise AssertionError(f"the client whose request was being served when its worker died got no answer "
                             f"within {seconds:g} s: {victim.get('error', 'no outcome')}")
    exchange = victim["exchange"]
    waited = exchange.answered_at - context.killed_at
    failures.arrives_within(waited, seconds, "the error answer to the client whose worker died")
    assert_that(exchange.status >= 500, equal_to(True),
                f"the client whose worker died got status {exchange.status}: {exchange.text[:200]!r}")
