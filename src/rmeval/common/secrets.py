"""Keeping secrets out of everything rmeval writes or prints: API keys, tokens, and credentials inside URLs.

A server may echo a key back in any shape: whole, cut at any byte (an error body shortened for a message), or
split across lines. `redact` masks every run of `FRAGMENT` or more characters in a row that belongs to a secret, so
no prefix, suffix or middle piece long enough to matter survives. `mask_url` and `mask_command` remove credentials
from URLs (`https://user:pass@host`, `?api_key=...`) before they are recorded.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit

__all__ = ["FRAGMENT", "MASK", "mask_command", "mask_url", "redact", "url_secrets"]

MASK = "***"
FRAGMENT = 8
"""The shortest piece of a secret that is masked (a shorter secret is masked whole): long enough that ordinary text
never matches a random key by chance, short enough that no useful part of one is left."""

_USERINFO = re.compile(r"(?<=://)[^/?#@\s]+@")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:api[_-]?key|key|token|access[_-]?token|secret|password|sig|signature)=)"
                           r"[^&#\s]+")


def redact(text: str, secrets: str | Iterable[str | None] | None) -> str:
    """`text` with every piece of any of `secrets` masked (`FRAGMENT` characters or more in a row).

    >>> redact("bad key sk-123 given", "sk-123")
    'bad key *** given'
    >>> key = "sk-live-0123456789abcdef"
    >>> redact(f"cut: {key[:13]}| and {key[9:]}.", key)
    'cut: ***| and ***.'
    """
    pieces = [secrets] if isinstance(secrets, str) else [s for s in secrets or () if s]
    if not text or not pieces:
        return text
    covered = [False] * len(text)
    for secret in pieces:
        size = min(FRAGMENT, len(secret))
        grams = sorted({secret[i:i + size] for i in range(len(secret) - size + 1)})
        pattern = re.compile("(?=(" + "|".join(map(re.escape, grams)) + "))")  # overlapping, in one C pass
        for match in pattern.finditer(text):
            start = match.start()
            for i in range(start, start + size):
                covered[i] = True
    if not any(covered):
        return text
    out, i = [], 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(MASK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries: its password, `user:password`, the Basic credentials a client makes of them,
    and query values of key-like names.

    >>> url_secrets("https://me:hunter22@host/v1")[:2]
    ['hunter22', 'me:hunter22']
    """
    out: list[str] = []
    parts = urlsplit(url)
    if parts.password:
        user, password = unquote(parts.username or ""), unquote(parts.password)
        pair = f"{user}:{password}"
        out += [password, pair, base64.b64encode(pair.encode("utf-8")).decode("ascii")]
        out += [s for s in (parts.password, f"{parts.username}:{parts.password}") if s not in out]
    elif parts.username:
        out.append(unquote(parts.username))  # a token given as the user part
    out += [m.group(0).split("=", 1)[1] for m in _QUERY_SECRET.finditer(url)]
    return out


def mask_url(text: str) -> str:
    """`text` with the credentials of every URL in it masked.

    >>> mask_url("https://me:hunter22@host/v1?api_key=abc&x=1")
    'https://***@host/v1?api_key=***&x=1'
    """
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, _USERINFO.sub(MASK + "@", text))


def mask_command(argv: Sequence[str]) -> list[str]:
    """A command line as it may be recorded: URL credentials masked in every argument."""
    return [mask_url(a) for a in argv]
