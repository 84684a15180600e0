"""The declared scenario state: one typed structure, fresh for every scenario, load state in its record."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

from harness.load.report import LoadRecord
from harness.scenario_state import ScenarioState, declare


def test_declare_gives_every_field_its_empty_value_and_fresh_containers():
    first, second = SimpleNamespace(), SimpleNamespace()
    declare(first)
    declare(second)
    assert set(vars(first)) == {f.name for f in fields(ScenarioState)}
    first.exchanges.append("x")
    first.load.figures["a"] = 1
    assert second.exchanges == [] and second.load.figures == {}
    assert isinstance(second.load, LoadRecord) and second.server is None


def test_the_load_features_keep_their_state_in_the_load_record():
    names = {f.name for f in fields(ScenarioState)}
    assert not names & {"under_load", "burst_end", "idle_footprint", "load_finished_at", "echo", "big_stream"}
    record = {f.name for f in fields(LoadRecord)}
    assert {"targets", "burst_end", "idle_footprint", "finished_at", "echo", "big_stream"} <= record
