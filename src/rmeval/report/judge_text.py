"""The judge's part of the report: verdicts lost to the token budget, unparseable and failed apart from wrong ones,
the accuracy over complete examples beside the score, and the tokens and cost of the run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmeval.scoring import Metrics

__all__ = ["JUDGE_COLUMNS", "judge_tables", "price_of"]

JUDGE_COLUMNS = {"judgements": "judged", "lost_to_budget": "lost budget", "unparseable": "unparseable",
                 "failed_requests": "failed req.", "inconsistent": "inconsistent", "scored_by_policy": "by policy",
                 "complete": "complete", "wrong": "wrong"}
TOKEN_COLUMNS = {"prompt_tokens": "prompt", "completion_tokens": "completion", "thinking_tokens": "thinking",
                 "tokens_unreported": "unreported"}


def price_of(scorer: Mapping[str, Any]) -> tuple[float, float] | None:
    """The price per million prompt and completion tokens a judge run recorded (`spec.scorer.tokens`), if any."""
    tokens = scorer.get("tokens")
    price = tokens.get("price_per_million") if isinstance(tokens, dict) else None
    if not isinstance(price, dict):
        return None
    return float(price.get("prompt", 0.0)), float(price.get("completion", 0.0))


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}"


def judge_tables(metrics: Metrics, width: int, price: tuple[float, float] | None = None) -> list[str]:
    """The verdict table per subset, the score over complete examples, and the token and cost table."""
    counts = metrics.counts
    lines = ["", "Judge verdicts: judgments lost to the token budget, unparseable and failed are counted apart (the "
                 "examples where every judge failed are scored by the failure policy); complete: examples whose every "
                 "judgment gave a verdict; wrong: complete examples that earned no credit",
             f"  {'subset':<{width}}" + "".join(f"  {label:>12}" for label in JUDGE_COLUMNS.values())
             + f"  {'acc % compl.':>12}"]
    for subset, row in counts.items():
        done = metrics.completed.get(subset)
        acc = _pct(done.accuracy) if done is not None else "-"
        lines.append(f"  {subset:<{width}}" + "".join(f"  {row.get(k, 0):>12}" for k in JUDGE_COLUMNS)
                     + f"  {acc:>12}")
    if metrics.completed_score is not None:
        n = sum(m.n for m in metrics.completed.values())
        total = sum(m.n for m in metrics.subsets.values())
        lines.append(f"Score over complete examples ({n} of {total}): {_pct(metrics.completed_score).strip()} %   "
                     f"(the score: {_pct(metrics.score).strip()} %)")
    if any(k in row for row in counts.values() for k in TOKEN_COLUMNS):
        lines += ["", "Tokens of the run's judgments (thinking is part of completion)" +
                  ("; cost at the price per million given" if price else ""),
                  f"  {'subset':<{width}}" + "".join(f"  {label:>12}" for label in TOKEN_COLUMNS.values())
                  + (f"  {'cost':>12}" if price else "")]
        totals = {k: 0 for k in TOKEN_COLUMNS}
        for subset, row in [*counts.items(), ("total", totals)]:
            if subset != "total":
                for k in TOKEN_COLUMNS:
                    totals[k] += row.get(k, 0)
            cost = f"  {_cost(row, price):>12}" if price else ""
            lines.append(f"  {subset:<{width}}" + "".join(f"  {row.get(k, 0):>12}" for k in TOKEN_COLUMNS) + cost)
    return lines


def _cost(row: Mapping[str, int], price: tuple[float, float] | None) -> str:
    if price is None:
        return ""
    return f"{(row.get('prompt_tokens', 0) * price[0] + row.get('completion_tokens', 0) * price[1]) / 1e6:.4f}"
