"""Start the servers that the next scenarios will ask for while the current one runs.

Starting a LitServe server costs 1.5 to 3 seconds, most of it Python imports in three
processes, and a default run starts dozens. :func:`plan_servers` finds out, before the run,
which servers each scenario's Given steps will ask for: it runs every Given whose code
calls ``start_server`` (or ``start_app``, ``start_twin``, ``start_fresh_app_unready``) against a :class:`PlanningContext`, on which
``start_app`` raises :class:`PlannedStart` with the server's spec instead of starting it. Steps
that do anything else are not run. :class:`Prestarter` then asks the pool to start the servers
of the coming scenarios in the background (two at a time: one per core), the shared ones and
the fresh ones of ``@fixture.fresh_server`` scenarios alike, so that a scenario usually finds
its server ready. It looks ahead by servers, not by scenarios (many scenarios take a few
milliseconds): at most :data:`SERVERS_AHEAD` servers wait, started or starting, for the scenario
that will use them, since an idle server is not free. Nothing is started ahead of, or beside, a
scenario that measures performance or load. The plan is made even when starting ahead is off: the pool
learns from it which shared servers the run will ask for (``ServerPool.expect``), so that one server with an
extra such as metrics serves the scenarios that do not ask for it, whatever their order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from harness.serving.launcher import ServerSpec

#: Scenarios with these tags measure: no server starts beside them.
MEASURING_TAGS = {"performance", "load", "soak"}
#: How many servers, at most, are started ahead and wait for their scenario. An idle LitServe server costs about
#: 0.5 % of a core and 200 MB (RSS of its 5 processes); 12 let the slower features bank servers for the quick ones that follow (in side-by-side
#: default runs, 12 ahead were 1 to 4 s faster than 5 ahead, and 3 starts at once no faster than 2).
SERVERS_AHEAD = 12
#: How many scenarios ahead, at most, are looked at for servers to start.
SCENARIOS_AHEAD = 40
#: The names a Given's code must use for it to be run while planning (it then starts a server, and only that).
STARTER_NAMES = {"start_server", "start_app", "start_twin", "start_fresh_app_unready"}


class PlannedStart(Exception):
    """Raised by ``start_app`` (and ``start_fresh_app_unready``) on a :class:`PlanningContext`: the server this
    step would start."""

    def __init__(self, spec: ServerSpec, fresh: bool, ready: bool = True) -> None:
        super().__init__(spec.label)
        self.spec, self.fresh, self.ready = spec, fresh, ready


@dataclass
class _PlannedServer:
    spec: ServerSpec


@dataclass
class PlanningContext:
    """What a Given step sees while the run is planned (no pool: nothing is started)."""

    current_step: Any
    fresh_servers: list | None
    server: _PlannedServer | None = None
    servers_used: list = field(default_factory=list)
    table: Any = None
    text: str | None = None


def is_measuring(scenario) -> bool:
    """Whether ``scenario`` measures performance or load (:data:`MEASURING_TAGS`)."""
    return bool(MEASURING_TAGS & set(scenario.effective_tags))


def _starts_servers(func: Callable) -> bool:
    return bool(STARTER_NAMES & set(func.__code__.co_names))


@dataclass(frozen=True)
class PlannedServer:
    """A server a scenario's Given steps will ask for: shared (asked for by ``asked_by``) or fresh,
    and then either ready or only launched (``ready=False``: the scenario watches it come up)."""

    spec: ServerSpec
    asked_by: str
    fresh: bool
    ready: bool = True


def plan_servers(scenario, step_registry) -> list[PlannedServer]:
    """The servers that ``scenario``'s Given steps will ask for, in order."""
    from harness.serving.plan import step_key

    fresh = "fixture.fresh_server" in scenario.effective_tags
    planned: list[PlannedServer] = []
    server = None
    for step in scenario.all_steps:
        if step.step_type != "given":
            continue
        match = step_registry.find_match(step)
        if match is None or not _starts_servers(match.func):
            continue
        context = PlanningContext(step, [] if fresh else None, server, table=step.table, text=step.text)
        args = [a.value for a in match.arguments if a.name is None]
        kwargs = {a.name: a.value for a in match.arguments if a.name is not None}
        try:
            match.func(context, *args, **kwargs)
        except PlannedStart as start:
            server = _PlannedServer(start.spec)
            planned.append(PlannedServer(start.spec, step_key(step), start.fresh, start.ready))
        except Exception:  # a step that cannot be planned starts its server when it runs, as without planning
            break
    return planned


class Prestarter:
    """Starts, in the pool's background, the servers of the scenarios after the current one."""

    def __init__(self, pool, scenarios: Iterable, step_registry, enabled: bool = True) -> None:
        self.pool = pool
        self.enabled = enabled
        self._scenarios = list(scenarios)
        self._index = {id(s): i for i, s in enumerate(self._scenarios)}
        self._planned = [plan_servers(s, step_registry) for s in self._scenarios]
        self._measuring = [is_measuring(s) for s in self._scenarios]
        pool.expect((planned.spec, planned.asked_by) for plan in self._planned for planned in plan if not planned.fresh)
        self._fresh_started: set[tuple[int, int]] = set()  # (scenario, position) of fresh servers started ahead

    def ahead_of(self, scenario) -> None:
        """``scenario`` is about to run: start the servers of the coming scenarios, up to :data:`SERVERS_AHEAD`,
        its own first if they have not been started yet (the first scenario's, one after a measuring one)."""
        index = self._index.get(id(scenario))
        if not self.enabled or index is None:
            return
        self.pool.discard_fresh_ahead(owners_before=index)
        if self._measuring[index]:
            self.pool.wait_for_starts()
            return
        first = index + 1 if getattr(scenario, "should_skip", False) else index  # a skipped one starts nothing
        for later in range(first, min(index + 1 + SCENARIOS_AHEAD, len(self._scenarios))):
            if self._measuring[later]:
                break
            for position, planned in enumerate(self._planned[later]):
                if self.pool.started_ahead() >= SERVERS_AHEAD:
                    return
                if not planned.fresh:
                    self.pool.start_ahead(planned.spec, planned.asked_by)
                elif (later, position) not in self._fresh_started:
                    self._fresh_started.add((later, position))
                    self.pool.start_fresh_ahead(planned.spec, owner=later, wait_until_ready=planned.ready)
