"""Every scenario has one stable id tag, ``@id.<feature-slug>.<scenario-slug>``, unique in the suite."""

from __future__ import annotations

import re

from behave.parser import parse_file

from harness.paths import REPO_ROOT

ID = re.compile(r"id\.([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)")


def test_every_scenario_has_one_unique_id_named_after_its_feature():
    seen: dict[str, str] = {}
    problems = []
    for path in sorted((REPO_ROOT / "features").glob("*.feature")):
        feature = parse_file(str(path))
        slug = path.stem.replace("_", "-")
        for scenario in feature.scenarios:
            where = f"{path.name}:{scenario.line} {scenario.name!r}"
            ids = [tag for tag in scenario.tags if tag.startswith("id.")]
            for examples in getattr(scenario, "examples", []):
                ids += [tag for tag in examples.tags if tag.startswith("id.")]
            if not any(tag in scenario.tags for tag in ids):
                problems.append(f"{where}: no @id. tag")
            for tag in ids:
                match = ID.fullmatch(tag)
                if not match or match[1] != slug:
                    problems.append(f"{where}: @{tag} is not @id.{slug}.<lowercase-dashes>")
                elif tag in seen:
                    problems.append(f"{where}: @{tag} is also on {seen[tag]}")
                seen[tag] = where
    assert problems == []
