"""The official ``openai`` Python client, called as a user calls it against a LitServe server.

Each call returns an :class:`SdkCall`: what the client returned, or the exception it raised, so
that a Then step can check either. Streams are read to the end, with each chunk's arrival time.

The package is imported on first use (:func:`sdk`), not when behave loads the steps: it takes most of a second,
which every run paid before its first server could start; ``environment.py`` imports it in the background
meanwhile (:func:`import_in_background`).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

import httpx

from harness.clients.http import NoAnswerInTime
from harness.clients.streams import Cue

if TYPE_CHECKING:
    import openai

#: Seconds the client waits for an answer (the SDK's own default is 10 minutes).
SDK_TIME_LIMIT = 15.0


def sdk() -> ModuleType:
    """The ``openai`` package (imported on first use)."""
    import openai

    return openai


def import_in_background() -> None:
    """Import the ``openai`` package in a thread of its own, while the run starts its first servers."""
    threading.Thread(target=sdk, name="import openai", daemon=True).start()


@dataclass
class SdkCall:
    """One call of the client: what was asked, what came back (or was raised), and when."""

    call: str
    arguments: dict
    result: Any = None
    chunks: list[tuple[float, Any]] = field(default_factory=list)  # (arrived_at, chunk) of a stream
    error: Exception | None = None
    sent_at: float = 0.0
    finished_at: float = 0.0

    def describe(self) -> str:
        if self.error is not None:
            return f"{self.call} raised {type(self.error).__name__}: {self.error}"
        if self.chunks:
            return f"{self.call} streamed {len(self.chunks)} chunk(s): " + "; ".join(
                chunk.model_dump_json(exclude_none=True) for _, chunk in self.chunks)
        return f"{self.call} returned {self.result.model_dump_json(exclude_none=True) if self.result else None}"


def client_for(base_url: str, api_key: str = "unused", headers: dict | None = None) -> openai.OpenAI:
    """A client for the LitServe server at ``base_url`` (LitServe needs no key unless told to, the client wants one),
    sending ``headers`` with every request.

    Its HTTP client is the SDK's own default one, told not to load the TLS certificate bundle (the server speaks
    plain HTTP on 127.0.0.1): loading it took 60 ms or more of the suite's CPU for each client."""
    openai = sdk()
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=api_key, default_headers=headers,
                         timeout=SDK_TIME_LIMIT, http_client=openai.DefaultHttpxClient(verify=False))


def _called(call: str, arguments: dict, run) -> SdkCall:
    outcome = SdkCall(call, arguments, sent_at=time.monotonic())
    try:
        run(outcome)
    except Exception as error:  # noqa: BLE001 - whatever the client raises is what its user gets
        outcome.error = error
    outcome.finished_at = time.monotonic()
    return outcome


def chat(base_url: str, *, api_key: str = "unused", headers: dict | None = None, client: openai.OpenAI | None = None,
         on_chunk: Callable[[SdkCall], None] | None = None, **arguments) -> SdkCall:
    """``client.chat.completions.create(**arguments)`` (with ``client``, or a new one); with ``stream=True`` the
    stream is read to its end (``on_chunk`` is called with the call after each chunk)."""

    def run(outcome: SdkCall) -> None:
        answer = (client or client_for(base_url, api_key, headers)).chat.completions.create(**arguments)
        if arguments.get("stream"):
            for chunk in answer:
                outcome.chunks.append((time.monotonic(), chunk))
                if on_chunk:
                    on_chunk(outcome)
        else:
            outcome.result = answer

    return _called("chat.completions.create", arguments, run)


def chat_concurrently(base_url: str, calls: list[dict]) -> list[SdkCall]:
    """One :func:`chat` per ``calls`` item, each from its own thread and client (made beforehand), all released
    at the same moment."""
    barrier = threading.Barrier(len(calls))

    def one(arguments: dict) -> SdkCall:
        client = client_for(base_url)
        _warm_up(client)
        barrier.wait()
        return chat(base_url, client=client, **arguments)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def chat_cued(base_url: str, plan: list[tuple[dict, Cue]], *, time_limit: float = SDK_TIME_LIMIT) -> list[SdkCall]:
    """One :func:`chat` per ``(arguments, cue)`` (``arguments["user"]`` names the client), each from its own thread
    and client (made and warmed up beforehand), sent on its cue as :func:`harness.clients.streams.stream_cued`
    sends: ``delay`` seconds after the start, or once another client's stream has ``chunks`` chunks. The clients
    do not retry (the openai client's default is 2 retries after a 500, which would send the request again)."""
    barrier = threading.Barrier(len(plan))
    cues = {(cue.client, cue.chunks): threading.Event() for _, cue in plan if cue.client}

    def progressed(outcome: SdkCall) -> None:
        event = cues.get((outcome.arguments.get("user", ""), len(outcome.chunks)))
        if event:
            event.set()

    def one(arguments: dict, cue: Cue) -> SdkCall:
        client = client_for(base_url).with_options(max_retries=0)
        _warm_up(client)
        barrier.wait()
        if cue.client:
            if not cues[(cue.client, cue.chunks)].wait(time_limit):
                raise NoAnswerInTime(f"{arguments.get('user')} was to ask once {cue.client} had {cue.chunks} "
                                     f"chunk(s), which did not happen within {time_limit:g} s")
        else:
            time.sleep(cue.delay)
        outcome = chat(base_url, client=client, on_chunk=progressed, **arguments)
        for (waited_for, _), event in cues.items():  # a stream that ended short releases who waited for it
            if waited_for == arguments.get("user"):
                event.set()
        return outcome

    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        return list(pool.map(lambda item: one(*item), plan))


def _warm_up(client: openai.OpenAI) -> None:
    """One small request (its answer does not matter) so that the client's connection and first-call work are
    done before a race starts: on a loaded machine they take hundreds of milliseconds."""
    try:
        client.with_options(max_retries=0).get("/models", cast_to=httpx.Response)
    except sdk().APIError:
        pass


def embed(base_url: str, **arguments) -> SdkCall:
    """``client.embeddings.create(**arguments)``."""

    def run(outcome: SdkCall) -> None:
        outcome.result = client_for(base_url).embeddings.create(**arguments)

    return _called("embeddings.create", arguments, run)


def streamed_text(outcome: SdkCall, choice: int = 0) -> str:
    """The text of one choice of a stream, as a user joins it from the deltas."""
    return "".join(
        c.delta.content or "" for _, chunk in outcome.chunks for c in chunk.choices if c.index == choice)
