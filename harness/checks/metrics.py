"""Checks on scraped Prometheus metrics."""

from __future__ import annotations

from hamcrest import assert_that, equal_to, starts_with

from harness.clients.metrics import Scrape


def prometheus_text(scrape: Scrape) -> None:
    """200 in Prometheus' text exposition format."""
    assert_that(scrape.status, equal_to(200), f"{scrape.url} answered {scrape.status}: {scrape.text[:300]!r}")
    assert_that(scrape.content_type, starts_with("text/plain"),
                f"{scrape.url} is not in Prometheus' text format (content type {scrape.content_type!r})")


def counter_rose_by(before: Scrape, after: Scrape, counter: str, count: int) -> None:
    """The counter ``counter`` (a Prometheus counter: sample ``<counter>_total``) rose by exactly ``count``."""
    prometheus_text(after)
    assert_that(after.types.get(counter), equal_to("counter"),
                f"the metrics have no counter {counter!r}; they have {after.types}")
    sample = f"{counter}_total"
    rise = after.value(sample) - before.value(sample)
    assert_that(rise, equal_to(float(count)),
                f"{sample} went from {before.value(sample):g} to {after.value(sample):g} after {count} requests")
