"""Inline-SVG charts for the performance attachments: latency distributions, throughput bars,
chunk timelines (palette, pages, tables and primitives from :mod:`harness.reporting.svg`)."""

from __future__ import annotations

import math
from typing import Sequence

from harness.reporting import svg
from harness.reporting.svg import escape

WIDTH, HEIGHT = 800, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 290, 20, 40


def cdf(series: dict[str, Sequence[float]], x_label: str, title: str) -> str:
    """Latency distribution: for each series the share of samples at or below x (log-scaled x)."""
    values = [v for vs in series.values() for v in vs if v > 0]
    if not values:
        return ""
    lo, hi = math.log10(min(values)), math.log10(max(values))
    if hi - lo < 0.3:
        lo, hi = lo - 0.15, hi + 0.15
    x_of = svg.linear(lo, hi, LEFT, WIDTH - RIGHT)
    y_of = svg.linear(0, 1, HEIGHT - BOTTOM, TOP)
    parts = [_axes(title, x_label, "share of requests")]
    for tick in svg.log_ticks(lo, hi):
        x = x_of(math.log10(tick))
        parts.append(f"<line x1='{x:.1f}' y1='{HEIGHT - BOTTOM}' x2='{x:.1f}' y2='{TOP}' stroke='#eee'/>"
                     f"<text x='{x:.1f}' y='{HEIGHT - BOTTOM + 14}' font-size='10' text-anchor='middle'>{tick:g}</text>")
    for share in (0.5, 0.95, 0.99):
        y = y_of(share)
        parts.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#ddd' stroke-dasharray='3'/>"
                     f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>p{share * 100:g}</text>")
    for index, (name, samples) in enumerate(series.items()):
        ordered = sorted(v for v in samples if v > 0)
        if not ordered:
            continue
        points = " ".join(f"{x_of(math.log10(v)):.1f},{y_of((i + 1) / len(ordered)):.1f}" for i, v in enumerate(ordered))
        parts.append(f"<polyline fill='none' stroke='{svg.colour(index)}' stroke-width='1.5' points='{points}'/>")
        parts.append(_legend(index, name))
    return _svg(parts)


def bars(groups: Sequence[str], series: dict[str, Sequence[float]], y_label: str, title: str) -> str:
    """Grouped bars: one group per x label (e.g. clients), one bar per series (e.g. server)."""
    top = max((v for vs in series.values() for v in vs if v == v), default=1) or 1
    y_of = svg.linear(0, top * 1.1, HEIGHT - BOTTOM, TOP)
    group_width = (WIDTH - RIGHT - LEFT) / max(len(groups), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    parts = [_axes(title, "clients at the same time", y_label)]
    for tick in svg.ticks(0, top * 1.1):
        y = y_of(tick)
        parts.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#eee'/>"
                     f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>{tick:g}</text>")
    for g, group in enumerate(groups):
        x0 = LEFT + g * group_width + group_width * 0.1
        parts.append(f"<text x='{LEFT + (g + 0.5) * group_width:.1f}' y='{HEIGHT - BOTTOM + 14}' font-size='11' "
                     f"text-anchor='middle'>{escape(group)}</text>")
        for s, (name, values) in enumerate(series.items()):
            value = values[g] if g < len(values) else float("nan")
            if value != value:
                continue
            x, y = x0 + s * bar_width, y_of(value)
            parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar_width - 2:.1f}' height='{HEIGHT - BOTTOM - y:.1f}' "
                         f"fill='{svg.colour(s)}'><title>{escape(name)}: {value:g}</title></rect>"
                         f"<text x='{x + bar_width / 2:.1f}' y='{y - 3:.1f}' font-size='9' text-anchor='middle'>{value:.0f}</text>")
    for s, name in enumerate(series):
        parts.append(_legend(s, name))
    return _svg(parts)


def timeline(rows: Sequence[tuple[str, Sequence[float], Sequence[float]]], title: str) -> str:
    """Chunk arrivals: one row per stream; dots where chunks reached the client, ticks where the model produced them.

    ``rows`` holds (label, arrival ms, produced ms), both in ms after the request was sent.
    """
    if not rows:
        return ""
    end = max((v for _, arrived, produced in rows for v in (*arrived, *produced)), default=1) or 1
    x_of = svg.linear(0, end * 1.05, LEFT, WIDTH - RIGHT)
    height = max(HEIGHT, TOP + BOTTOM + 16 * len(rows))
    y_of = lambda i: TOP + 8 + i * (height - TOP - BOTTOM - 16) / max(len(rows) - 1, 1)  # noqa: E731
    parts = [_axes(title, "ms after the request was sent", "", height)]
    for tick in svg.ticks(0, end * 1.05):
        x = x_of(tick)
        parts.append(f"<line x1='{x:.1f}' y1='{height - BOTTOM}' x2='{x:.1f}' y2='{TOP}' stroke='#eee'/>"
                     f"<text x='{x:.1f}' y='{height - BOTTOM + 14}' font-size='10' text-anchor='middle'>{tick:g}</text>")
    for i, (label, arrived, produced) in enumerate(rows):
        y = y_of(i)
        parts.append(f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='9' text-anchor='end'>{escape(label)}</text>")
        parts.extend(f"<line x1='{x_of(p):.1f}' y1='{y - 5:.1f}' x2='{x_of(p):.1f}' y2='{y + 5:.1f}' stroke='#999'/>"
                     for p in produced)
        parts.extend(f"<circle cx='{x_of(a):.1f}' cy='{y:.1f}' r='2.2' fill='{svg.colour(0)}'/>" for a in arrived)
    parts.append(_legend(0, "chunk reached the client"))
    parts.append(f"<line x1='{WIDTH - RIGHT + 10}' y1='{TOP + 26}' x2='{WIDTH - RIGHT + 10}' y2='{TOP + 36}' stroke='#999'/>"
                 f"<text x='{WIDTH - RIGHT + 26}' y='{TOP + 35}' font-size='11'>model produced it</text>")
    return _svg(parts, height)


def lines(series: dict[str, Sequence[tuple[float, float]]], x_label: str, y_label: str, title: str,
          marks: Sequence[tuple[float, str]] = ()) -> str:
    """Values over time: one line per series of (x, y) points; ``marks`` are labelled vertical lines (x, label)."""
    points = [(x, y) for pts in series.values() for x, y in pts if y == y and math.isfinite(y)]
    if not points:
        return ""
    x_hi = max(x for x, _ in points) or 1.0
    y_hi = (max(y for _, y in points) or 1.0) * 1.1
    x_of = svg.linear(0, x_hi, LEFT, WIDTH - RIGHT)
    y_of = svg.linear(0, y_hi, HEIGHT - BOTTOM, TOP)
    parts = [_axes(title, x_label, y_label)]
    for tick in svg.ticks(0, y_hi):
        y = y_of(tick)
        parts.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#eee'/>"
                     f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>{tick:g}</text>")
    for tick in svg.ticks(0, x_hi):
        x = x_of(tick)
        parts.append(f"<text x='{x:.1f}' y='{HEIGHT - BOTTOM + 14}' font-size='10' text-anchor='middle'>{tick:g}</text>")
    for x, label in marks:
        parts.append(f"<line x1='{x_of(x):.1f}' y1='{HEIGHT - BOTTOM}' x2='{x_of(x):.1f}' y2='{TOP}' stroke='#999' "
                     f"stroke-dasharray='4'/><text x='{x_of(x) + 3:.1f}' y='{TOP + 10}' font-size='9'>{escape(label)}</text>")
    for index, (name, pts) in enumerate(series.items()):
        shown = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in pts if y == y and math.isfinite(y))
        if shown:
            parts.append(f"<polyline fill='none' stroke='{svg.colour(index)}' stroke-width='1.5' points='{shown}'/>")
            parts.append(_legend(index, name))
    return _svg(parts)


def _svg(parts: list[str], height: int = HEIGHT) -> str:
    return svg.document(WIDTH, height, parts)


def _axes(title: str, x_label: str, y_label: str, height: int = HEIGHT) -> str:
    return (f"<text x='{LEFT}' y='{TOP - 6}' font-size='12' font-weight='bold'>{escape(title)}</text>"
            f"<line x1='{LEFT}' y1='{height - BOTTOM}' x2='{WIDTH - RIGHT}' y2='{height - BOTTOM}' stroke='#333'/>"
            f"<line x1='{LEFT}' y1='{height - BOTTOM}' x2='{LEFT}' y2='{TOP}' stroke='#333'/>"
            f"<text x='{(LEFT + WIDTH - RIGHT) / 2}' y='{height - 8}' font-size='11' text-anchor='middle'>{escape(x_label)}</text>"
            f"<text x='12' y='{(TOP + height - BOTTOM) / 2}' font-size='11' text-anchor='middle' "
            f"transform='rotate(-90 12 {(TOP + height - BOTTOM) / 2})'>{escape(y_label)}</text>")


def _legend(index: int, name: str) -> str:
    y = TOP + 10 + index * 16
    return (f"<rect x='{WIDTH - RIGHT + 6}' y='{y - 8}' width='10' height='10' fill='{svg.colour(index)}'/>"
            f"<text x='{WIDTH - RIGHT + 20}' y='{y + 1}' font-size='10'>{escape(name[:48])}</text>")
