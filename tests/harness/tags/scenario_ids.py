"""Every scenario's @id. tags, read from features/ (for the tests that keep names honest)."""

from __future__ import annotations

from functools import lru_cache

from behave.parser import parse_file

from harness.paths import REPO_ROOT
from harness.tags.outcomes import scenario_ids


@lru_cache(maxsize=1)
def scenarios_by_id() -> dict[str, list[str]]:
    """id -> the scenarios (``path: name``) that carry it (an outline's id is carried by each of its rows)."""
    found: dict[str, list[str]] = {}
    for path in sorted((REPO_ROOT / "features").glob("*.feature")):
        feature = parse_file(str(path))
        for scenario in feature.walk_scenarios() if feature else []:
            for scenario_id in scenario_ids(scenario.effective_tags):
                found.setdefault(scenario_id, []).append(f"{path.name}: {scenario.name}")
    return found


def all_scenario_ids() -> set[str]:
    return set(scenarios_by_id())
