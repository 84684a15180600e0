"""Checks on when things happened (client- and server-side ``time.monotonic()`` readings)."""

from __future__ import annotations

from hamcrest import assert_that, less_than, less_than_or_equal_to


def arrives_within(seconds: float, limit: float, what: str) -> None:
    """``what`` took at most ``limit`` seconds."""
    assert_that(seconds, less_than_or_equal_to(limit), f"{what} took {seconds:.2f} s, more than {limit:g} s")


def before(first: float, second: float, what: str) -> None:
    """``first`` happened before ``second``; ``what`` says what it means when not."""
    assert_that(first, less_than(second), what)
