"""The ``-D`` options of the load features (``behave -D name=value``), read once per scenario.

* ``target=http://host:port``: run the scenarios about "the server under load" against this
  already deployed LitServe instead of starting one; the others (tagged ``@instrumented``) are
  skipped. Only loopback addresses unless ``allow_remote_target=yes`` is given as well.
* ``target_body={"input": 3}``: the JSON body sent to a deployed target (any 200 counts as right).
* ``load_scale=2``: multiply every load duration (the defaults keep each scenario well under a minute).
* ``load_processes=N``: run Locust with ``--processes N`` (one master and N workers on this machine).
* ``soak_minutes=N``: the soak's length (default 3).
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_SOAK_MINUTES = 3.0
INSTRUMENTED_TAG = "instrumented"


class BadLoadOption(ValueError):
    """A ``-D`` option of the load features has a value the suite cannot use; the message says what to write."""


@dataclass(frozen=True)
class LoadOptions:
    target: str = ""
    target_body: dict | None = None
    scale: float = 1.0
    processes: int = 0
    soak_minutes: float = DEFAULT_SOAK_MINUTES

    @classmethod
    def from_userdata(cls, userdata) -> "LoadOptions":
        try:
            target = _checked_target(userdata.get("target", ""), userdata.get("allow_remote_target", "") == "yes")
            body = json.loads(userdata["target_body"]) if "target_body" in userdata else None
            options = cls(target, body, float(userdata.get("load_scale", 1.0)),
                          int(userdata.get("load_processes", 0)),
                          float(userdata.get("soak_minutes", DEFAULT_SOAK_MINUTES)))
        except ValueError as error:
            raise BadLoadOption(f"bad -D option for the load features: {error}. Write e.g. -D target=http://127.0.0.1:8000 "
                                "-D target_body='{\"input\": 3}' -D load_scale=2 -D load_processes=2 "
                                "-D soak_minutes=30") from None
        if options.scale <= 0 or options.processes < 0 or options.soak_minutes <= 0:
            raise BadLoadOption("load_scale and soak_minutes must be positive and load_processes at least 0")
        return options

    def seconds(self, seconds: float) -> float:
        return seconds * self.scale


def _checked_target(target: str, allow_remote: bool) -> str:
    if not target:
        return ""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        raise ValueError(f"target {target!r} is not a URL like http://127.0.0.1:8000")
    if not allow_remote:
        address = ipaddress.ip_address(socket.gethostbyname(parts.hostname))
        if not address.is_loopback:
            raise ValueError(f"target {target!r} is not on this machine; add -D allow_remote_target=yes to load "
                             "a server elsewhere (make sure you may)")
    return target.rstrip("/")


def skip_reason(tags: list[str], userdata) -> str:
    """Why a scenario cannot run with these options ("" when it can)."""
    if "target" in userdata and INSTRUMENTED_TAG in tags:
        return ("needs the suite's own instrumented servers, so it does not run against the deployed "
                f"target {userdata['target']} (-D target)")
    return ""
