"""Start the servers that the next scenarios will ask for while the current one runs.

Starting a LitServe server costs 1.5 to 3 seconds, most of it Python imports in three
processes, and a default run starts dozens. :func:`plan_servers` finds out, before the run,
which shared server each scenario's Given steps will ask for: it runs every Given whose code
calls ``start_app`` (or ``start_twin``) against a :class:`PlanningContext`, on which
``start_app`` raises :class:`PlannedStart` with the server's spec instead of starting it. Steps
that do anything else are not run. :class:`Prestarter` then asks the pool to start the servers
of the next scenarios in the background (two at a time: one per core), so that a scenario
usually finds its server ready. Servers of ``@fixture.fresh_server`` scenarios are never
started ahead, and nothing is started ahead of a scenario that measures performance or load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from harness.serving.launcher import ServerSpec

#: Scenarios with these tags measure: no server starts beside them.
MEASURING_TAGS = {"performance", "load", "soak"}
#: How many scenarios ahead servers are started.
LOOKAHEAD = 2
#: The names a Given's code must use for it to be run while planning (it then starts a server, and only that).
STARTER_NAMES = {"start_app", "start_twin"}


class PlannedStart(Exception):
    """Raised by ``start_app`` on a :class:`PlanningContext`: the server this step would start."""

    def __init__(self, spec: ServerSpec, fresh: bool) -> None:
        super().__init__(spec.label)
        self.spec, self.fresh = spec, fresh


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


def _starts_servers(func: Callable) -> bool:
    return bool(STARTER_NAMES & set(func.__code__.co_names))


def plan_servers(scenario, step_registry) -> list[tuple[ServerSpec, str]]:
    """The shared servers (spec, asking step's key) that ``scenario``'s Given steps will ask for, in order."""
    from harness.serving.plan import step_key

    fresh = "fixture.fresh_server" in scenario.effective_tags
    planned: list[tuple[ServerSpec, str]] = []
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
            if not start.fresh:
                planned.append((start.spec, step_key(step)))
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
        self._planned = [plan_servers(s, step_registry) if enabled else [] for s in self._scenarios]

    def ahead_of(self, scenario) -> None:
        """``scenario`` is about to run: start the servers of the next :data:`LOOKAHEAD` scenarios."""
        index = self._index.get(id(scenario))
        if not self.enabled or index is None:
            return
        if self._measures(scenario):
            self.pool.wait_for_starts()
            return
        for later in range(index + 1, min(index + 1 + LOOKAHEAD, len(self._scenarios))):
            if self._measures(self._scenarios[later]):
                break
            for spec, asked_by in self._planned[later]:
                self.pool.start_ahead(spec, asked_by)

    @staticmethod
    def _measures(scenario) -> bool:
        return bool(MEASURING_TAGS & set(scenario.effective_tags))
