"""Steps of the OpenAI-compatible embeddings (features/openai_embeddings.feature).

The server is the ``embeddings`` app of ``servers/openai_apps.py`` behind LitServe's
``OpenAIEmbeddingSpec``; raw requests go through httpx, "the openai client" is the official
``openai`` package called as a user calls it (it asks for base64 and decodes it by itself).
"""

from behave import then, when
from hamcrest import assert_that, contains_string, equal_to

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import TIME_LIMIT, only_exchange, record_exchanges, url
from harness.checks import openai as checks
from harness.checks.answers import detail_of
from harness.clients import openai_sdk
from harness.clients.http import post_concurrently, request
from harness.reporting import attachments
from harness.serving.traces import traces_between

EMBEDDINGS_PATH = "/v1/embeddings"
MODEL = "lit-embed"


def _texts(sent) -> list[str]:
    """The texts of a request body's ``input`` (one text or a list)."""
    return sent if isinstance(sent, list) else [sent]


# ---------------------------------------------------------------- requests

def _ask(context, texts, formats: list[str]) -> None:
    record_exchanges(context, [request("POST", url(context, EMBEDDINGS_PATH),
                                       {"model": MODEL, "input": texts, "encoding_format": encoding},
                                       time_limit=TIME_LIMIT) for encoding in formats])


@when("a client asks for the embeddings of {texts:Texts}")
def step_embed(context, texts):
    _ask(context, texts, ["float"])


@when("a client asks for the embeddings of {texts:Texts} as floats and as base64")
def step_embed_both_formats(context, texts):
    _ask(context, texts, ["float", "base64"])


@when("{count:d} clients ask for the embeddings of their own texts at the same moment")
def step_embed_concurrently(context, count):
    bodies = [{"model": MODEL, "input": f"text of client-{i}"} for i in range(1, count + 1)]
    record_exchanges(context, post_concurrently(url(context, EMBEDDINGS_PATH), bodies, time_limit=TIME_LIMIT))


@when("the openai client asks for the embeddings of {texts:Texts}")
def step_sdk_embed(context, texts):
    outcome = openai_sdk.embed(context.server.base_url, model=MODEL, input=texts)
    context.sdk_calls.append(outcome)
    attachments.attach_text("The openai client's call", f"{outcome.call}({outcome.arguments})\n{outcome.describe()}")


# ---------------------------------------------------------------- answers

@then("the answer holds the model's vector for each text, in order, with the indices 0 to {last:d}")
def step_vectors(context, last):
    exchange = context.exchanges[0]
    texts = _texts(exchange.request_body["input"])
    if len(texts) != last + 1:
        raise ValueError(f"the scenario sent {len(texts)} text(s) but expects indices 0 to {last}; fix the scenario")
    checks.embeddings_answer(exchange, texts)


@then("the answer's usage is {prompt:d} prompt tokens and {total:d} in total")
def step_embedding_usage(context, prompt, total):
    checks.usage_is(context.exchanges[0].json().get("usage"), prompt, None, total, "the answer")


@then("the base64 answer, read as little-endian float32 numbers, holds exactly the vectors of the float answer")
def step_base64(context):
    as_float, as_base64 = context.exchanges
    texts = _texts(as_float.request_body["input"])
    assert_that(checks.embeddings_answer(as_base64, texts, "base64"),
                equal_to(checks.embeddings_answer(as_float, texts)),
                "the base64 vectors differ from the float vectors")


@then("the openai client gets the model's vector for each text, in order")
def step_sdk_vectors(context):
    outcome = context.sdk_calls[0]
    checks.sdk_vectors(outcome, _texts(outcome.arguments["input"]))


@then("every client gets the model's vector for its own text")
def step_own_vectors(context):
    for exchange in context.exchanges:
        checks.embeddings_answer(exchange, _texts(exchange.request_body["input"]))


@then("at least 2 of those texts were embedded together, in one batch")
def step_batched_together(context):
    texts = [exchange.request_body["input"] for exchange in context.exchanges]
    since = min(exchange.sent_at for exchange in context.exchanges)
    until = max(exchange.answered_at for exchange in context.exchanges)
    checks.batched_together(traces_between(context.server, "embedding-batch", since, until), texts)


@then('the client is answered with status {status:d} and a detail that says "{words}"')
def step_refused_saying(context, status, words):
    exchange = only_exchange(context)
    assert_that(exchange.status, equal_to(status), f"the client got status {exchange.status}: {exchange.text[:300]!r}")
    assert_that(str(detail_of(exchange.text)), contains_string(words),
                f"the answer's detail does not say {words!r}: {exchange.text[:300]!r}")
