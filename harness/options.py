"""The suite's ``-D name=value`` options (``behave -D name=value``), parsed once, in ``before_all``.

:func:`parse` turns behave's ``userdata`` into one frozen :class:`SuiteOptions`, kept as
``context.options`` for the whole run; every step and helper reads that object, never
``context.config.userdata``. A bad value or an unknown name stops the run before any scenario,
with a message that says what to write (``-D soak_minutes=abc: expected a number of minutes``).
The README's table "Options" lists them; a new option gets a field, a parser line in
:data:`_PARSERS` and a row there.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

#: The soak's length when ``-D soak_minutes`` is not given.
DEFAULT_SOAK_MINUTES = 3.0
#: Scenarios with this tag need the suite's own instrumented servers (skipped with ``-D target``).
INSTRUMENTED_TAG = "instrumented"


class BadOption(ValueError):
    """A ``-D`` option the suite cannot use; the message names it and says what to write."""


@dataclass(frozen=True)
class SuiteOptions:
    """Every ``-D`` option of a run, typed (the defaults are what a run without ``-D`` gets)."""

    start_ahead: bool = True                 # start the coming scenarios' servers in the background
    target: str = ""                         # a deployed LitServe the load goes to ("" = the suite's servers)
    allow_remote_target: bool = False        # let ``target`` be on another machine
    target_body: dict | None = None          # the JSON body sent to ``target`` (None: {"input": 3})
    load_scale: float = 1.0                  # every load duration is multiplied by this
    load_processes: int = 0                  # Locust --processes (0 = one process)
    soak_minutes: float = DEFAULT_SOAK_MINUTES
    verdict_file: str = ""                   # write every scenario's outcome there as JSON (the tools read it)
    warm_start: bool = True                  # fork servers from one process that has imported LitServe

    def seconds(self, seconds: float) -> float:
        """A load duration of ``seconds`` scaled by ``-D load_scale``."""
        return seconds * self.load_scale

    def skip_reason(self, tags: list[str]) -> str:
        """Why a scenario with ``tags`` cannot run with these options ("" when it can)."""
        if self.target and INSTRUMENTED_TAG in tags:
            return ("needs the suite's own instrumented servers, so it does not run against the deployed "
                    f"target {self.target} (-D target)")
        return ""


def _yes_no(text: str) -> bool:
    if text not in ("yes", "no"):
        raise ValueError("expected yes or no")
    return text == "yes"


def _number(what: str, *, positive: bool = True) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"expected a number of {what}") from None
        if positive and not value > 0:
            raise ValueError(f"expected a positive number of {what}")
        return value

    return parse


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError("expected a whole number, 0 or more (0: one Locust process)")
    return int(text)


def _body(text: str) -> dict:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("""expected a JSON object, e.g. -D target_body='{"input": 3}'""")
    return body


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        raise ValueError("expected a URL like http://127.0.0.1:8000")
    return text.rstrip("/")


def _path(text: str) -> str:
    if not text.strip():
        raise ValueError("expected a file path")
    return text


_PARSERS: dict[str, Callable[[str], Any]] = {
    "start_ahead": _yes_no, "warm_start": _yes_no, "target": _url, "allow_remote_target": _yes_no, "target_body": _body,
    "load_scale": _number("times"), "load_processes": _count, "soak_minutes": _number("minutes"),
    "verdict_file": _path,
}


def parse(userdata: Mapping[str, str]) -> SuiteOptions:
    """The options of ``userdata`` (behave's ``context.config.userdata``); :class:`BadOption` if one is wrong."""
    unknown = sorted(set(userdata) - set(_PARSERS))
    if unknown:
        raise BadOption(f"unknown -D option(s) {unknown}; the suite knows {sorted(_PARSERS)} (README, \"Options\")")
    values: dict[str, Any] = {}
    for name, text in userdata.items():
        try:
            values[name] = _PARSERS[name](str(text))
        except ValueError as error:
            raise BadOption(f"-D {name}={text}: {error}") from None
    options = SuiteOptions(**values)
    if options.target and not options.allow_remote_target and not _on_this_machine(options.target):
        raise BadOption(f"-D target={options.target}: not on this machine; add -D allow_remote_target=yes to load "
                        "a server elsewhere (make sure you may)")
    return options


def _on_this_machine(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False
