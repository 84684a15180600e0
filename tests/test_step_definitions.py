"""The step definitions as behave sees them: every step of every feature defined, no definition unused,
and the parameter types read the sentences they are written for (and nothing else)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import REPO_ROOT, pythonpath_with_repo

sys.path.insert(0, str(REPO_ROOT / "steps"))
import parameter_types  # noqa: E402  (a step module: importable once steps/ is on the path)


def test_every_step_is_defined_and_every_definition_used(tmp_path):
    # every tag, the opt-in ones included: a --tags on the command line replaces behave.ini's default_tags.
    # Run from an empty folder, away from behave.ini: its Allure formatter would add a skipped result per
    # scenario to reports/allure-results (hooks do not run in a dry run, so nothing empties it first).
    env = {**os.environ, "PYTHONPATH": pythonpath_with_repo(os.environ.get("PYTHONPATH"))}
    run = subprocess.run([sys.executable, "-m", "behave", "--dry-run", "--no-summary", "-f", "steps.usage",
                          "--tags=not @no_such_tag", str(REPO_ROOT / "features")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert list(tmp_path.iterdir()) == [], f"the dry run wrote files: {list(tmp_path.iterdir())}"
    output = run.stdout + run.stderr
    for problem in ("UNDEFINED STEPS", "UNUSED STEP DEFINITIONS", "Traceback"):
        assert problem not in output, f"behave --dry-run -f steps.usage reports {problem}:\n{output[-4000:]}"


def _parsed(type_name: str, text: str):
    converter = getattr(parameter_types, f"parse_{type_name}")
    import parse
    result = parse.parse("{value:T}", text, extra_types={"T": converter})
    return None if result is None else result["value"]


@pytest.mark.parametrize("type_name, text, value", [
    ("counts", "1, 8 and 32", [1, 8, 32]),
    ("counts", "1 and 8", [1, 8]),
    ("counts", "4", [4]),
    ("api_key", "no API key", {}),
    ("api_key", 'the API key "s3cret"', {"X-API-Key": "s3cret"}),
    ("mistake", "an empty body", "an empty body"),
    ("mistake", "a body of 300 bytes", "a body of 300 bytes"),
    ("client", "client-2", "client-2"),
    ("addressee", "client-2's stream", parameter_types.Addressee("client-2", stream=True)),
    ("addressee", "the first client", parameter_types.Addressee("", stream=False)),
    ("chat_way", "streamed on the wire", parameter_types.ChatWay(streaming=True, through_openai_client=False)),
    ("chat_way", "without streaming, through the openai client",
     parameter_types.ChatWay(streaming=False, through_openai_client=True)),
])
def test_parameter_types_read_their_sentences(type_name, text, value):
    assert _parsed(type_name, text) == value


@pytest.mark.parametrize("type_name, text", [
    ("counts", "one and eight"),
    ("api_key", "the key s3cret"),
    ("mistake", "a body of many bytes"),
    ("client", "the client"),
    ("addressee", "somebody"),
    ("chat_way", "streamed through curl"),
])
def test_a_badly_written_parameter_matches_no_step(type_name, text):
    assert _parsed(type_name, text) is None
