"""The ``-D`` options: parsed once into one typed object, a clear error for every bad value."""

from __future__ import annotations

import dataclasses

import pytest

from harness.options import BadOption, SuiteOptions, parse


def test_no_options_gives_the_defaults():
    assert parse({}) == SuiteOptions()
    assert parse({}).start_ahead and parse({}).soak_minutes == 3


def test_values_are_typed():
    options = parse({"start_ahead": "no", "target": "http://127.0.0.1:8000/", "target_body": '{"input": 4}',
                     "load_scale": "2.5", "load_processes": "2", "soak_minutes": "30"})
    assert options == SuiteOptions(False, "http://127.0.0.1:8000", False, {"input": 4}, 2.5, 2, 30.0)
    assert parse({"verdict_file": "/tmp/v.json"}).verdict_file == "/tmp/v.json"
    assert options.seconds(4) == 10


def test_the_object_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse({}).soak_minutes = 1  # type: ignore[misc]


@pytest.mark.parametrize("name, value, message", [
    ("soak_minutes", "abc", "-D soak_minutes=abc: expected a number of minutes"),
    ("soak_minutes", "-1", "-D soak_minutes=-1: expected a positive number of minutes"),
    ("load_scale", "0", "-D load_scale=0: expected a positive number of times"),
    ("load_processes", "two", "-D load_processes=two: expected a whole number"),
    ("start_ahead", "off", "-D start_ahead=off: expected yes or no"),
    ("target", "127.0.0.1", "-D target=127.0.0.1: expected a URL like http://127.0.0.1:8000"),
    ("target_body", "[3]", "-D target_body=[3]: expected a JSON object"),
    ("target", "http://10.1.2.3:8000", "not on this machine; add -D allow_remote_target=yes"),
])
def test_a_bad_value_says_what_to_write(name, value, message):
    with pytest.raises(BadOption) as caught:
        parse({name: value})
    assert message in str(caught.value)


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(BadOption, match=r"unknown -D option\(s\) \['soak_minute'\].*'soak_minutes'"):
        parse({"soak_minute": "30"})


def test_a_remote_target_with_permission_and_the_skip_reason():
    options = parse({"target": "http://10.1.2.3:8000", "allow_remote_target": "yes"})
    assert options.target == "http://10.1.2.3:8000"
    assert options.skip_reason(["instrumented"]).startswith("needs the suite's own")
    assert parse({}).skip_reason(["instrumented"]) == ""
