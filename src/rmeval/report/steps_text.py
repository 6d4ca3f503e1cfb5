"""The step view as text: per subset, where the model first objects compared with the labelled first error, and a
histogram of the offset (objection minus label)."""

from __future__ import annotations

from collections.abc import Mapping

from rmeval.analysis.steps import OFFSET_RANGE, StepView

__all__ = ["format_step_views"]

BAR = 30
"""Characters of the longest histogram bar."""


def _label(offset: int) -> str:
    if offset == -OFFSET_RANGE:
        return f"<={offset:+d}"
    if offset == OFFSET_RANGE:
        return f">={offset:+d}"
    return f"{offset:+d}" if offset else "0"


def format_step_views(views: Mapping[str, StepView]) -> str:
    """The table of first objections per subset, then each subset's offset histogram."""
    if not views:
        return ""
    width = max([len(s) for s in views] + [12])
    heads = ("n", "exact", "early", "late", "missed", "no error", "false alarm", "unscored")
    lines = ["Where the model first objects, against the labelled first error (erroneous solutions: exact, early, "
             "late, missed; correct ones: no error agreed, false alarm; unscored: a step without a score)",
             f"  {'subset':<{width}}" + "".join(f"  {h:>11}" for h in heads)]
    for name, v in views.items():
        cells = (v.n, v.exact, v.early, v.late, v.missed, v.no_error_agreed, v.false_alarm, v.failed)
        lines.append(f"  {name:<{width}}" + "".join(f"  {c:>11}" for c in cells))
    for name, v in views.items():
        bins = v.histogram()
        if not any(bins):
            continue
        peak = max(bins)
        lines += ["", f"{name}: offset of the first objection from the first error (steps; negative: too early)"]
        for i, count in enumerate(bins):
            bar = "#" * round(BAR * count / peak) if count else ""
            lines.append(f"  {_label(i - OFFSET_RANGE):>5}  {count:>6}  {bar}")
    return "\n".join(lines)
