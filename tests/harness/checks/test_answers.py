"""Answer checks (own squares) and exchange timing on known exchanges."""

from __future__ import annotations

import json

import pytest

from harness.checks import answers
from harness.clients.http import Exchange

URL = "http://127.0.0.1:9/predict"


def _exchange(client: str, number: float, status: int, body) -> Exchange:
    exchange = Exchange("POST", URL, {"client": client, "input": number}, status=status,
                        text=body if isinstance(body, str) else json.dumps(body), sent_at=1.0, answered_at=1.25)
    return exchange


def test_own_squares_accepts_right_answers_and_names_wrong_ones():
    answers.answers_are_own_squares([_exchange("a", 3, 200, {"client": "a", "output": 9})])
    with pytest.raises(AssertionError) as error:
        answers.answers_are_own_squares([_exchange("a", 3, 200, {"client": "b", "output": 16}),
                                        _exchange("b", 4, 500, "Internal Server Error")])
    message = str(error.value)
    assert "a sent 3 and got 16 instead of 9" in message
    assert "a got the answer meant for b" in message
    assert "b got status 500" in message
    assert "2 of 2 clients got a wrong answer" in message


def test_an_answer_that_is_not_json_fails_with_its_text():
    with pytest.raises(AssertionError, match="not JSON.*Internal Server Error"):
        _exchange("a", 3, 500, "Internal Server Error").json()


def test_exchange_timing():
    assert _exchange("a", 1, 200, {}).seconds == pytest.approx(0.25)
