"""What several step modules need: the endpoint URL, recording what a When produced, the single answer.

Helpers only, no step definitions (step modules import this module by name).
"""

from __future__ import annotations

from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript
from harness.reporting import attachments

#: Client-side time limit of a request in the failure scenarios: a hang fails fast, with a clear message.
TIME_LIMIT = 8.0


def url(context, path: str = "/predict") -> str:
    """The URL of ``path`` on the scenario's server."""
    return f"{context.server.base_url}{path}"


def record_exchanges(context, exchanges: list[Exchange], name: str = "Requests and answers") -> None:
    """What the last When produced: these requests and answers (attached to the report)."""
    context.exchanges = exchanges
    attachments.attach_exchanges(exchanges, name=name)


def record_transcripts(context, transcripts: list[StreamTranscript]) -> None:
    """What the last When produced: these streams (attached to the report)."""
    context.transcripts = transcripts
    attachments.attach_transcripts(transcripts)


def only_exchange(context) -> Exchange:
    """The one answer of the last When (the scenario's sentence says "the client")."""
    if len(context.exchanges) != 1:
        raise ValueError(f"this step reads the answer of exactly one request; the scenario's last When "
                         f"sent {len(context.exchanges)}")
    return context.exchanges[0]


def only_transcript(context) -> StreamTranscript:
    """The one stream of the last When (the scenario's sentence says "the stream")."""
    if len(context.transcripts) != 1:
        raise ValueError(f"this step reads exactly one stream; the scenario's last When "
                         f"made {len(context.transcripts)}")
    return context.transcripts[0]


def client_of(exchange: Exchange) -> str:
    """The name the request carried (``client-2``), or "" when it had none."""
    body = exchange.request_body
    return body.get("client", "") if isinstance(body, dict) else ""


def named_client(context) -> str:
    """The client an earlier Then singled out ("client-2 is answered ..."), for "every other client" steps."""
    if context.named_client is None:
        raise ValueError('"every other client" needs an earlier Then that names a client, like "client-2 is answered ..."')
    return context.named_client
