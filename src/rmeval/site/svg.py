"""Small inline SVG charts for the leaderboard pages: no plotting library, no script, every label escaped.

Colours and strokes are SVG presentation attributes (not `style`), so a strict Content-Security-Policy holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["bar_chart", "histograms", "line_chart"]

BLUE, ORANGE, GREY, INK = "#2a7ab0", "#d9822b", "#c8ccd2", "#222"


LABEL_CHARS = 30
"""Row labels longer than this (RMB's category paths) are shortened in the chart; the full text is its tooltip."""


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11, fill: str = INK,
          limit: int | None = None) -> str:
    shown = text if limit is None or len(text) <= limit else "\u2026" + text[-(limit - 1):]
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{tip}{escape(shown)}</text>")


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" role="img" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def bar_chart(items: Sequence[tuple[str, float, Sequence[float] | None]], title: str, width: int = 560) -> str:
    """Horizontal bars of percentages (values in [0, 1]) with interval whiskers; NaN values drawn as 'n/a'."""
    label_w, row_h, top = 190, 18, 24
    plot_w = width - label_w - 60
    height = top + row_h * len(items) + 24
    body = [_text(0, 14, title, size=12)]
    for tick in (0, 25, 50, 75, 100):
        x = label_w + plot_w * tick / 100
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" stroke="{GREY}" '
                    'stroke-width="0.5"/>')
        body.append(_text(x, height - 6, f"{tick}", anchor="middle", size=9))
    for i, (label, value, ci) in enumerate(items):
        y = top + i * row_h
        body.append(_text(label_w - 6, y + 12, label, anchor="end", limit=LABEL_CHARS))
        if not math.isfinite(value):
            body.append(_text(label_w + 4, y + 12, "n/a", size=10))
            continue
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{plot_w * max(0.0, min(1.0, value)):.1f}" '
                    f'height="{row_h - 6}" fill="{BLUE}"/>')
        if ci is not None and len(ci) == 2 and all(isinstance(c, (int, float)) and math.isfinite(c) for c in ci):
            x0, x1 = (label_w + plot_w * max(0.0, min(1.0, c)) for c in ci)
            body.append(f'<line x1="{x0:.1f}" y1="{y + 9}" x2="{x1:.1f}" y2="{y + 9}" stroke="{INK}" '
                        'stroke-width="1.2"/>')
        body.append(_text(width - 56, y + 12, f"{100 * value:.1f}", size=10))
    return _svg(width, height, title, body)


def line_chart(points: Sequence[tuple[str, float, int]], title: str, width: int = 560) -> str:
    """Accuracy (values in [0, 1]) over labelled bins, each point annotated with its count."""
    height, left, bottom, top = 230, 40, 60, 28
    plot_w, plot_h = width - left - 20, height - top - bottom
    body = [_text(0, 14, title, size=12)]
    for tick in (0, 50, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="{GREY}" '
                    'stroke-width="0.5"/>')
        body.append(_text(left - 4, y + 4, f"{tick} %", anchor="end", size=9))
    step = plot_w / max(1, len(points))
    coords = [(left + step * (i + 0.5), top + plot_h * (1 - max(0.0, min(1.0, v)))) for i, (_, v, _) in
              enumerate(points)]
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for (label, _, n), (x, y) in zip(points, coords, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}"/>')
        body.append(_text(x, y - 7, f"n={n}", anchor="middle", size=9))
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="9" text-anchor="end" fill="{INK}" '
                    f'transform="rotate(-35 {x:.1f} {height - bottom + 14})">{escape(label)}</text>')
    return _svg(width, height, title, body)


def histograms(counts: Mapping[str, Sequence[int]], lo: float, hi: float, title: str, width: int = 560) -> str:
    """Small multiples: one histogram row per subset over the shared range [lo, hi]; the zero line drawn and
    labelled, and a legend of the two colours (margins above zero: the chosen answer wins)."""
    label_w, row_h, top = 190, 34, 42
    plot_w = width - label_w - 10
    height = top + row_h * len(counts) + 22
    body = [_text(0, 14, title, size=12)]
    for i, (colour, label) in enumerate(((BLUE, "chosen scored higher (margin > 0)"),
                                         (ORANGE, "rejected scored as high or higher (margin \u2264 0)"))):
        x = 4 + i * 250
        body.append(f'<rect x="{x}" y="21" width="10" height="10" fill="{colour}"/>')
        body.append(_text(x + 14, 30, label, size=10))
    zero = label_w + plot_w * (0 - lo) / (hi - lo) if lo <= 0 <= hi else None
    for i, (name, row) in enumerate(counts.items()):
        y = top + i * row_h
        peak = max(row) or 1
        bar_w = plot_w / max(1, len(row))
        body.append(_text(label_w - 6, y + row_h / 2 + 4, name, anchor="end", limit=LABEL_CHARS))
        for j, c in enumerate(row):
            h = (row_h - 6) * c / peak
            centre = lo + (hi - lo) * (j + 0.5) / max(1, len(row))
            colour = BLUE if centre > 0 else ORANGE
            body.append(f'<rect x="{label_w + bar_w * j:.1f}" y="{y + row_h - 3 - h:.1f}" width="{bar_w - 1:.1f}" '
                        f'height="{h:.1f}" fill="{colour}"/>')
    bottom = height - 20
    if zero is not None:
        body.append(f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{bottom}" stroke="{INK}" '
                    'stroke-width="1.2"/>')
        body.append(_text(zero, height - 6, "0", anchor="middle", size=9))
    body.append(_text(label_w, height - 6, f"{lo:.3g}", size=9))
    body.append(_text(width - 10, height - 6, f"{hi:.3g}", anchor="end", size=9))
    return _svg(width, height, title, body)
