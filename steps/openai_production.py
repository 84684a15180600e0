"""Steps of the OpenAI chat API in production configurations (features/openai_production.feature).

The server is the ``recording_chat`` app (``servers/openai_letter_apps.py``): async, batched or with
several workers and API servers. Streams are read on the wire (``harness/clients/sse.py``) or through
the official openai client (``harness/clients/openai_sdk.py``); the Thens read both alike
(``harness/checks/openai_production.py``) and prove what the model did from its traces.
"""

import time

from behave import then, when

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, record_transcripts, url
from harness.checks import openai_production as checks
from harness.clients import openai_sdk, sse
from harness.clients.chat_requests import CHAT_PATH, MODEL, chat_body, new_user
from harness.reporting import attachments
from harness.serving.traces import traces, traces_between

#: Pieces a client reads before it leaves, and the pieces the model may still produce after that.
LEAVES_AFTER = 2
STOPS_WITHIN = 5


def _streams(context) -> list:
    """The streams of the last When, on the wire or through the openai client, as :class:`SeenStream`s."""
    return [checks.seen(stream) for stream in context.transcripts or context.sdk_calls]


def _produced(context, user: str, since: float, until: float, at_least: int = 1) -> list[dict]:
    return traces_between(context.server, "chat-piece", since, until, at_least=at_least,
                          where=lambda trace: trace["user"] == user)


def _window(context) -> tuple[float, float]:
    calls = context.transcripts or context.sdk_calls
    return min(c.sent_at for c in calls), max(c.finished_at for c in calls)


@when("{count:d} clients stream answers from the chat model at the same moment, each about its own topic")
def step_wire_streams(context, count):
    users = [new_user() for _ in range(count)]
    bodies = [chat_body(f"tell me about {user}", stream=True, user=user) for user in users]
    record_transcripts(context, sse.stream_sse_concurrently(url(context, CHAT_PATH), bodies, time_limit=TIME_LIMIT))


@when("{count:d} openai clients stream answers from the chat model at the same moment, each about its own topic")
def step_sdk_streams(context, count):
    users = [new_user() for _ in range(count)]
    calls = [{"model": MODEL, "stream": True, "user": user,
              "messages": [{"role": "user", "content": f"tell me about {user}"}]} for user in users]
    context.sdk_calls = openai_sdk.chat_concurrently(context.server.base_url, calls)
    attachments.attach_text("The openai clients' streams", "\n\n".join(c.describe() for c in context.sdk_calls))


@when("a client streaming a long answer leaves after 2 pieces, and then another client streams an answer")
def step_leave_then_next(context):
    gone, other = new_user("gone"), new_user("next")
    left = sse.stream_sse_and_leave(url(context, CHAT_PATH),
                                    chat_body(f"tell me everything about {gone}", stream=True, user=gone),
                                    after_pieces=LEAVES_AFTER, time_limit=TIME_LIMIT)
    following = sse.stream_sse(url(context, CHAT_PATH), chat_body(f"tell me about {other}", stream=True, user=other),
                               time_limit=TIME_LIMIT)
    record_transcripts(context, [left, following])


@then("every client's stream carries its own {count:d} pieces, in order, and ends as a complete answer")
def step_own_complete(context, count):
    for stream in _streams(context):
        checks.own_complete(stream, count, stream.user)


@then("every client got its first piece before the model had produced that stream's last piece")
def step_incremental(context):
    since, until = _window(context)
    for stream in _streams(context):
        checks.first_piece_before_last_produced(stream, _produced(context, stream.user, since, until, at_least=2))


def _by_user(context) -> dict[str, list[dict]]:
    since, until = _window(context)
    return {s.user: _produced(context, s.user, since, until, at_least=2) for s in _streams(context)}


@then("one worker produced the streams at the same time")
def step_one_worker_at_once(context):
    by_user = _by_user(context)
    checks.produced_in_one_worker(by_user)
    checks.produced_at_once(by_user)


@then("{workers:d} workers produced the streams, one each")
def step_workers_one_each(context, workers):
    checks.produced_by_workers(_by_user(context), workers)


@then("at least {count:d} of the streams were produced together, in one batch")
def step_batched(context, count):
    since, until = _window(context)
    users = [s.user for s in _streams(context)]
    batches = [b for b in traces(context.server, "chat-batch") if since <= b["started_at"] <= until]
    checks.batched_together(batches, users, count)


@then("the model stops producing the answer of the client that left within 5 pieces of its leaving")
def step_stopped(context):
    left = context.transcripts[0]
    pause = context.server.spec.settings.chunk_pause
    settle = left.finished_at + 2 * STOPS_WITHIN * pause  # long enough to see it go on, if it does
    while time.monotonic() < settle:
        time.sleep(0.02)
    produced = _produced(context, left.request_body["user"], left.sent_at, time.monotonic(), at_least=LEAVES_AFTER)
    checks.stopped_after_leaving(produced, left.finished_at, STOPS_WITHIN)


@then("the next client's stream carries its own {count:d} pieces, in order, and ends as a complete answer")
def step_next_complete(context, count):
    stream = checks.seen(context.transcripts[1])
    checks.own_complete(stream, count, stream.user)
