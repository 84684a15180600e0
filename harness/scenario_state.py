"""What a scenario keeps between its steps, declared in one typed structure.

``before_scenario`` calls :func:`declare`, which gives ``context`` one attribute per field of
:class:`ScenarioState`, set to its empty value, so that every step reads and writes them directly
(``context.exchanges``), never through ``getattr(context, ..., None)`` guesses. behave drops them
when the scenario ends. A new kind of state gets a field here, typed, with what it holds; the load
features keep theirs inside one :class:`harness.load.report.LoadRecord` (``context.load``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from harness.load.report import LoadRecord

if TYPE_CHECKING:
    from harness.checks.continuous_batching import ChatAnswer
    from harness.clients.http import Exchange
    from harness.clients.metrics import Scrape
    from harness.clients.misbehaving import Abandoned
    from harness.clients.openai_sdk import SdkCall
    from harness.clients.streams import StreamTranscript
    from harness.performance.figures import Measured
    from harness.serving.launcher import RunningServer
    from harness.serving.watch import HealthWatch


@dataclass
class ScenarioState:
    """Every per-scenario ``context`` attribute, with its type and empty value."""

    # -- servers
    server: RunningServer | None = None                  # the server the last Given started (or singled out)
    servers_used: list[RunningServer] = field(default_factory=list)   # every server used (logs attached on failure)
    fresh_servers: list[RunningServer] | None = None     # under @fixture.fresh_server, else None (shared pool)
    # -- what the last When produced
    exchanges: list[Exchange] = field(default_factory=list)            # requests and their answers
    transcripts: list[StreamTranscript] = field(default_factory=list)  # streams as the clients read them
    sdk_calls: list[SdkCall] = field(default_factory=list)  # calls of the official openai client
    named_client: str | None = None                      # the client a step singled out ("client-2")
    # -- clients that left, watches of a server's health or worker
    abandoned: Abandoned | None = None                   # what a client that gave up saw
    abandoned_total: int = 0                             # chunks the abandoned stream would have had
    health_watch: HealthWatch | None = None              # a server's health watched from its start
    killed_worker: int | None = None                     # pid of the inference worker a step killed
    killed_at: float = 0.0                               # time.monotonic() when it was killed
    victim: dict[str, Any] = field(default_factory=dict)  # outcome of the request in flight when its worker was killed
    surviving_workers: list[int] = field(default_factory=list)   # pids of the inference workers not killed
    # -- continuous batching (steps/continuous_batching.py)
    cb_steps: list[dict] = field(default_factory=list)   # the toy LLM's step traces during the last When
    cb_chats: list[ChatAnswer] = field(default_factory=list)  # what its clients got behind the OpenAI-compatible API
    idle_cpu: float = 0.0                                # CPU cores the server tree used while it had nothing to do
    # -- monitoring
    metrics_before: Scrape | None = None                 # the server's metrics before the scenario's requests
    # -- performance
    measured: list[Measured] = field(default_factory=list)   # load points measured by this scenario
    # -- production-shaped load (steps/load.py): servers, runs, figures, readings, large payloads
    load: LoadRecord = field(default_factory=LoadRecord)


def declare(context: Any) -> None:
    """Give ``context`` the empty scenario state, one attribute per field of :class:`ScenarioState`."""
    state = ScenarioState()
    for item in fields(state):
        setattr(context, item.name, getattr(state, item.name))
