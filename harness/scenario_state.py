"""What a scenario keeps between its steps, declared in one place.

``before_scenario`` calls :func:`declare` so that every step reads and writes these attributes
directly (``context.exchanges``), never through ``getattr(context, ..., None)`` guesses. behave
drops them when the scenario ends. A new kind of state gets a line here, with what it holds.
"""

from __future__ import annotations

from typing import Any

from harness.perf.load_report import LoadRecord


def declare(context: Any) -> None:
    """Give ``context`` the empty scenario state."""
    # -- servers
    context.server = None               # RunningServer: the server the last Given started (or singled out)
    context.servers_used = []           # every RunningServer the scenario used (logs attached on failure)
    context.fresh_servers = None        # list[RunningServer] under @fixture.fresh_server, else None (shared pool)
    # -- what the last When produced
    context.exchanges = []              # list[Exchange]: requests and their answers
    context.transcripts = []            # list[StreamTranscript]: streams as the clients read them
    context.sdk_calls = []              # list[SdkCall]: calls of the official openai client (harness/clients/openai_sdk.py)
    context.named_client = None         # str: the client a step singled out ("client-2")
    # -- clients that left, watches of a server's health or worker
    context.abandoned = None            # AbandonedStream / AbandonedRequest of a client that gave up
    context.abandoned_total = 0         # chunks the abandoned stream would have had
    context.health_watch = None         # HealthWatch of a server watched from its start
    context.killed_worker = None        # pid of the inference worker a step killed
    context.killed_at = 0.0             # time.monotonic() when it was killed
    context.victim = {}                 # outcome of the request in flight when its worker was killed
    context.surviving_workers = []      # pids of the inference workers not killed (one of several killed)
    # -- continuous batching (steps/continuous_batching.py)
    context.cb_steps = []               # list[dict]: the toy LLM's step traces during the last When
    context.idle_cpu = 0.0              # CPU cores the server tree used while it had nothing to do
    # -- monitoring
    context.metrics_before = None       # Scrape: the server's metrics before the scenario's requests
    # -- performance
    context.measured = []               # list[Measured]: load points measured by this scenario
    # -- production-shaped load (steps/load.py)
    context.load = LoadRecord()          # LoadRecord: the scenario's Locust runs, figures, server-tree readings
    context.under_load = []             # list[Target]: the servers the load goes to (suite's or -D target)
    context.burst_end = 0.0             # seconds into the burst run when the burst ended
    context.idle_footprint = None       # Footprint of the server tree before the load (median of 3 readings)
    context.load_finished_at = 0.0      # time.monotonic() when the last load run ended
    context.echo = None                 # EchoResult of the last large request
    context.big_stream = None           # BigStream of the last stream of large chunks
