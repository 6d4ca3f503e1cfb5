"""Checking a result folder: do the metrics recomputed from samples.jsonl equal those result.json stored?"""

from __future__ import annotations

import math
from typing import Any

from rmeval.metrics import Metrics

__all__ = ["close", "differences"]


def close(a: Any, b: Any) -> bool:
    """Equal numbers within 1e-12 (NaN equals NaN), recursively through lists and dicts.

    >>> close({"x": [0.5, float("nan")]}, {"x": [0.5 + 1e-15, float("nan")]}), close([1.0], [1.1])
    (True, False)
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    return bool(a == b)


def differences(recomputed: Metrics, stored: Metrics) -> list[str]:
    """What differs between recomputed metrics and stored ones (intervals only when both have them)."""
    out = []
    if not close(recomputed.score, stored.score):
        out.append(f"score: stored {100 * stored.score:.4f} %, recomputed {100 * recomputed.score:.4f} %")
    for name, m in stored.subsets.items():
        r = recomputed.subsets.get(name)
        if r is None or not close(r.accuracy, m.accuracy):
            out.append(f"subset {name}: stored {100 * m.accuracy:.4f} %, recomputed "
                       f"{'missing' if r is None else f'{100 * r.accuracy:.4f} %'}")
    extra = [k for k in recomputed.subsets if k not in stored.subsets]
    if extra:
        out.append(f"subsets not in result.json: {', '.join(extra)}")
    ci_a, ci_b = recomputed.extra.get("ci"), stored.extra.get("ci")
    if isinstance(ci_a, dict) and isinstance(ci_b, dict) and not close(ci_a, ci_b):
        out.append("bootstrap intervals differ from those stored")
    return out
