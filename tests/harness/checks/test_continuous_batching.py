"""The checks on steps that made no token (a sequence still thinking) read the toy LLM's step traces right."""

from __future__ import annotations

import pytest

from harness.checks import continuous_batching as cb


def _step(number: int, members=(), quiet=(), outputs=None, first=()) -> dict:
    return {"step": number, "members": list(members), "first_tokens": list(first), "left": [], "quiet": list(quiet),
            "outputs": len(members) if outputs is None else outputs, "produced_at": float(number)}


STEPS = [_step(1, quiet=["client-1"]), _step(2, quiet=["client-1"]),
         _step(3, members=["client-2"], quiet=["client-1"], first=["client-2"]),
         _step(4, members=["client-1"], first=["client-1"])]


def test_empty_steps_while_thinking_are_counted():
    cb.thought_in_empty_steps(STEPS, "client-1", 2)
    with pytest.raises(AssertionError, match="only 2 step"):
        cb.thought_in_empty_steps(STEPS, "client-1", 3)


def test_a_step_that_returned_outputs_is_not_empty_even_with_no_member():
    steps = [_step(1, quiet=["client-1"], outputs=1)]  # e.g. an error output for another sequence
    with pytest.raises(AssertionError, match="only 0 step"):
        cb.thought_in_empty_steps(steps, "client-1", 1)


def test_a_client_joining_while_another_thinks():
    cb.joined_while_thinking(STEPS, "client-2", "client-1")
    late = STEPS[:2] + [_step(3, members=["client-1", "client-2"], first=["client-1", "client-2"])]
    with pytest.raises(AssertionError, match="did not get tokens while client-1 was thinking"):
        cb.joined_while_thinking(late, "client-2", "client-1")
