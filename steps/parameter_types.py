"""Parameter types of the step sentences, registered with behave (``{name:Type}`` in a pattern).

A sentence whose parameter does not fit its type's grammar does not match any step, so
``behave --dry-run`` reports it as undefined before any server starts, instead of a
ValueError in the middle of a run. Step modules import this module so that the types exist
before their patterns are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import parse
from behave import register_type

from harness.clients.misbehaving import MISTAKES
from harness.serving import traits


@parse.with_pattern(r"client-\d+")
def parse_client(text: str) -> str:
    """A client's name, as the requests carry it: ``client-2``."""
    return text


@parse.with_pattern(r"\d+(?:(?:, | and )\d+)*")
def parse_counts(text: str) -> list[int]:
    """``1, 8 and 32`` -> ``[1, 8, 32]``."""
    return [int(part) for part in re.split(r", | and ", text)]


@parse.with_pattern(r'no API key|the API key "[^"]*"')
def parse_api_key(text: str) -> dict[str, str]:
    """``no API key`` or ``the API key "k"`` -> the headers a client sends."""
    if text == "no API key":
        return {}
    return {"X-API-Key": text[len('the API key "'):-1]}


@parse.with_pattern("|".join([re.escape(m) for m in MISTAKES] + [r"a body of \d+ bytes"]))
def parse_mistake(text: str) -> str:
    """One of the client mistakes of :data:`harness.clients.misbehaving.MISTAKES`, or ``a body of N bytes``."""
    return text


@dataclass(frozen=True)
class Addressee:
    """Whose answer a Then step looks at: the first client, a named client, the stream, or a client's stream."""

    client: str          # "" for "the first client" and "the stream"
    stream: bool


@parse.with_pattern(r"the first client|the stream|client-\d+'s stream|client-\d+")
def parse_addressee(text: str) -> Addressee:
    if text == "the first client":
        return Addressee("", stream=False)
    if text == "the stream":
        return Addressee("", stream=True)
    if text.endswith("'s stream"):
        return Addressee(text.removesuffix("'s stream"), stream=True)
    return Addressee(text, stream=False)


@parse.with_pattern(r"streams|does not stream")
def parse_streams(text: str) -> bool:
    """What the info says of an endpoint: ``streams`` -> True, ``does not stream`` -> False."""
    return text == "streams"


@parse.with_pattern(traits.SERVER_PATTERN)
def parse_server(text: str) -> traits.ServerWanted:
    """``a model server that squares numbers in batches of up to 8 within 100 ms`` -> the app and its settings
    (``harness/serving/traits.py``: the apps' phrases and the traits; a trait it cannot read is reported when
    the step runs, with the list of known traits)."""
    return traits.parse_server(text)


register_type(Server=parse_server)

register_type(Client=parse_client, Counts=parse_counts, ApiKey=parse_api_key,
              Mistake=parse_mistake, Addressee=parse_addressee, Streams=parse_streams)


# ---------------------------------------------------------------- OpenAI-compatible API (steps/openai_chat.py, steps/embeddings.py)

@parse.with_pattern(r"with streaming|without streaming")
def parse_streaming(text: str) -> bool:
    """``with streaming`` -> True, ``without streaming`` -> False."""
    return text == "with streaming"


@parse.with_pattern(r'the text "[^"]*"|the texts "[^"]*"(?:(?:, | and )"[^"]*")*')
def parse_texts(text: str) -> str | list[str]:
    """``the text "a b"`` -> ``"a b"`` (sent as one input); ``the texts "a", "b" and "c"`` -> a list."""
    found = re.findall(r'"([^"]*)"', text)
    return found[0] if text.startswith("the text ") else found


register_type(Streaming=parse_streaming, Texts=parse_texts)


# ---------------------------------------------------------------- loops of one's own (steps/continuous_batching.py)

@parse.with_pattern(r"[a-z_]+(?:(?:, | and )[a-z_]+)*")
def parse_hooks(text: str) -> list[str]:
    """``load_cache, decode_request and predict`` -> ``["load_cache", "decode_request", "predict"]``."""
    return re.split(r", | and ", text)


def parse_cue(text: str):
    """A cell of the "asks" column: ``at the start``, ``after 60 ms`` or ``when client-2 has 3 tokens``."""
    from harness.clients.streams import Cue

    match = re.fullmatch(r"at the start|after (\d+) ms|when (client-\d+) has (\d+) tokens?", text.strip())
    if not match:
        raise ValueError(f"cannot read {text!r} as when a client asks: write 'at the start', 'after 60 ms' or "
                         f"'when client-2 has 3 tokens'")
    if match.group(2):
        return Cue(client=match.group(2), chunks=int(match.group(3)))
    return Cue(delay=int(match.group(1) or 0) / 1000)


@dataclass(frozen=True)
class ChatWay:
    """How clients of the chat API ask: streaming or not, on the raw wire or through the openai client."""

    streaming: bool
    through_openai_client: bool


@parse.with_pattern(r"(?:streamed|without streaming,) (?:on the wire|through the openai client)")
def parse_chat_way(text: str) -> ChatWay:
    """``streamed on the wire``, ``without streaming, through the openai client``, ... -> a :class:`ChatWay`."""
    return ChatWay(streaming=text.startswith("streamed"), through_openai_client=text.endswith("openai client"))


register_type(Hooks=parse_hooks, ChatWay=parse_chat_way)
@parse.with_pattern(r"the ZeroMQ fast queue|multiprocessing queues")
def parse_transport(text: str) -> str:
    """The transport an answer names: ``the ZeroMQ fast queue`` -> ``zmq``, ``multiprocessing queues`` -> ``mp``."""
    return "zmq" if "ZeroMQ" in text else "mp"


@parse.with_pattern(r'no key|the key "[^"]*"')
def parse_shutdown_key(text: str) -> str:
    """``no key`` -> "", ``the key "k"`` -> ``k``."""
    return "" if text == "no key" else text[len('the key "'):-1]


@parse.with_pattern(r'no Content-Type|the Content-Type "[^"]*"')
def parse_content_type(text: str) -> dict[str, str]:
    """``no Content-Type`` -> no header, ``the Content-Type "text/plain"`` -> that header."""
    return {} if text == "no Content-Type" else {"Content-Type": text[len('the Content-Type "'):-1]}


#: What a model can be told to raise (``servers/options_apps.py``).
EXCEPTIONS = {"its own exception class": "own", "an exception whose constructor takes two arguments": "with-args",
              "an exception that cannot be pickled": "unpicklable"}


@parse.with_pattern("|".join(re.escape(kind) for kind in EXCEPTIONS))
def parse_exception(text: str) -> str:
    return EXCEPTIONS[text]


register_type(Transport=parse_transport, ShutdownKey=parse_shutdown_key, ContentType=parse_content_type,
              ModelException=parse_exception)
