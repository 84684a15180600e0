"""Which LitServe release is under test, and which scenarios apply to it.

A scenario (or feature) tagged ``@litserve.since:0.2.6`` describes a behaviour that exists from
that release on; ``@litserve.until:0.2.11`` one that ends with that release. On a release
outside the range the scenario is skipped with the reason, so the feature file says in plain
sight which releases an expectation belongs to (the version matrix reports it as "n/a").
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Iterable

SINCE = "litserve.since:"
UNTIL = "litserve.until:"


def parse(version: str) -> tuple[int, ...]:
    """``"0.2.19"`` -> ``(0, 2, 19)``; pre-release or local suffixes are ignored (``0.2.20.dev1`` -> ``(0, 2, 20)``)."""
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = re.match(r"\d*", piece).group()
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    if not parts:
        raise ValueError(f"not a release number: {version!r}")
    return tuple(parts)


def installed_litserve() -> str:
    """The version of the installed ``litserve`` distribution."""
    try:
        return metadata.version("litserve")
    except metadata.PackageNotFoundError:
        raise RuntimeError("litserve is not installed in this environment: run `bash scripts/setup.sh`") from None


def not_applicable_reason(tags: Iterable[str], version: str) -> str:
    """Why a scenario with ``tags`` does not apply to LitServe ``version``; empty if it applies."""
    current = parse(version)
    for tag in tags:
        if tag.startswith(SINCE):
            since = tag[len(SINCE):]
            if current < parse(since):
                return f"LitServe {version} predates this behaviour (it exists from {since} on)"
        elif tag.startswith(UNTIL):
            until = tag[len(UNTIL):]
            if current > parse(until):
                return f"LitServe {version} no longer behaves this way (this applies up to {until})"
    return ""
