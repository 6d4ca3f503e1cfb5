"""Published layouts whose fields are nested, turned into flat prompt / chosen / rejected rows: BIG-bench task files
(the HHH alignment tasks) and OpenAI's summarize-from-feedback comparisons. An error names the authors' field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmeval.data.errors import DataError
from rmeval.data.layouts.common import get_field
from rmeval.data.published import Published, register_published

__all__ = ["BIG_BENCH", "SUMMARIZE"]


def _bigbench(row: Mapping[str, Any], source: str, row_no: int) -> dict[str, Any]:
    """One BIG-bench example: the best-scored target is chosen, the others rejected."""
    targets = row.get("target_scores")
    if not isinstance(targets, Mapping) or len(targets) < 2:
        raise DataError(source, "expected an object of at least two answers and their scores", row=row_no,
                        field="target_scores")
    for text, score in targets.items():
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise DataError(source, f"the score of {str(text)[:40]!r} is {score!r}, not a number", row=row_no,
                            field="target_scores")
    best = max(targets.values())
    chosen = [text for text, score in targets.items() if score == best]
    if len(chosen) != 1:
        raise DataError(source, f"{len(chosen)} answers share the best score {best}: no single one is chosen",
                        row=row_no, field="target_scores")
    rejected = [text for text, score in targets.items() if score != best]
    rest = {k: v for k, v in row.items() if k not in ("input", "target_scores")}
    return {**rest, "prompt": row.get("input"), "chosen": chosen[0],
            "rejected": rejected[0] if len(rejected) == 1 else rejected}


BIG_BENCH = register_published(Published(
    "big-bench", "BIG-bench task", frozenset({"input", "target_scores"}), convert=_bigbench,
))
"""BIG-bench JSON tasks (github.com/google/BIG-bench, `bigbench/benchmark_tasks/<task>/task.json`): an object whose
`examples` hold an `input` and `target_scores`, each candidate answer mapped to its score, the correct one highest
(hub `HuggingFaceH4/hhh_alignment` README.md, taken from BIG-bench's `hhh_alignment`: "assigning the correct target a
score of 1, and all incorrect targets a score of 0"; its four task files `harmless`, `helpful`, `honest`, `other`
hold 58, 59, 61 and 43 examples, RewardBench's 221 `anthropic_hhh` pairs). The `input` is the prompt as written;
an example with more than two targets is best-of-N. The BIG-bench repository itself could not be read here: the
layout is as the HHH card and the evaluation harnesses that read those files describe it (unverified at the source)."""


def _summarize(row: Mapping[str, Any], source: str, row_no: int) -> dict[str, Any]:
    """One comparison: the post is the prompt, `choice` names the preferred of the two summaries."""
    choice = row.get("choice")
    summaries = row.get("summaries")
    if not isinstance(summaries, list) or len(summaries) != 2:
        raise DataError(source, "expected a list of two summaries", row=row_no, field="summaries")
    if isinstance(choice, bool) or choice not in (0, 1):
        raise DataError(source, f"expected 0 or 1 (the preferred summary), got {choice!r}", row=row_no,
                        field="choice")
    info = get_field(row, "info", source, row_no)
    post = info.get("post") if isinstance(info, Mapping) else None
    prompt = post if post is not None else get_field(row, "info.article", source, row_no)
    texts = []
    for i, summary in enumerate(summaries):
        if not isinstance(summary, Mapping) or "text" not in summary:
            raise DataError(source, "expected a summary with a `text`", row=row_no, field=f"summaries[{i}].text")
        texts.append(summary["text"])
    rest = {k: v for k, v in row.items() if k not in ("summaries", "choice")}
    return {**rest, "prompt": prompt, "chosen": texts[choice], "rejected": texts[1 - choice]}


SUMMARIZE = register_published(Published(
    "summarize-from-feedback", "summarize from feedback comparisons", frozenset({"info", "summaries", "choice"}),
    convert=_summarize,
))
"""github.com/openai/summarize-from-feedback @065ea4e, README.md "Comparisons": `comparisons/batch*.json`, JSON
Lines, each `{info: {id, post, title, subreddit} (CNN/DM: article), summaries: [{text, policy, note}, two of them],
choice: the index of the preferred summary, worker, batch, split: train | valid1 | valid2, extra: {confidence}}`.
The prompt is the post (or article) as written; the title, subreddit, split and the rest stay with the example."""
