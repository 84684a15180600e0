"""Steps of the OpenAI-compatible chat completions (features/openai_chat.feature).

The server is the ``chat`` app of ``servers/openai_apps.py`` behind LitServe's ``OpenAISpec``.
Raw requests go through httpx (streams through the SSE reader of ``harness/clients/sse.py``);
"the openai client" is the official ``openai`` package, called as a user calls it.
"""

from behave import then, when

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, only_exchange, only_transcript, record_exchanges, record_transcripts, url
from harness.checks import openai as checks
from harness.clients import openai_sdk, sse
from harness.clients.http import request
from harness.reporting import attachments
from harness.serving.traces import traces, traces_between

CHAT_PATH = "/v1/chat/completions"
MODEL = "lit-chat"


def _body(message: str, *, stream: bool = False, user: str = "", **extra) -> dict:
    body = {"model": MODEL, "messages": [{"role": "user", "content": message}], "stream": stream, **extra}
    if user:
        body["user"] = user
    return body


def _record_streams(context, transcripts: list) -> None:
    record_transcripts(context, transcripts)
    attachments.attach_text("Event streams as sent on the wire", "\n\n".join(
        f"POST {t.url} {t.request_body['messages'][-1]['content']!r} -> {t.status} "
        f"{t.headers.get('content-type', '')}\n{t.wire}" for t in transcripts))


def _record_sdk(context, outcome: openai_sdk.SdkCall) -> None:
    context.sdk_calls.append(outcome)
    attachments.attach_text("The openai client's call", f"{outcome.call}({outcome.arguments})\n{outcome.describe()}")


def _only_sdk_call(context) -> openai_sdk.SdkCall:
    if len(context.sdk_calls) != 1:
        raise ValueError(f"this step reads the result of one call of the openai client; the scenario made "
                         f"{len(context.sdk_calls)}")
    return context.sdk_calls[0]


# ---------------------------------------------------------------- raw HTTP clients

@when('a client asks the chat model "{message}"')
@when('a client asks the chat model "{message}" with max_tokens {count:d}')
def step_ask(context, message, count=None):
    extra = {"max_tokens": count} if count else {}
    record_exchanges(context, [request("POST", url(context, CHAT_PATH), _body(message, **extra),
                                       time_limit=TIME_LIMIT)])


@when('{count:d} clients ask the chat model "{message}", one after another')
def step_chat_in_sequence(context, count, message):
    record_exchanges(context, [request("POST", url(context, CHAT_PATH), _body(message, user=f"client-{n}"),
                                       time_limit=TIME_LIMIT) for n in range(1, count + 1)])


@when('a client streams the chat model\'s answer to "{message}"')
@when('a client streams the chat model\'s answer to "{message}" with max_tokens {count:d}')
def step_stream(context, message, count=None):
    extra = {"max_tokens": count} if count else {}
    _record_streams(context, [sse.stream_sse(url(context, CHAT_PATH), _body(message, stream=True, **extra),
                                             time_limit=TIME_LIMIT)])


@when("{count:d} clients stream chat answers at the same moment, each about its own name")
def step_stream_concurrently(context, count):
    bodies = [_body(f"tell me about client-{i}", stream=True, user=f"client-{i}") for i in range(1, count + 1)]
    _record_streams(context, sse.stream_sse_concurrently(url(context, CHAT_PATH), bodies, time_limit=TIME_LIMIT))


# ---------------------------------------------------------------- the openai client

@when('the openai client asks the chat model "{message}" {stream:Streaming}')
@when('the openai client asks the chat model "{message}" for {n:d} choices {stream:Streaming}')
def step_sdk_chat(context, message, stream, n=1):
    extra = {"n": n} if n != 1 else {}
    _record_sdk(context, openai_sdk.chat(context.server.base_url, model=MODEL, stream=stream,
                                         messages=[{"role": "user", "content": message}], **extra))


@when('the openai client asks the chat model "{message}" {stream:Streaming}, offering the tool "{tool}"')
def step_sdk_tool(context, message, stream, tool):
    tools = [{"type": "function", "function": {"name": tool, "description": f"Looks a topic up ({tool}).",
                                               "parameters": {"type": "object",
                                                              "properties": {"topic": {"type": "string"}}}}}]
    _record_sdk(context, openai_sdk.chat(context.server.base_url, model=MODEL, stream=stream, tools=tools,
                                         messages=[{"role": "user", "content": message}]))


# ---------------------------------------------------------------- answers without streaming

@then('the answer is a chat completion whose one assistant message is "{content}", with finish reason "{reason}"')
def step_chat_completion(context, content, reason):
    checks.chat_completion(only_exchange(context), content, reason)


@then("the answer's usage is {prompt:d} prompt tokens, {completion:d} completion tokens and {total:d} in total")
def step_chat_usage(context, prompt, completion, total):
    checks.usage_is(only_exchange(context).json().get("usage"), prompt, completion, total, "the answer")


# ---------------------------------------------------------------- streams on the wire

@then('the stream is sent as server-sent events: every event one "data:" line of JSON, ended by a blank line')
def step_event_stream(context):
    for transcript in context.transcripts:
        checks.event_stream(transcript)


@then('the chunks are chat completion chunks carrying the {count:d} pieces "{first}" to "{last}" as deltas, '
      'one per chunk, in order')
def step_chunk_deltas(context, count, first, last):
    checks.chunk_deltas(only_transcript(context), _pieces(first, last, count))


@then('the stream carries only the {count:d} pieces "{first}" to "{last}", in order, and the stream does not end '
      'like a complete answer')
def step_cut_short(context, count, first, last):
    checks.cut_short(only_transcript(context), _pieces(first, last, count))


@then('the last data event has finish reason "stop" and the usage: {prompt:d} prompt tokens, '
      '{completion:d} completion tokens and {total:d} in total')
def step_last_event(context, prompt, completion, total):
    checks.last_event_stop_with_usage(only_transcript(context), prompt, completion, total)


@then('the stream ends with exactly "data: [DONE]"')
def step_done(context):
    checks.ends_with_done(only_transcript(context))


@then("the first piece reaches the client before the model has produced half of its {count:d} pieces")
def step_first_piece_early(context, count):
    transcript = only_transcript(context)
    topic = transcript.request_body["messages"][-1]["content"].split()[-1]
    produced = traces_between(context.server, "chat-piece", transcript.sent_at, transcript.finished_at,
                              at_least=count, where=lambda trace: trace["topic"] == topic)
    if len(produced) != count:  # say what the log holds for this topic, in the window or not
        attachments.attach_text(
            f"Chat pieces about {topic!r} in the log (request sent at {transcript.sent_at:.3f}, "
            f"stream ended at {transcript.finished_at:.3f})",
            "\n".join(str(t) for t in traces(context.server, "chat-piece") if t["topic"] == topic))
    checks.first_piece_early(transcript, produced, count)


@then('every client\'s stream carries its own {count:d} pieces, in order, and ends with "data: [DONE]"')
def step_own_streams(context, count):
    for transcript in context.transcripts:
        own = transcript.request_body["user"]
        checks.chunk_deltas(transcript, checks.pieces(f"{own}-0", count))
        checks.ends_with_done(transcript)


@then('the stream ends with an error event, framed like every other event')
def step_error_event(context):
    checks.error_event_at_end(only_transcript(context))


# ---------------------------------------------------------------- what the openai client got

@then('the openai client gets the text "{text}"')
def step_sdk_text(context, text):
    checks.sdk_texts(_only_sdk_call(context), 1, text)


@then('the openai client gets 2 choices, with indices 0 and 1, each with the text "{text}"')
def step_sdk_two_choices(context, text):
    checks.sdk_texts(_only_sdk_call(context), 2, text)


@then('the openai client gets one call of the tool "{tool}" with the topic "{topic}" as its argument')
def step_sdk_tool_call(context, tool, topic):
    checks.sdk_tool_call(_only_sdk_call(context), tool, {"topic": topic})


@then('the openai client raises {error_class:w} with status {status:d} and the detail "{detail}"')
def step_sdk_raised(context, error_class, status, detail):
    checks.sdk_raised(_only_sdk_call(context), error_class, status, detail)


@then('the openai client raises an error saying "{message}"')
def step_sdk_error_saying(context, message):
    checks.sdk_error_saying(_only_sdk_call(context), message)


def _pieces(first: str, last: str, count: int) -> list[str]:
    expected = checks.pieces(first, count)
    if (expected[0], expected[-1].strip()) != (first, last):
        raise ValueError(f"the scenario's first and last piece ({first}, {last}) do not match its piece count "
                         f"({expected[0]} to {expected[-1].strip()}); fix the scenario")
    return expected
