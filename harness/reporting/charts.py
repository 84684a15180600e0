"""Charts of requests and streams for the report: self-contained HTML pages with inline SVG
(palette, pages and primitives from :mod:`harness.reporting.svg`).

* :func:`request_timeline` : one bar per request, from sent to answered, and, when the answers say
  which batch served them, one box per batch (when the model ran it), in the batch's colour.
* :func:`chunk_arrivals` : one row per stream, a dot per chunk at the moment it reached the client
  and, when chunks say when the model produced them, a tick at that moment.

Times are milliseconds after the first request was sent. Client and server timestamps are both
``time.monotonic()`` readings on the same machine, so they share one axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript
from harness.reporting import svg

WIDTH = 760
LEFT = 120          # room for row labels
RIGHT = 105         # room for the value written after a bar
TOP = 14
ROW = 22
AXIS = 36
MAX_ROWS = 60       # beyond this, rows are summarised, not drawn


@dataclass
class _Scale:
    """Maps milliseconds to x pixels."""

    span_ms: float

    def x(self, ms: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (ms / self.span_ms if self.span_ms > 0 else 0.0)


def request_timeline(exchanges: Sequence[Exchange], composition: Composition | None = None,
                     title: str = "Timeline of requests and batches") -> str:
    """An HTML page: when each request was sent and answered, and when each batch ran."""
    exchanges = [e for e in exchanges if e.sent_at and e.answered_at]
    if not exchanges:
        return _page(title, "<p>No request was answered, so there is nothing to draw.</p>")
    t0 = min(e.sent_at for e in exchanges)
    batches = composition.ordered() if composition else []
    colour_of = {b.batch: svg.colour(i) for i, b in enumerate(batches)}
    number_of = {b.batch: i for i, b in enumerate(batches, start=1)}
    ends = [e.answered_at for e in exchanges] + [b.finished_at for b in batches if b.finished_at]
    scale = _Scale(_nice_span((max(ends) - t0) * 1000))

    shown = exchanges[:MAX_ROWS]
    rows = len(batches) + len(shown)
    height = TOP + rows * ROW + AXIS
    parts = _axis(scale, height, rows)
    y = TOP
    for index, batch in enumerate(batches, start=1):
        if batch.started_at is not None and batch.finished_at is not None:
            x1, x2 = scale.x((batch.started_at - t0) * 1000), scale.x((batch.finished_at - t0) * 1000)
            parts.append(_bar(x1, x2, y, colour_of[batch.batch], opacity=0.9))
            parts.append(_text(x2 + 4, y + 14, f"{batch.size} request(s)"))
        parts.append(_label(y, f"batch {index} (model)", bold=True))
        y += ROW
    for exchange in shown:
        client = _client_name(exchange)
        batch_id = composition.batch_of.get(client) if composition else None
        colour = colour_of.get(batch_id, svg.NEUTRAL)
        x1, x2 = scale.x((exchange.sent_at - t0) * 1000), scale.x((exchange.answered_at - t0) * 1000)
        parts.append(_bar(x1, x2, y, colour, opacity=0.55))
        after = f"{exchange.seconds * 1000:.0f} ms"
        if batch_id in number_of:
            after += f", batch {number_of[batch_id]}"
        parts.append(_text(x2 + 4, y + 14, after))
        parts.append(_label(y, client))
        y += ROW
    note = ""
    if len(exchanges) > len(shown):
        note = f"<p>Only the first {len(shown)} of {len(exchanges)} requests are drawn.</p>"
    legend = ("Each pale bar is one request, from the moment the client sent it to the moment the answer "
              "arrived; the number after it is how long that took.")
    if batches:
        legend += (" Each solid box at the top is one batch: the model working on the requests it grouped, "
                   "from start to finish. A request's bar has the colour of the batch that served it.")
    return _page(title, f"<p>{legend}</p>" + _svg(height, parts) + note)


def chunk_arrivals(transcripts: Sequence[StreamTranscript], title: str = "When the chunks arrived") -> str:
    """An HTML page: one row per stream, a dot for each chunk when it reached the client."""
    transcripts = [t for t in transcripts if t.sent_at]
    if not transcripts:
        return _page(title, "<p>No stream was read, so there is nothing to draw.</p>")
    t0 = min(t.sent_at for t in transcripts)
    ends = [t.finished_at or t.sent_at for t in transcripts] + [c.arrived_at for t in transcripts for c in t.chunks]
    scale = _Scale(_nice_span((max(ends) - t0) * 1000))
    # only batched apps say how big their batch was; unbatched ones number each request as its own batch
    batch_ids = sorted({str(item["batch"]) for t in transcripts for item in t.items
                        if isinstance(item, dict) and "batch" in item and "batch_size" in item})
    colour_of = {b: svg.colour(i) for i, b in enumerate(batch_ids)}
    shown = transcripts[:MAX_ROWS]
    height = TOP + len(shown) * ROW + AXIS
    parts = _axis(scale, height, len(shown))
    produced_seen = False
    y = TOP
    for transcript in shown:
        mid = y + ROW / 2
        start, end = scale.x((transcript.sent_at - t0) * 1000), scale.x(((transcript.finished_at or t0) - t0) * 1000)
        parts.append(svg.line(start, mid, end, mid, stroke="#ccc"))
        for chunk, item in zip(transcript.chunks, transcript.items):
            colour = colour_of.get(str(item.get("batch")), svg.NEUTRAL) if isinstance(item, dict) else svg.NEUTRAL
            produced = item.get("produced_at") if isinstance(item, dict) else None
            if isinstance(produced, (int, float)):
                produced_seen = True
                px = scale.x((produced - t0) * 1000)
                parts.append(svg.line(px, y + 3, px, y + 9, stroke=svg.INK))
            cx = scale.x((chunk.arrived_at - t0) * 1000)
            parts.append(f'<circle cx="{cx:.1f}" cy="{mid + 2:.1f}" r="3.5" fill="{colour}" fill-opacity="0.8">'
                         f'<title>{svg.escape(chunk.raw[:120])}</title></circle>')
        status = f"{len(transcript.chunks)} chunks" + ("" if transcript.ended_cleanly else ", broken off")
        parts.append(_text(end + 4, y + 14, status))
        parts.append(_label(y, _stream_name(transcript)))
        y += ROW
    legend = "Each row is one stream; each dot is one chunk, placed at the moment it reached the client."
    if produced_seen:
        legend += (" The small tick above a dot marks when the model produced that chunk: a live stream has its "
                   "dots right after their ticks, a buffered one has all dots at the end.")
    if batch_ids:
        legend += " Dots have the colour of the batch that produced them."
    note = ""
    if len(transcripts) > len(shown):
        note = f"<p>Only the first {len(shown)} of {len(transcripts)} streams are drawn.</p>"
    return _page(title, f"<p>{legend}</p>" + _svg(height, parts) + note)


def _client_name(exchange: Exchange) -> str:
    body = exchange.request_body
    if isinstance(body, dict) and body.get("client"):
        return str(body["client"])
    return f"{exchange.method} {exchange.url.rsplit('/', 1)[-1] or '/'}"


def _stream_name(transcript: StreamTranscript) -> str:
    body = transcript.request_body
    if isinstance(body, dict) and body.get("client"):
        return str(body["client"])
    return "stream"


def _nice_span(ms: float) -> float:
    """A round axis length just above ``ms``."""
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000):
        if ms <= step * 10:
            return max(step, step * -(-ms // step))
    return ms


def _axis(scale: _Scale, height: int, rows: int) -> list[str]:
    """Vertical grid lines with millisecond labels under the rows."""
    bottom = TOP + rows * ROW
    parts = []
    for value in svg.ticks(0, scale.span_ms, count=10):
        x = scale.x(value)
        parts.append(svg.line(x, TOP - 4, x, bottom))
        parts.append(svg.text(x, bottom + 14, f"{value:g}", anchor="middle", fill=svg.MUTED))
    parts.append(svg.text(scale.x(scale.span_ms / 2), height - 4, "milliseconds after the first request was sent",
                          size=12, anchor="middle", fill=svg.INK))
    return parts


def _bar(x1: float, x2: float, y: float, colour: str, opacity: float) -> str:
    return (f'<rect x="{x1:.1f}" y="{y + 3:.1f}" width="{max(x2 - x1, 1.5):.1f}" height="{ROW - 6}" rx="3" '
            f'fill="{colour}" fill-opacity="{opacity}" />')


def _label(y: float, text: str, bold: bool = False) -> str:
    return svg.text(LEFT - 8, y + 15, text[:18], size=12, anchor="end", fill="#222", bold=bold)


def _text(x: float, y: float, text: str) -> str:
    return svg.text(x, y, text)


def _svg(height: int, parts: list[str]) -> str:
    return svg.document(WIDTH, height, parts)


def _page(title: str, body: str) -> str:
    return svg.page(title, body)
