"""Give a scenario the server it asks for: shared from the pool, or its own under ``@fixture.fresh_server``."""

from __future__ import annotations

import os

from harness.serving.launcher import RunningServer, ServerSpec
from harness.serving.plan import step_key
from harness.serving.prestart import PlannedStart, PlanningContext
from servers.settings import AppSettings

#: Set by the self-check to run every server of the run with one injected LitServe fault.
FAULT_VARIABLE = "LITSERVE_SUITE_FAULT"


def start_app(context, app: str, **settings) -> RunningServer:
    """Make ``context.server`` a running ``app`` with ``settings`` (see :class:`servers.settings.AppSettings`)."""
    spec = ServerSpec(app, AppSettings.from_dict(settings), fault=os.environ.get(FAULT_VARIABLE, ""))
    fresh = context.fresh_servers
    if isinstance(context, PlanningContext):
        raise PlannedStart(spec, fresh=fresh is not None)
    if fresh is not None:
        server = context.server_pool.fresh(spec)
        fresh.append(server)
    else:
        server = context.server_pool.shared(spec, asked_by=step_key(context.current_step))
    context.server = server
    context.servers_used.append(server)
    return server


def start_fresh_app_unready(context, app: str, **settings) -> RunningServer:
    """Start a server of the scenario's own and return at once, before it is ready.

    For scenarios that watch a server come up, or use one that never reports healthy; they
    must be tagged ``@fixture.fresh_server`` (the server is stopped when the scenario ends).
    Its ``/health`` answers are recorded from launch (``watch.watch_health`` reads them), so it
    can be launched ahead of the scenario like any other.
    """
    fresh = context.fresh_servers
    if fresh is None:
        raise ValueError("this step starts a server that may never report ready; "
                         "tag the scenario @fixture.fresh_server")
    spec = ServerSpec(app, AppSettings.from_dict(settings), fault=os.environ.get(FAULT_VARIABLE, ""))
    if isinstance(context, PlanningContext):
        raise PlannedStart(spec, fresh=True, ready=False)
    server = context.server_pool.fresh(spec, wait_until_ready=False)
    fresh.append(server)
    context.server = server
    context.servers_used.append(server)
    return server
