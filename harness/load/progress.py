"""Progress lines of the measuring scenarios on the console, also while behave captures stdout."""

from __future__ import annotations

import sys
import time

_FIRST_PROGRESS: list[float] = []


def progress(message: str) -> None:
    """A progress line on the console, with the seconds since the first."""
    if not _FIRST_PROGRESS:
        _FIRST_PROGRESS.append(time.monotonic())
    elapsed = time.monotonic() - _FIRST_PROGRESS[0]
    print(f"  performance [{elapsed:5.1f} s]: {message}", file=sys.__stderr__, flush=True)
