"""Scrape a server's Prometheus metrics as Prometheus would, and read them with prometheus_client's own parser."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

from harness.clients.http import DEFAULT_TIME_LIMIT


@dataclass
class Scrape:
    """One scrape: the answer, and the samples parsed from it (sample name -> value, labels ignored)."""

    url: str
    status: int
    content_type: str
    text: str
    samples: dict[str, float] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # metric family name -> its TYPE

    def value(self, sample: str) -> float:
        """The sample's value; 0 when the metric has no sample yet (a counter nobody has increased)."""
        return self.samples.get(sample, 0.0)


def scrape(base_url: str, path: str = "/metrics", time_limit: float = DEFAULT_TIME_LIMIT) -> Scrape:
    """GET the metrics (following redirects, as Prometheus does: LitServe mounts them at ``/metrics/``)."""
    with httpx.Client(timeout=time_limit, follow_redirects=True, verify=False) as client:
        response = client.get(f"{base_url}{path}")
    result = Scrape(str(response.url), response.status_code, response.headers.get("content-type", ""), response.text)
    if response.status_code == 200:
        for family in text_string_to_metric_families(response.text):
            result.types[family.name] = family.type
            for sample in family.samples:
                result.samples[sample.name] = result.samples.get(sample.name, 0.0) + sample.value
    return result
