"""HTML building blocks of the leaderboard site: the page shell and escaped cells. Every text goes through `esc`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["CSP", "ci_text", "esc", "header_text", "page", "pct", "table", "value_cell"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
       "form-action 'none'")
"""Scripts and styles only from the site's own files: even a text that escaped escaping could run nothing."""


def esc(value: Any) -> str:
    """Text made safe for HTML content and quoted attributes.

    >>> esc('<img src=x onerror=alert(1)> & "q"')
    '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;'
    """
    return escape(str(value), quote=True)


def header_text(text: str) -> str:
    """A header's escaped text whose lines may break only between its words, never inside one (not even at a
    hyphen: `livebench-reasoning` stays whole).

    >>> header_text("Chat Hard")
    '<span class="word">Chat</span> <span class="word">Hard</span>'
    """
    return " ".join(f'<span class="word">{esc(word)}</span>' for word in str(text).split())


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def pct(x: Any, digits: int = 2) -> str:
    """A fraction as a percentage, or n/a."""
    return f"{100 * x:.{digits}f}" if _finite(x) else "n/a"


def ci_text(ci: Sequence[Any] | None) -> str:
    """`[lo, hi]` in percent, or nothing when there is no finite interval."""
    if ci is None or len(ci) != 2 or not all(_finite(c) for c in ci):
        return ""
    return f"[{100 * ci[0]:.2f}, {100 * ci[1]:.2f}]"


def value_cell(x: Any, ci: Sequence[Any] | None = None, href: str | None = None, cls: str = "") -> str:
    """A numeric cell that sorts by its value; its interval shown small beside it (the value a link to `href`;
    `cls` further classes of the cell)."""
    sort = f"{x:.10g}" if _finite(x) else ""
    interval = ci_text(ci)
    extra = f' <span class="ci">{esc(interval)}</span>' if interval else ""
    value = f'<a href="{esc(href)}">{esc(pct(x))}</a>' if href else esc(pct(x))
    classes = f"num {cls}".strip()
    return f'<td role="cell" class="{esc(classes)}" data-value="{esc(sort)}">{value}{extra}</td>'


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] | None = None,
          cls: str = "") -> str:
    """A static table; `rows` hold cell HTML already escaped by the caller (or plain text passed through esc)."""
    numeric = numeric or [False] * len(headers)
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if n else ""}>{header_text(h)}</th>'
                   for h, n in zip(headers, numeric, strict=True))
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    klass = f' class="{esc(cls)}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str, root: str = "") -> str:
    """A whole page: strict CSP, the site's stylesheet and script, nothing from elsewhere."""
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<link rel="stylesheet" href="{esc(root)}assets/leaderboard.css"></head>\n<body>\n{body}\n'
        f'<script src="{esc(root)}assets/leaderboard.js"></script>\n</body></html>\n'
    )
