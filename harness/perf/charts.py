"""Small inline-SVG charts and HTML tables for the performance attachments (no scripts, no CDNs)."""

from __future__ import annotations

import math
from html import escape
from typing import Any, Sequence

WIDTH, HEIGHT = 800, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 290, 20, 40
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def table(rows: Sequence[dict[str, Any]], caption: str = "") -> str:
    """An HTML table with one column per key of the first row."""
    if not rows:
        return "<p>(no figures)</p>"
    header = list(rows[0])
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(_fmt(row.get(h)))}</td>" for h in header) + "</tr>" for row in rows)
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (f"<table border='1' cellpadding='4' style='border-collapse:collapse;font-size:13px'>{cap}"
            f"<tr>{head}</tr>{body}</table>")


def page(title: str, *parts: str) -> str:
    return (f"<html><body style='font-family:sans-serif'><h3>{escape(title)}</h3>"
            + "".join(f"<div style='margin:12px 0'>{part}</div>" for part in parts) + "</body></html>")


def cdf(series: dict[str, Sequence[float]], x_label: str, title: str) -> str:
    """Latency distribution: for each series the share of samples at or below x (log-scaled x)."""
    values = [v for vs in series.values() for v in vs if v > 0]
    if not values:
        return ""
    lo, hi = math.log10(min(values)), math.log10(max(values))
    if hi - lo < 0.3:
        lo, hi = lo - 0.15, hi + 0.15
    x_of = _scale(lo, hi, LEFT, WIDTH - RIGHT)
    y_of = _scale(0, 1, HEIGHT - BOTTOM, TOP)
    parts = [_axes(title, x_label, "share of requests")]
    for tick in _log_ticks(lo, hi):
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
        parts.append(f"<polyline fill='none' stroke='{_colour(index)}' stroke-width='1.5' points='{points}'/>")
        parts.append(_legend(index, name))
    return _svg(parts)


def bars(groups: Sequence[str], series: dict[str, Sequence[float]], y_label: str, title: str) -> str:
    """Grouped bars: one group per x label (e.g. clients), one bar per series (e.g. server)."""
    top = max((v for vs in series.values() for v in vs if v == v), default=1) or 1
    y_of = _scale(0, top * 1.1, HEIGHT - BOTTOM, TOP)
    group_width = (WIDTH - RIGHT - LEFT) / max(len(groups), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    parts = [_axes(title, "clients at the same time", y_label)]
    for tick in _ticks(0, top * 1.1):
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
                         f"fill='{_colour(s)}'><title>{escape(name)}: {value:g}</title></rect>"
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
    x_of = _scale(0, end * 1.05, LEFT, WIDTH - RIGHT)
    height = max(HEIGHT, TOP + BOTTOM + 16 * len(rows))
    y_of = lambda i: TOP + 8 + i * (height - TOP - BOTTOM - 16) / max(len(rows) - 1, 1)  # noqa: E731
    parts = [_axes(title, "ms after the request was sent", "", height)]
    for tick in _ticks(0, end * 1.05):
        x = x_of(tick)
        parts.append(f"<line x1='{x:.1f}' y1='{height - BOTTOM}' x2='{x:.1f}' y2='{TOP}' stroke='#eee'/>"
                     f"<text x='{x:.1f}' y='{height - BOTTOM + 14}' font-size='10' text-anchor='middle'>{tick:g}</text>")
    for i, (label, arrived, produced) in enumerate(rows):
        y = y_of(i)
        parts.append(f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='9' text-anchor='end'>{escape(label)}</text>")
        parts.extend(f"<line x1='{x_of(p):.1f}' y1='{y - 5:.1f}' x2='{x_of(p):.1f}' y2='{y + 5:.1f}' stroke='#999'/>"
                     for p in produced)
        parts.extend(f"<circle cx='{x_of(a):.1f}' cy='{y:.1f}' r='2.2' fill='{COLOURS[0]}'/>" for a in arrived)
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
    x_of = _scale(0, x_hi, LEFT, WIDTH - RIGHT)
    y_of = _scale(0, y_hi, HEIGHT - BOTTOM, TOP)
    parts = [_axes(title, x_label, y_label)]
    for tick in _ticks(0, y_hi):
        y = y_of(tick)
        parts.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#eee'/>"
                     f"<text x='{LEFT - 4}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>{tick:g}</text>")
    for tick in _ticks(0, x_hi):
        x = x_of(tick)
        parts.append(f"<text x='{x:.1f}' y='{HEIGHT - BOTTOM + 14}' font-size='10' text-anchor='middle'>{tick:g}</text>")
    for x, label in marks:
        parts.append(f"<line x1='{x_of(x):.1f}' y1='{HEIGHT - BOTTOM}' x2='{x_of(x):.1f}' y2='{TOP}' stroke='#999' "
                     f"stroke-dasharray='4'/><text x='{x_of(x) + 3:.1f}' y='{TOP + 10}' font-size='9'>{escape(label)}</text>")
    for index, (name, pts) in enumerate(series.items()):
        shown = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in pts if y == y and math.isfinite(y))
        if shown:
            parts.append(f"<polyline fill='none' stroke='{_colour(index)}' stroke-width='1.5' points='{shown}'/>")
            parts.append(_legend(index, name))
    return _svg(parts)


def _svg(parts: list[str], height: int = HEIGHT) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
            f"style='background:#fff;font-family:sans-serif'>{''.join(parts)}</svg>")


def _axes(title: str, x_label: str, y_label: str, height: int = HEIGHT) -> str:
    return (f"<text x='{LEFT}' y='{TOP - 6}' font-size='12' font-weight='bold'>{escape(title)}</text>"
            f"<line x1='{LEFT}' y1='{height - BOTTOM}' x2='{WIDTH - RIGHT}' y2='{height - BOTTOM}' stroke='#333'/>"
            f"<line x1='{LEFT}' y1='{height - BOTTOM}' x2='{LEFT}' y2='{TOP}' stroke='#333'/>"
            f"<text x='{(LEFT + WIDTH - RIGHT) / 2}' y='{height - 8}' font-size='11' text-anchor='middle'>{escape(x_label)}</text>"
            f"<text x='12' y='{(TOP + height - BOTTOM) / 2}' font-size='11' text-anchor='middle' "
            f"transform='rotate(-90 12 {(TOP + height - BOTTOM) / 2})'>{escape(y_label)}</text>")


def _legend(index: int, name: str) -> str:
    y = TOP + 10 + index * 16
    return (f"<rect x='{WIDTH - RIGHT + 6}' y='{y - 8}' width='10' height='10' fill='{_colour(index)}'/>"
            f"<text x='{WIDTH - RIGHT + 20}' y='{y + 1}' font-size='10'>{escape(name[:48])}</text>")


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    raw = (hi - lo) / count or 1.0
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= step * factor:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step) + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    for decade in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            value = m * 10 ** decade
            if lo <= math.log10(value) <= hi:
                ticks.append(value)
    return ticks


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return "" if value is None else str(value)
