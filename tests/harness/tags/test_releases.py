"""Release numbers and the @litserve.since / @litserve.until tags: each names a declared capability, whose
range it agrees with, so a skipped scenario says why."""

from __future__ import annotations

import pytest
from behave.parser import parse_file

from harness.paths import REPO_ROOT
from harness.tags.releases import CAPABILITIES, not_applicable_reason, parse, release_tag


def test_release_numbers():
    assert parse("0.2.19") > parse("0.2.9") > parse("0.2.0")
    assert parse("0.2.20.dev1") == (0, 2, 20)
    with pytest.raises(ValueError):
        parse("latest")


def test_a_skip_says_which_release_and_capability_the_scenario_needs():
    assert not_applicable_reason(["litserve.since:0.2.17.restart_workers"], "0.2.16") == (
        "needs LitServe >= 0.2.17: restart_workers (LitServer(restart_workers=True) (PR #624))")
    assert not_applicable_reason(["litserve.since:0.2.17.restart_workers"], "0.2.17") == ""
    tags = ["litserve.since:0.2.6.info_whole_server", "litserve.until:0.2.11.info_whole_server"]
    assert not_applicable_reason(tags, "0.2.6") == ""
    assert not_applicable_reason(tags, "0.2.12").startswith("applies up to LitServe 0.2.11: info_whole_server (")
    assert not_applicable_reason(["litserve.since:0.2.6"], "0.2.5") == "needs LitServe >= 0.2.6"
    assert not_applicable_reason(["critical", "id.x.y"], "0.2.19") == ""


def test_an_unknown_capability_or_a_malformed_tag_is_refused_saying_what_to_do():
    with pytest.raises(LookupError, match="declare it in harness/tags/releases.py"):
        release_tag("litserve.since:0.2.17.restart_worker")
    with pytest.raises(ValueError, match="expected @litserve.since:0.2.N.<capability>"):
        release_tag("litserve.since:soon")


def test_every_release_tag_in_the_features_agrees_with_its_capability():
    problems = []
    for path in sorted((REPO_ROOT / "features").glob("*.feature")):
        feature = parse_file(str(path))
        for owner in [feature, *feature.walk_scenarios()]:
            for tag in owner.tags:
                found = release_tag(tag)
                if found and found[2] is not None:
                    kind, version, capability = found
                    declared = capability.since if kind == "since" else capability.until
                    if declared != version:
                        problems.append(f"{path.name}: @{tag}, but {capability.name} is {kind} {declared}")
    assert problems == []


def test_every_capability_is_used():
    used = set()
    for path in (REPO_ROOT / "features").glob("*.feature"):
        feature = parse_file(str(path))
        for owner in [feature, *feature.walk_scenarios()]:
            used |= {found[2].name for found in map(release_tag, owner.tags) if found and found[2]}
    assert sorted(set(CAPABILITIES) - used) == []
