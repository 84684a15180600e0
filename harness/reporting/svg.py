"""What every chart of the report shares: one palette, HTML pages and tables, SVG documents,
scales, axis ticks and text, all escaped. Charts are self-contained HTML with inline SVG: no
scripts, no outside requests.

Used by :mod:`harness.reporting.charts` (request and chunk timelines) and
:mod:`harness.load.charts` (latency distributions, throughput bars, chunk timelines).
"""

from __future__ import annotations

import html
import math
from typing import Any, Callable, Iterable, Sequence

#: One colour per series, batch or server, in this order (Tableau 10).
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]
NEUTRAL = "#6b8fb5"   # things that belong to no series (a request no batch claimed)
INK = "#333"          # axes, ticks that mark a moment
GRID = "#e3e3e3"      # grid lines
MUTED = "#555"        # axis numbers


def colour(index: int) -> str:
    """The palette's colour for the ``index``-th series (wrapping round)."""
    return PALETTE[index % len(PALETTE)]


def escape(value: Any) -> str:
    """``value`` as text safe inside HTML or SVG (None is empty)."""
    return "" if value is None else html.escape(str(value))


def page(title: str, *parts: str) -> str:
    """A self-contained HTML page: the title, then each part in its own block."""
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title) + "</title></head>"
            "<body style='font-family:sans-serif;font-size:13px;margin:12px'><h3 style='margin:0 0 6px'>"
            + escape(title) + "</h3>" + "".join(f"<div style='margin:12px 0'>{part}</div>" for part in parts)
            + "</body></html>")


def table(rows: Sequence[dict[str, Any]], caption: str = "", fmt: Callable[[Any], str] | None = None) -> str:
    """An HTML table with one column per key of the first row; ``fmt`` writes each value (default: rounded)."""
    if not rows:
        return "<p>(no figures)</p>"
    fmt = fmt or number
    header = list(rows[0])
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(fmt(row.get(h)))}</td>" for h in header) + "</tr>" for row in rows)
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (f"<table border='1' cellpadding='4' style='border-collapse:collapse;font-size:13px'>{cap}"
            f"<tr>{head}</tr>{body}</table>")


def number(value: Any) -> str:
    """A figure for a table: 3 significant digits below 10, one decimal above; None is empty."""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return "" if value is None else str(value)


def document(width: int, height: int, parts: Iterable[str]) -> str:
    """An SVG element of ``width`` x ``height`` that scales down with the page."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="width:100%;max-width:{width}px;height:auto;background:#fff" '
            f'font-family="sans-serif" role="img">' + "".join(parts) + "</svg>")


def linear(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    """Maps [lo, hi] onto [out_lo, out_hi] (pixels)."""
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi], about ``count`` of them."""
    raw = (hi - lo) / count or 1.0
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= step * factor:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def log_ticks(lo: float, hi: float) -> list[float]:
    """1, 2, 5 times each power of ten whose log10 lies in [lo, hi]."""
    found = []
    for decade in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            value = m * 10 ** decade
            if lo <= math.log10(value) <= hi:
                found.append(value)
    return found


def text(x: float, y: float, content: Any, size: int = 11, anchor: str = "start", fill: str = "#444",
         bold: bool = False) -> str:
    """An escaped SVG text at (x, y)."""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{weight} fill="{fill}">'
            f'{escape(content)}</text>')


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, dashed: bool = False) -> str:
    """An SVG line."""
    dash = ' stroke-dasharray="3"' if dashed else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{dash} />'
