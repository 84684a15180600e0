"""Checks of the LitServer options (``servers/options_apps.py``): which hooks fired for each request, which
middlewares each answer passed, how many requests LitServe counted in flight, which transport and workers
served. The server side is read from the ``suite: trace hook`` / ``suite: trace middleware`` log lines."""

from __future__ import annotations

import time

from hamcrest import assert_that, equal_to

from harness.clients.http import Exchange
from harness.serving import traces
from harness.serving.launcher import RunningServer

#: The hooks LitServe's documentation lists for one request, in the order a request meets them.
REQUEST_HOOKS = ("on_request", "on_before_decode_request", "on_after_decode_request", "on_before_predict",
                 "on_after_predict", "on_before_encode_response", "on_after_encode_response", "on_response")
#: How long the log lines of a request may lag behind its answer on a busy machine.
LOG_LAG_SECONDS = 5.0
#: How long no new log line of a request means that no more will come.
QUIET_SECONDS = 0.75


def _during(found: list[dict], exchange: Exchange) -> list[dict]:
    return sorted((t for t in found if exchange.sent_at <= t["at"] <= exchange.answered_at), key=lambda t: t["at"])


def _wait_for(server: RunningServer, kind: str, exchanges: list[Exchange], at_least: int) -> list[dict]:
    """The ``kind`` traces logged while ``exchanges`` were under way, once ``at_least`` are there, or once no new
    one has come for :data:`QUIET_SECONDS` (a LitServe that fires fewer hooks), at most :data:`LOG_LAG_SECONDS`."""
    deadline = time.monotonic() + LOG_LAG_SECONDS
    seen, quiet_since = -1, time.monotonic()
    while True:
        found = [t for t in traces.traces(server, kind) if any(_during([t], e) for e in exchanges)]
        now = time.monotonic()
        if len(found) != seen:
            seen, quiet_since = len(found), now
        if len(found) >= at_least or now > deadline or now - quiet_since > QUIET_SECONDS:
            return found
        time.sleep(0.05)


def wait_for_hooks(server: RunningServer, hook: str, since: float, count: int, seconds: float) -> list[dict]:
    """The ``hook`` calls logged from ``since`` on, once there are ``count`` (or ``seconds`` have passed)."""
    deadline = time.monotonic() + seconds
    while True:
        found = [t for t in traces.traces(server, "hook") if t["hook"] == hook and t["at"] >= since]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def hooks_of_each_request(server: RunningServer, exchanges: list[Exchange], expected: list[str]) -> list[list[str]]:
    """The hooks that fired during each of ``exchanges`` (sent one after another), oldest first."""
    found = _wait_for(server, "hook", exchanges, at_least=len(expected) * len(exchanges))
    return [[t["hook"] for t in _during(found, exchange)] for exchange in exchanges]


def each_request_fired(server: RunningServer, exchanges: list[Exchange], expected: list[str]) -> None:
    """Every request fired exactly ``expected``, once each, in that order."""
    for exchange in exchanges:
        assert_that(exchange.status, equal_to(200), f"a request failed, so its hooks prove nothing: {exchange.text}")
    for number, fired in enumerate(hooks_of_each_request(server, exchanges, expected), start=1):
        assert_that(fired, equal_to(expected),
                    f"request {number} of {len(exchanges)} fired the hooks {fired}; users need each of {expected} "
                    "once, in that order")


def middlewares_passed(server: RunningServer, exchanges: list[Exchange], header: str, names: list[str]) -> None:
    """Every answer passed the middlewares ``names`` once each, in that order (its header and the server log)."""
    passes = _wait_for(server, "middleware", exchanges, at_least=len(names) * len(exchanges))
    for number, exchange in enumerate(exchanges, start=1):
        said = [n for n in exchange.headers.get(header, "").split(",") if n]
        logged = [t["name"] for t in _during(passes, exchange)]
        assert_that((said, logged), equal_to((names, names)),
                    f"request {number} passed the middlewares {said} (its answer header) and the server logged "
                    f"{logged}; users need {names}, each once, in the order they were listed")


def counted_in_flight(server: RunningServer, exchange: Exchange) -> int | None:
    """The active-request count LitServe handed the ``on_request`` hook of ``exchange``."""
    found = _during(_wait_for(server, "hook", [exchange], at_least=1), exchange)
    counts = [t["active"] for t in found if t["hook"] == "on_request"]
    assert_that(len(counts), equal_to(1), f"the request fired on_request {len(counts)} times: {found}")
    return counts[0]
