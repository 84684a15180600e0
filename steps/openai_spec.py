"""Steps of the OpenAI API to the letter (features/openai_spec.feature).

The chat server is the ``recording_chat`` app (``servers/openai_letter_apps.py``), the embedding server
the ``embeddings`` app (``servers/openai_apps.py``); both write down each request as the model received
it, so a Then compares it with what the client sent. Requests are named in plain words
(``harness/clients/chat_requests.py``).
"""

import re

from behave import then, when

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, only_exchange, only_transcript, record_exchanges, record_transcripts, url
from harness.checks import openai_spec as checks
from harness.clients import chat_requests, openai_sdk, sse
from harness.clients.chat_requests import CHAT_PATH, MODEL, chat_body, new_user
from harness.clients.http import request
from harness.clients.openai_sdk import SdkCall
from harness.reporting import attachments
from harness.serving.traces import traces_between
from servers.toy_answers import embedding_of, embedding_of_tokens

EMBEDDINGS_PATH = "/v1/embeddings"
_CAP = re.compile(r"with (max_tokens|max_completion_tokens) (\d+)")
_TOOL = re.compile(r'offering the tool "([^"]+)"')


def _send(context, body: dict, stream: bool) -> None:
    body = {**body, "stream": stream}
    if stream:
        record_transcripts(context, [sse.stream_sse(url(context, CHAT_PATH), body, time_limit=TIME_LIMIT)])
    else:
        record_exchanges(context, [request("POST", url(context, CHAT_PATH), body, time_limit=TIME_LIMIT)])


def _answer(context):
    return only_transcript(context) if context.transcripts else only_exchange(context)


def _extra(words: str) -> dict:
    """``with max_tokens 3`` / ``with max_completion_tokens 3`` / ``offering the tool "lookup"`` -> request fields."""
    if cap := _CAP.fullmatch(words):
        return {cap[1]: int(cap[2])}
    if tool := _TOOL.fullmatch(words):
        return {"tools": [{**chat_requests.LOOKUP_TOOL, "function": {**chat_requests.LOOKUP_TOOL["function"],
                                                                    "name": tool[1]}}]}
    raise ValueError(f"cannot read {words!r}: write 'with max_tokens 3', 'with max_completion_tokens 3' or "
                     f"'offering the tool \"lookup\"'")


def _received(context, kind: str, sent: dict) -> dict | None:
    """The request as the model received it (its trace), or None if it never reached the model (a request
    LitServe refused is reported with its answer at once)."""
    answer = (context.exchanges or context.transcripts)[0]
    checks.not_refused(answer)
    sent_at = answer.sent_at
    found = traces_between(context.server, kind, sent_at, sent_at + TIME_LIMIT, wait=1.0,
                           where=lambda t: t["received"].get("user") == sent["user"])
    attachments.attach_text("What the model received", "\n".join(str(t["received"]) for t in found) or "nothing")
    return found[0]["received"] if found else None


def _record_sdk(context, outcome: SdkCall) -> None:
    context.sdk_calls.append(outcome)
    attachments.attach_text("The openai client's call", f"{outcome.call}({outcome.arguments})\n{outcome.describe()}")


# ---------------------------------------------------------------- finish reasons, the usage chunk

@when("a client asks for a chat answer of 6 pieces {words}, {stream:Streaming}")
def step_ask_capped(context, words, stream):
    _send(context, chat_body(**_extra(words)), stream)


@then('the answer carries {count:d} pieces and ends with the finish reason "{reason}"')
def step_finish_reason(context, count, reason):
    checks.finish_reason(_answer(context), reason, count)


@when("a client streams a chat answer {options}")
def step_stream_options(context, options):
    known = {"asking for the usage": {"include_usage": True}, "not asking for the usage": {"include_usage": False},
             "without stream options": None}
    if options not in known:
        raise ValueError(f"unknown stream options {options!r}; known: {sorted(known)}")
    extra = {"stream_options": known[options]} if known[options] is not None else {}
    _send(context, chat_body(**extra), stream=True)


@then("the stream carries {count:d} chunk(s) with a usage")
def step_usage_count(context, count):
    checks.usage_chunk_count(only_transcript(context), count)


@then("the last chunk before [DONE] is a chunk of its own with no choices and the usage: {prompt:d} prompt tokens, "
      "{completion:d} completion tokens and {total:d} in total")
def step_usage_chunk(context, prompt, completion, total):
    checks.usage_chunk_alone_last(only_transcript(context), {"prompt_tokens": prompt, "completion_tokens": completion,
                                                             "total_tokens": total})


# ---------------------------------------------------------------- what reaches the model

@when("a client asks the chat model for an answer with {option}")
def step_ask_with_option(context, option):
    _send(context, chat_requests.with_option(option), stream=False)


@when("a client sends the chat model a message made of {parts}")
def step_ask_with_parts(context, parts):
    _send(context, chat_requests.with_content_parts(parts), stream=False)


@then("the model received the request's {field} exactly as the client sent it")
def step_received_field(context, field):
    sent = (context.exchanges or context.transcripts)[0].request_body
    checks.received_as_sent(_received(context, "chat-request", sent), sent, field)


@then("the model received the message's content parts exactly as the client sent them")
def step_received_parts(context):
    sent = only_exchange(context).request_body
    received = _received(context, "chat-request", sent)
    checks.received_as_sent({"content": received["messages"][-1]["content"]} if received else None,
                            {"content": sent["messages"][-1]["content"]}, "content")


# ---------------------------------------------------------------- requests that break the schema

@when("a client sends the chat model a request with {broken}")
def step_send_broken(context, broken):
    body, context.named_client = chat_requests.broken(broken)  # named_client: the field the error must name
    record_exchanges(context, [request("POST", url(context, CHAT_PATH), body, time_limit=TIME_LIMIT)])


@then("the client is told its request breaks the schema: a status in the 400s and a message naming the field")
def step_refused_schema(context):
    checks.refused_as_client_mistake(only_exchange(context), context.named_client)


# ---------------------------------------------------------------- the API key, as the openai client sends it

@when('the openai client with the API key "{key}" asks the chat model for an answer')
def step_sdk_key(context, key):
    _record_sdk(context, openai_sdk.chat(context.server.base_url, api_key=key, model=MODEL,
                                         messages=[{"role": "user", "content": "tell me about alpha"}]))


@when('the openai client with the API key "{key}" in an X-API-Key header asks the chat model for an answer')
def step_sdk_key_header(context, key):
    _record_sdk(context, openai_sdk.chat(context.server.base_url, headers={"X-API-Key": key}, model=MODEL,
                                         messages=[{"role": "user", "content": "tell me about alpha"}]))


@then("the openai client gets the model's answer")
def step_sdk_answered(context):
    checks.sdk_answered(context.sdk_calls[-1])


@then("the openai client is refused with status {status:d}")
def step_sdk_refused(context, status):
    checks.sdk_refused(context.sdk_calls[-1], status)


# ---------------------------------------------------------------- embeddings: dimensions, token ids

def _embed(context, value, **extra) -> None:
    body = {"model": "lit-embed", "input": value, "user": new_user(), **extra}
    record_exchanges(context, [request("POST", url(context, EMBEDDINGS_PATH), body, time_limit=TIME_LIMIT)])


@when('a client asks for {dimensions:d}-number embeddings of {texts:Texts}')
def step_embed_dimensions(context, dimensions, texts):
    _embed(context, texts, dimensions=dimensions)


@when("a client asks for the embeddings of the token ids {ids}")
def step_embed_tokens(context, ids):
    lists = [[int(i) for i in re.findall(r"\d+", part)] for part in ids.split("; ")]
    _embed(context, lists[0] if len(lists) == 1 else lists)


@then("the model received the embedding request's {field} exactly as the client sent it")
def step_embedding_received(context, field):
    sent = only_exchange(context).request_body
    checks.received_as_sent(_received(context, "embedding-request", sent), sent, field)


@then("the answer holds, for each input in order, the model's vector shortened to {count:d} numbers")
def step_short_vectors(context, count):
    sent = only_exchange(context).request_body["input"]
    checks.vectors_of_length(only_exchange(context), count,
                             [embedding_of(t)[:count] for t in (sent if isinstance(sent, list) else [sent])])


@then("the answer holds the model's vector for each token-id list, in order, and counts {tokens:d} tokens")
def step_token_vectors(context, tokens):
    exchange = only_exchange(context)
    sent = exchange.request_body["input"]
    lists = sent if isinstance(sent[0], list) else [sent]
    checks.vectors_of_length(exchange, 4, [embedding_of_tokens(ids) for ids in lists])
    checks.prompt_tokens(exchange, tokens)


@when("the openai client asks for {dimensions:d}-number embeddings of {texts:Texts}")
def step_sdk_dimensions(context, dimensions, texts):
    _record_sdk(context, openai_sdk.embed(context.server.base_url, model="lit-embed", input=texts,
                                          dimensions=dimensions))


@then("the openai client gets, for each text, the model's vector shortened to {count:d} numbers")
def step_sdk_short(context, count):
    outcome = context.sdk_calls[-1]
    texts = outcome.arguments["input"]
    checks.sdk_short_vectors(outcome, [embedding_of(t)[:count] for t in (texts if isinstance(texts, list) else [texts])])
