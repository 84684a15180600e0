"""Give a scenario the server it asks for: shared from the pool, or its own under ``@fixture.fresh_server``.

Every Given that starts a server goes through :func:`start_server` (a sentence read by
``harness/serving/traits.py``), :func:`start_app` or :func:`start_fresh_app_unready` (an app and its
settings by name); on the planning context of ``harness/serving/prestart.py`` they raise
:class:`PlannedStart` instead of starting anything.
"""

from __future__ import annotations

import dataclasses
import os

from harness.serving.launcher import RunningServer, ServerSpec
from harness.serving.plan import step_key
from harness.serving.prestart import PlannedStart, PlanningContext
from harness.serving.traits import ServerWanted
from servers import catalog

#: Set by the self-check to run every server of the run with one injected LitServe fault.
FAULT_VARIABLE = "LITSERVE_SUITE_FAULT"


def start_server(context, wanted: ServerWanted) -> RunningServer:
    """Start the server a Given describes (``{server:Server}``): its app with the settings of its phrase and traits.

    "the same model" is the app of the scenario's last server with its settings and these traits. A server
    watched from its start, or one that reports itself unhealthy (it never becomes ready), is the scenario's
    own, returned as soon as it is launched.
    """
    try:
        settings = wanted.settings_or_raise()
        if wanted.app is None:
            first = context.server
            if first is None:
                raise ValueError(f'{wanted.text!r} needs a server started by an earlier Given step')
            app = catalog.app_named(first.spec.app)
            spec = _spec(first.spec.app, app.check(dataclasses.replace(first.spec.settings, **settings)))
        else:
            spec = _spec(wanted.app, catalog.settings_for(wanted.app, settings))
    except ValueError as error:
        raise ValueError(f"{wanted.text!r}: {error}") from None
    if wanted.watched or not spec.settings.reports_ready:
        return _start(context, spec, ready=False)
    return _start(context, spec)


def start_app(context, app: str, **settings) -> RunningServer:
    """Make ``context.server`` a running ``app`` with ``settings`` (see :class:`servers.settings.AppSettings`)."""
    return _start(context, _spec(app, catalog.settings_for(app, settings)))


def start_fresh_app_unready(context, app: str, **settings) -> RunningServer:
    """Start a server of the scenario's own and return at once, before it is ready.

    For scenarios that watch a server come up, or use one that never reports healthy; they
    must be tagged ``@fixture.fresh_server`` (the server is stopped when the scenario ends).
    Its ``/health`` answers are recorded from launch (``watch.watch_health`` reads them), so it
    can be launched ahead of the scenario like any other.
    """
    return _start(context, _spec(app, catalog.settings_for(app, settings)), ready=False)


def _spec(app: str, settings) -> ServerSpec:
    return ServerSpec(app, settings, fault=os.environ.get(FAULT_VARIABLE, ""))


def _start(context, spec: ServerSpec, ready: bool = True) -> RunningServer:
    fresh = context.fresh_servers
    if not ready and fresh is None:
        raise ValueError("this step starts a server that may never report ready; "
                         "tag the scenario @fixture.fresh_server")
    if isinstance(context, PlanningContext):
        raise PlannedStart(spec, fresh=fresh is not None, ready=ready)
    if fresh is not None:
        server = context.server_pool.fresh(spec, wait_until_ready=ready)
        fresh.append(server)
    else:
        server = context.server_pool.shared(spec, asked_by=step_key(context.current_step))
    context.server = server
    context.servers_used.append(server)
    return server
