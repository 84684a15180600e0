"""Steps about continuous batching and loops of one's own: which sequences each step advanced, what each
client received, and which loop served a request.

The toy LLM logs one trace per step (``servers/llm_apps.py``); the checks are in
``harness/checks/continuous_batching.py``.
"""

from __future__ import annotations

from behave import then, when
from hamcrest import assert_that, equal_to, less_than

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, record_transcripts, url
from harness.checks import continuous_batching as cb
from harness.checks.streams import stream_marked_incomplete
from harness.clients import openai_sdk, sse, streams
from harness.clients.chat_requests import CHAT_PATH, chat_body
from parameter_types import parse_cue
from harness.reporting import attachments
from harness.serving import watch
from harness.serving.traces import step_traces

#: Columns of the table of "clients ask the toy model for tokens".
COLUMNS = ["client", "prompt", "tokens", "asks"]


@when("clients ask the toy model for tokens")
def step_ask_for_tokens(context):
    if context.table is None or list(context.table.headings) != COLUMNS:
        raise ValueError(f"this step needs a table with the columns {COLUMNS}")
    plan = [({"client": row["client"], "prompt": row["prompt"], "tokens": int(row["tokens"])}, parse_cue(row["asks"]))
            for row in context.table]
    record_transcripts(context, streams.stream_cued(url(context), plan, time_limit=TIME_LIMIT))
    context.cb_steps = step_traces(context.server, context.transcripts)
    _attach_steps(context.cb_steps)


@when("clients ask the toy model for chat answers, {how:ChatWay}")
def step_ask_for_chat_answers(context, how):
    if context.table is None or list(context.table.headings) != COLUMNS:
        raise ValueError(f"this step needs a table with the columns {COLUMNS}")
    plan = [(chat_body(f"tell me a {row['prompt']}", stream=how.streaming, user=row["client"],
                       max_tokens=int(row["tokens"])), parse_cue(row["asks"])) for row in context.table]
    if how.through_openai_client:
        context.sdk_calls = openai_sdk.chat_cued(context.server.base_url, plan)
        attachments.attach_text("The openai clients' answers", "\n\n".join(c.describe() for c in context.sdk_calls))
        calls = context.sdk_calls
    else:
        record_transcripts(context, sse.stream_sse_cued(url(context, CHAT_PATH), plan, time_limit=TIME_LIMIT))
        calls = context.transcripts
    context.cb_chats = [cb.chat_answer(call) for call in calls]
    received = sum(len(a.pieces) if a.streamed else len(a.text.split()) for a in context.cb_chats)
    context.cb_steps = step_traces(context.server, calls, received=received)
    _attach_steps(context.cb_steps)


def _attach_steps(steps: list[dict]) -> None:
    attachments.attach_text("Steps (step: sequences advanced; first tokens; left; thinking)", "\n".join(
        f"{s['step']}: {s['members']}; first {s['first_tokens']}; left {s['left']}"
        + (f"; thinking {s['quiet']}, {s['outputs']} outputs" if s.get("quiet") else "") for s in steps))


@when("the server has had nothing to do for {ms:d} ms")
def step_idle(context, ms):
    context.idle_cpu = watch.cpu_share_over(context.server.pid, ms / 1000)


# ---------------------------------------------------------------- what each client received

@then("every client receives exactly its own tokens, in order, from the steps that advanced its sequence")
def step_own_tokens(context):
    if context.cb_chats:  # behind the OpenAI-compatible API (whose wire transcripts are read as chat answers)
        for answer in context.cb_chats:
            cb.own_chat_tokens(answer, context.cb_steps)
        return
    for transcript in context.transcripts:
        cb.own_tokens(transcript, context.cb_steps, int(transcript.request_body["tokens"]))
        assert_that(transcript.ended_cleanly, equal_to(True), f"the stream of {transcript.request_body['client']} "
                                                              f"did not end")


@then('every client\'s stream ends with a last chunk whose finish reason is "{reason}", then [DONE]')
def step_chat_stream_ends_done(context, reason):
    for answer in _chats(context):
        cb.chat_stream_ends(answer, reason, done_marker=True)


@then('every client\'s stream ends with a last chunk whose finish reason is "{reason}"')
def step_chat_stream_ends(context, reason):
    for answer in _chats(context):
        cb.chat_stream_ends(answer, reason, done_marker=False)


@then('every client\'s answer is one assistant message whose finish reason is "{reason}"')
def step_chat_whole(context, reason):
    for answer in _chats(context):
        cb.chat_whole_answer(answer, reason)


def _chats(context) -> list:
    if not context.cb_chats:
        raise ValueError("this step reads the answers of 'clients ask the toy model for chat answers', which the "
                         "scenario has not sent")
    return context.cb_chats


@then("{client:Client} receives only its first {count:d} tokens")
def step_only_first(context, client, count):
    context.named_client = client
    cb.own_tokens(_transcript(context, client), context.cb_steps, count)


@then("every other client receives all its tokens, in order")
def step_others_complete(context):
    for transcript in context.transcripts:
        if transcript.request_body["client"] != context.named_client:
            cb.own_tokens(transcript, context.cb_steps, int(transcript.request_body["tokens"]))


@then("{client:Client} can tell that its stream did not complete")
def step_told_incomplete(context, client):
    transcript = _transcript(context, client)
    stream_marked_incomplete(transcript, int(transcript.request_body["tokens"]))


# ---------------------------------------------------------------- what the steps did

@then("no step advances more than {count:d} sequences")
def step_at_most(context, count):
    cb.at_most_active(context.cb_steps, count)


@then("{late:Client}'s first token comes in a step that also advances {older:Client}'s sequence")
def step_joined_beside(context, late, older):
    cb.joined_beside(context.cb_steps, late, older)


@then("at least {count:d} steps returned no output at all while {client:Client} was thinking")
def step_empty_steps(context, count, client):
    cb.thought_in_empty_steps(context.cb_steps, client, count)


@then("{late:Client}'s first token comes in a step in which {thinker:Client} is still thinking")
def step_joined_while_thinking(context, late, thinker):
    cb.joined_while_thinking(context.cb_steps, late, thinker)


@then("every client that had to wait for a free slot gets its first token within {ms:d} ms of the first one freeing")
def step_waited(context, ms):
    cb.waited_at_most(cb.sequences(context.transcripts, context.cb_steps), context.cb_steps, ms / 1000)


@then("the clients who asked later get their first token no earlier than those who asked before them")
def step_in_order(context):
    cb.first_tokens_in_order(cb.sequences(context.transcripts, context.cb_steps))


# ---------------------------------------------------------------- an idle server

@then("it used less than {percent:d}% of one CPU core meanwhile")
def step_idle_cpu(context, percent):
    assert_that(context.idle_cpu * 100, less_than(percent),
                f"the idle server used {context.idle_cpu * 100:.0f}% of a CPU core with nothing to do")


def _transcript(context, client: str):
    found = [t for t in context.transcripts if t.request_body["client"] == client]
    if len(found) != 1:
        raise ValueError(f"the scenario's last When has no stream of {client}")
    return found[0]


# ---------------------------------------------------------------- a loop of one's own

@then('every answer came through the "{loop}" loop, which called {hooks:Hooks} in that order')
def step_through_loop(context, loop, hooks):
    for exchange in context.exchanges:
        body = exchange.json() if exchange.status == 200 else {}
        assert_that((body.get("loop"), body.get("hooks")), equal_to((loop, hooks)),
                    f"the answer {exchange.text[:200]!r} did not come through the {loop!r} loop calling {hooks}")
