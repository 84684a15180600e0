"""Checks on single answers: each client's own result, error answers with a status and a short detail.

Failure messages say in plain words what the client got and what it should have got.
"""

from __future__ import annotations

import json

from hamcrest import assert_that, equal_to, less_than_or_equal_to

from harness.clients.http import Exchange
from servers.trace import INTERNAL_ERROR_MARKER

#: An error answer longer than this is not "short" (a stack trace or a dump of internals).
SHORT_ERROR_CHARS = 200
#: Signs of a stack trace or of the model's own error message in an answer body.
LEAKS = ("Traceback", 'File "', INTERNAL_ERROR_MARKER, "RuntimeError")


def answers_are_own_squares(exchanges: list[Exchange]) -> None:
    """Every answer is 200 and holds the square of the number that client sent (no swapped answers)."""
    wrong: dict[str, list[str]] = {}
    for exchange in exchanges:
        sent = exchange.request_body
        problems = wrong.setdefault(sent["client"], [])
        if exchange.status != 200:
            problems.append(f"{sent['client']} got status {exchange.status}: {exchange.text[:200]}")
            continue
        answer = exchange.json()
        if answer.get("output") != sent["input"] ** 2:
            problems.append(f"{sent['client']} sent {sent['input']} and got {answer.get('output')!r} instead of {sent['input'] ** 2}")
        if "client" in answer and answer["client"] != sent["client"]:
            problems.append(f"{sent['client']} got the answer meant for {answer['client']}")
    wrong = {client: problems for client, problems in wrong.items() if problems}
    assert_that(wrong, equal_to({}), f"{len(wrong)} of {len(exchanges)} clients got a wrong answer")


def own_square(exchange: Exchange, who: str = "") -> None:
    """200 with the square of the number this client sent."""
    sent = exchange.request_body
    who = who or (sent.get("client") if isinstance(sent, dict) else "") or "the client"
    assert_that(exchange.status, equal_to(200), f"{who} got status {exchange.status}: {exchange.text[:300]!r}")
    assert_that(exchange.json().get("output"), equal_to(sent["input"] ** 2),
                f"{who} sent {sent['input']} and did not get its square: {exchange.text[:300]!r}")


def short_server_error(exchange: Exchange, status: int = 500, who: str = "the client") -> None:
    """``status``, a short body that gives nothing of the model's internals away, and if the body is JSON (it is
    from LitServe 0.2.11 on; older releases answer the plain text "Internal Server Error"), a short ``detail``."""
    assert_that(exchange.status, equal_to(status), f"{who} got status {exchange.status} instead of {status}: "
                f"{exchange.text[:300]!r}")
    leaks = [sign for sign in LEAKS if sign in exchange.text]
    assert_that(leaks, equal_to([]), f"the error answer to {who} gives internals away: {exchange.text[:500]!r}")
    assert_that(len(exchange.text), less_than_or_equal_to(SHORT_ERROR_CHARS),
                f"the error answer to {who} is {len(exchange.text)} characters long, not a short error: "
                f"{exchange.text[:500]!r}")
    assert_that(exchange.text.strip() != "", equal_to(True), f"the error answer to {who} is empty")
    try:
        body = json.loads(exchange.text)
    except ValueError:
        return  # plain text: what every release up to 0.2.10 answers; the JSON form has a scenario of its own
    detail = body.get("detail") if isinstance(body, dict) else None
    assert_that(isinstance(detail, str) and bool(detail), equal_to(True),
                f"the error answer to {who} has no short detail: {exchange.text!r}")


def status_and_detail(exchange: Exchange, status: int, detail: str, who: str = "the client") -> None:
    """Exactly this status and this detail."""
    assert_that((exchange.status, detail_of(exchange.text)), equal_to((status, detail)),
                f"{who} did not get the model's status and detail; it got {exchange.status}: {exchange.text[:300]!r}")


def detail_of(text: str):
    """The ``detail`` of a JSON error body, or None."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("detail") if isinstance(data, dict) else None
