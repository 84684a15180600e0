"""Attachments for the Allure report: requests and answers, stream transcripts, batch tables, logs, charts.

Every function is safe to call when the Allure formatter is not active (it then does nothing).
Charts (see :mod:`harness.reporting.charts`) go with the requests and streams they draw; a chart that cannot
be drawn is replaced by a note and never fails the scenario.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import allure

from harness.reporting import charts, svg
from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript

LOG_TAIL_LINES = 200


def attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, data: Any) -> None:
    allure.attach(json.dumps(data, indent=2, default=str), name=name, attachment_type=allure.attachment_type.JSON)


def attach_html(name: str, html: str) -> None:
    allure.attach(html, name=name, attachment_type=allure.attachment_type.HTML)


def attach_exchanges(exchanges: Iterable[Exchange], name: str = "Requests and answers", most: int = 10) -> None:
    """The first ``most`` requests with status, headers, body and client-side timing."""
    exchanges = list(exchanges)
    shown = [
        {
            "request": {"method": e.method, "url": e.url, "body": e.request_body},
            "response": {"status": e.status, "headers": e.headers, "body": _maybe_json(e.text)},
            "client_seconds": round(e.seconds, 4),
        }
        for e in exchanges[:most]
    ]
    if len(exchanges) > most:
        shown.append({"note": f"{len(exchanges) - most} more exchanges not shown"})
    attach_json(name, shown)
    if len(exchanges) > 1:
        _attach_chart("Timeline of requests and batches",
                      lambda: charts.request_timeline(exchanges, _composition_or_none(exchanges)))


def attach_transcripts(transcripts: Iterable[StreamTranscript], name: str = "Stream transcript") -> None:
    """Each stream's chunks with their arrival time (ms after the request was sent)."""
    transcripts = list(transcripts)
    lines = []
    for t in transcripts:
        lines.append(f"POST {t.url} {json.dumps(t.request_body)} -> status {t.status}, "
                     f"{len(t.chunks)} chunk(s), ended cleanly: {t.ended_cleanly} {t.error}")
        for index, chunk in enumerate(t.chunks):
            lines.append(f"  {index:>3}  +{(chunk.arrived_at - t.sent_at) * 1000:8.1f} ms  {chunk.raw}")
        lines.append(f"  end  +{(t.finished_at - t.sent_at) * 1000:8.1f} ms\n")
    attach_text(name, "\n".join(lines))
    _attach_chart("Chunk arrival over time", lambda: charts.chunk_arrivals(transcripts))


def attach_batches(composition: Composition, name: str = "Batch composition") -> None:
    """Which request ran in which batch, as a table."""
    rows = composition.rows()
    header = ["batch", "size", "members", "worker", "started_ms", "finished_ms"]
    attach_html(name, svg.page(name, f"<p>{composition.count} batch(es); sizes {composition.sizes}. "
                                     "Times are ms after the first batch started.</p>",
                               svg.table([{key: row[key] for key in header} for row in rows], fmt=lambda v: "" if v is None else str(v))))


def attach_log(name: str, text: str, lines: int = LOG_TAIL_LINES) -> None:
    """The tail of a server log."""
    kept = text.splitlines()[-lines:]
    attach_text(name, "\n".join(kept))


def _attach_chart(name: str, draw: Callable[[], str]) -> None:
    """Attach the HTML page ``draw`` returns; if drawing fails, attach why instead of failing the scenario."""
    try:
        html = draw()
    except Exception as error:  # a broken chart must never turn a passing scenario into a broken one
        attach_text(f"{name} (not drawn)", f"the chart could not be drawn: {type(error).__name__}: {error}")
        return
    attach_html(name, html)


def _composition_or_none(exchanges: list[Exchange]) -> Composition | None:
    """The batches that served these requests, if every answer says (batched apps); otherwise None."""
    try:
        return Composition.from_answers([e.json() for e in exchanges])
    except (AssertionError, KeyError, TypeError, ValueError):
        return None


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
