"""Steps about monitoring: the model's metrics, scraped at ``/metrics`` as Prometheus would."""

from __future__ import annotations

import time

from behave import then, when

from harness.checks import metrics as metric_checks
from harness.clients import metrics
from harness.reporting import attachments

#: How long a scrape may lag behind the answers (LitServe hands log records to its logger process asynchronously).
SETTLE_SECONDS = 5.0


@when("a client scrapes the metrics")
def step_scrape(context):
    context.metrics_before = metrics.scrape(context.server.base_url)
    metric_checks.prometheus_text(context.metrics_before)
    attachments.attach_text("Metrics before", context.metrics_before.text)


@then('the scraped counter "{counter}" has risen by exactly {count:d}')
def step_counter_rose(context, counter, count):
    sample, target = f"{counter}_total", context.metrics_before.value(f"{counter}_total") + count
    deadline = time.monotonic() + SETTLE_SECONDS
    after = metrics.scrape(context.server.base_url)
    while after.value(sample) < target and time.monotonic() < deadline:
        time.sleep(0.05)
        after = metrics.scrape(context.server.base_url)
    attachments.attach_text("Metrics after", after.text)
    metric_checks.counter_rose_by(context.metrics_before, after, counter, count)
