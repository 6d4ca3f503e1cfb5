"""Token counts and cost of a judge run: prompt, completion and thinking tokens of every judgment (answers served
from the cache count too: they are the run's judgments), and with `--price IN,OUT` (per million tokens) their cost.

Thinking tokens are part of the completion tokens (as OpenAI's `reasoning_tokens` are, and Anthropic's output
tokens include the thinking), so the cost is prompt x IN + completion x OUT. A judgment whose engine reported no
counts is counted in `tokens_unreported`, not guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rmeval.scorers.judge.reading import Reading

__all__ = ["TOKEN_KEYS", "TokenTally", "cost_of", "parse_price"]

TOKEN_KEYS = ("prompt_tokens", "completion_tokens", "thinking_tokens", "tokens_unreported")


def parse_price(text: str | None) -> tuple[float, float] | None:
    """`--price IN,OUT`: dollars (or any currency) per million prompt and completion tokens.

    >>> parse_price("2.5,10"), parse_price(None)
    ((2.5, 10.0), None)
    """
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2 or any(v < 0 for v in values):
        raise ValueError(f"--price {text!r}: expected IN,OUT, the price of a million prompt and of a million "
                         "completion tokens, such as 2.5,10")
    return values[0], values[1]


def cost_of(counts: Mapping[str, int], price: tuple[float, float]) -> float:
    """The cost of the tokens in `counts` at `price` per million.

    >>> cost_of({"prompt_tokens": 2_000_000, "completion_tokens": 500_000}, (2.5, 10.0))
    10.0
    """
    return (counts.get("prompt_tokens", 0) * price[0] + counts.get("completion_tokens", 0) * price[1]) / 1e6


class TokenTally:
    """The token counts of a run's judgments, and their cost at a price."""

    def __init__(self, price: tuple[float, float] | None = None) -> None:
        self.price = price
        self.totals = dict.fromkeys(TOKEN_KEYS, 0)

    @staticmethod
    def counts(readings: Iterable[Reading]) -> dict[str, int]:
        """The token counters of some judgments (an example's, in its `details.counts`)."""
        out = dict.fromkeys(TOKEN_KEYS, 0)
        for r in readings:
            a = r.answer
            if a is None or a.text is None:
                continue
            if a.prompt_tokens is None and a.completion_tokens is None:
                out["tokens_unreported"] += 1
                continue
            out["prompt_tokens"] += a.prompt_tokens or 0
            out["completion_tokens"] += a.completion_tokens or 0
            out["thinking_tokens"] += a.thinking_tokens or 0
        return out

    def add(self, readings: Iterable[Reading]) -> None:
        """Count some judgments in the run's totals."""
        for k, v in self.counts(readings).items():
            self.totals[k] += v

    def describe(self) -> dict[str, Any]:
        """Totals, and the price and cost when a price was given."""
        out: dict[str, Any] = dict(self.totals)
        if self.price is not None:
            out["price_per_million"] = {"prompt": self.price[0], "completion": self.price[1]}
            out["cost"] = round(cost_of(self.totals, self.price), 6)
        return out
