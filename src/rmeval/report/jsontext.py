"""JSON output that strict parsers (browsers, jq) accept: NaN and infinities become null."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["finite", "to_json"]


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None, through dicts, lists and tuples.

    >>> finite({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text of `value` (anything not JSON-native is written with `str`)."""
    return json.dumps(finite(value), indent=indent, ensure_ascii=False, allow_nan=False, default=str)
