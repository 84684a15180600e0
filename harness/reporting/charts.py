"""Charts for the report: self-contained HTML pages with inline SVG (no scripts, no outside requests).

* :func:`request_timeline` : one bar per request, from sent to answered, and, when the answers say
  which batch served them, one box per batch (when the model ran it), in the batch's colour.
* :func:`chunk_arrivals` : one row per stream, a dot per chunk at the moment it reached the client
  and, when chunks say when the model produced them, a tick at that moment.

Times are milliseconds after the first request was sent. Client and server timestamps are both
``time.monotonic()`` readings on the same machine, so they share one axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Iterable, Sequence

from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript

WIDTH = 760
LEFT = 120          # room for row labels
RIGHT = 105         # room for the value written after a bar
TOP = 14
ROW = 22
AXIS = 36
MAX_ROWS = 60       # beyond this, rows are summarised, not drawn

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]
NEUTRAL = "#6b8fb5"


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
    colour_of = {b.batch: PALETTE[i % len(PALETTE)] for i, b in enumerate(batches)}
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
        colour = colour_of.get(batch_id, NEUTRAL)
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
    colour_of = {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(batch_ids)}
    shown = transcripts[:MAX_ROWS]
    height = TOP + len(shown) * ROW + AXIS
    parts = _axis(scale, height, len(shown))
    produced_seen = False
    y = TOP
    for transcript in shown:
        mid = y + ROW / 2
        start, end = scale.x((transcript.sent_at - t0) * 1000), scale.x(((transcript.finished_at or t0) - t0) * 1000)
        parts.append(f'<line x1="{start:.1f}" y1="{mid:.1f}" x2="{end:.1f}" y2="{mid:.1f}" stroke="#ccc" />')
        for chunk, item in zip(transcript.chunks, transcript.items):
            colour = colour_of.get(str(item.get("batch")), NEUTRAL) if isinstance(item, dict) else NEUTRAL
            produced = item.get("produced_at") if isinstance(item, dict) else None
            if isinstance(produced, (int, float)):
                produced_seen = True
                px = scale.x((produced - t0) * 1000)
                parts.append(f'<line x1="{px:.1f}" y1="{y + 3:.1f}" x2="{px:.1f}" y2="{y + 9:.1f}" '
                             f'stroke="#333" stroke-width="1" />')
            cx = scale.x((chunk.arrived_at - t0) * 1000)
            parts.append(f'<circle cx="{cx:.1f}" cy="{mid + 2:.1f}" r="3.5" fill="{colour}" fill-opacity="0.8">'
                         f'<title>{escape(chunk.raw[:120])}</title></circle>')
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
    tick = _tick(scale.span_ms)
    parts = []
    value = 0.0
    while value <= scale.span_ms + 1e-9:
        x = scale.x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e3e3" />')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle" fill="#555">'
                     f'{value:g}</text>')
        value += tick
    parts.append(f'<text x="{scale.x(scale.span_ms / 2):.1f}" y="{height - 4}" font-size="12" text-anchor="middle" '
                 f'fill="#333">milliseconds after the first request was sent</text>')
    return parts


def _tick(span_ms: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000):
        if span_ms / step <= 10:
            return step
    return span_ms / 10


def _bar(x1: float, x2: float, y: float, colour: str, opacity: float) -> str:
    return (f'<rect x="{x1:.1f}" y="{y + 3:.1f}" width="{max(x2 - x1, 1.5):.1f}" height="{ROW - 6}" rx="3" '
            f'fill="{colour}" fill-opacity="{opacity}" />')


def _label(y: float, text: str, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{LEFT - 8}" y="{y + 15:.1f}" font-size="12" text-anchor="end"{weight} fill="#222">'
            f'{escape(text[:18])}</text>')


def _text(x: float, y: float, text: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#444">{escape(text)}</text>'


def _svg(height: int, parts: Iterable[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" style="width:100%;max-width:{WIDTH}px;height:auto" '
            f'font-family="sans-serif" role="img">' + "".join(parts) + "</svg>")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title) + "</title></head>"
            "<body style='font-family:sans-serif;font-size:13px;margin:12px'><h3 style='margin:0 0 6px'>" + escape(title) + "</h3>"
            + body + "</body></html>")
