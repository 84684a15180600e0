"""Give a scenario the server it asks for: shared from the pool, or its own under ``@fixture.fresh_server``."""

from __future__ import annotations

import os

from harness.serving.launcher import RunningServer, ServerSpec
from harness.serving.plan import step_key
from servers.settings import AppSettings

#: Set by the self-check to run every server of the run with one injected LitServe fault.
FAULT_VARIABLE = "LITSERVE_SUITE_FAULT"


def start_app(context, app: str, **settings) -> RunningServer:
    """Make ``context.server`` a running ``app`` with ``settings`` (see :class:`servers.settings.AppSettings`)."""
    spec = ServerSpec(app, AppSettings.from_dict(settings), fault=os.environ.get(FAULT_VARIABLE, ""))
    fresh = getattr(context, "fresh_servers", None)
    if fresh is not None:
        server = context.server_pool.fresh(spec)
        fresh.append(server)
    else:
        server = context.server_pool.shared(spec, asked_by=step_key(context.current_step))
    context.server = server
    context.servers_used.append(server)
    return server


def settings_from_table(table) -> dict[str, str]:
    """A two-column table ``| setting | value |`` as a dict; a malformed table fails with a clear message."""
    if table is None:
        raise ValueError('this step needs a table with the columns "setting" and "value"')
    if list(table.headings) != ["setting", "value"]:
        raise ValueError(f'the settings table must have the columns "setting" and "value", not {list(table.headings)}')
    return {row["setting"]: row["value"] for row in table}


def start_fresh_app_unready(context, app: str, **settings) -> RunningServer:
    """Start a server of the scenario's own and return at once, before it is ready.

    For scenarios that watch a server come up, or use one that never reports healthy; they
    must be tagged ``@fixture.fresh_server`` (the server is stopped when the scenario ends).
    """
    fresh = getattr(context, "fresh_servers", None)
    if fresh is None:
        raise ValueError("this step starts a server that may never report ready; "
                         "tag the scenario @fixture.fresh_server")
    spec = ServerSpec(app, AppSettings.from_dict(settings), fault=os.environ.get(FAULT_VARIABLE, ""))
    server = context.server_pool.fresh(spec, wait_until_ready=False)
    fresh.append(server)
    context.server = server
    context.servers_used.append(server)
    return server
