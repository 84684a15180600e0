"""Look ahead in the run to stop shared servers as soon as no later scenario needs them.

Idle LitServe servers are not free: an idle batching worker polls its queue and costs about
a sixth of a core, a batching worker with a window of 0 spins a whole core. On a 2-core
machine a dozen idle servers would slow every later scenario. So the plan records, for each
scenario of the run, the text of its steps; a shared server is remembered with the text of
the step that asked for it, and is stopped after the last scenario that has that step.
"""

from __future__ import annotations

from typing import Iterable


def step_key(step) -> str:
    """The step's text with its table: the same key always asks for the same server."""
    rows = []
    if getattr(step, "table", None) is not None:
        rows = [" | ".join(step.table.headings)] + [" | ".join(row.cells) for row in step.table]
    return "\n".join([step.name, *rows])


class ServerPlan:
    """The scenarios of the run, in order, with the step keys each one has."""

    def __init__(self, scenarios: Iterable) -> None:
        self.scenarios = list(scenarios)
        self._order: dict[int, int] = {}
        self._keys: list[set[str]] = []
        for index, scenario in enumerate(self.scenarios):
            self._order[id(scenario)] = index
            self._keys.append({step_key(step) for step in scenario.all_steps})

    @classmethod
    def for_run(cls, features: Iterable, config=None) -> "ServerPlan":
        scenarios = [
            scenario
            for feature in features
            for scenario in feature.walk_scenarios()
            if config is None or scenario.should_run(config)
        ]
        return cls(scenarios)

    def needed_after(self, scenario) -> set[str] | None:
        """Step keys of the scenarios after ``scenario``; None if the scenario is not in the plan."""
        index = self._order.get(id(scenario))
        if index is None:
            return None
        needed: set[str] = set()
        for keys in self._keys[index + 1:]:
            needed |= keys
        return needed
