"""The pairwise path beside the pointwise one: models that read a prompt and two answers in one input (PairRM-style
rankers, verdict-probability judges) and say how much better the first answer is.

Every pair of an example's answers is read in both orders. Each ordered pair `(first, second)` is one input; the
inputs of a whole run are flattened, deduplicated, sorted by length and packed by the token budget within the run's
blocks (`local.py`, shared with the pointwise adapter), then regrouped per example.

A model returns, per ordered pair, `l(first, second)`: the log-odds that the first answer is the better one. The two
orders of a pair make one preference, by a rule each model family states:

- `logit`: `p(a, b) = (l(a, b) - l(b, a)) / 2` (PairRM: the difference of the two orders' logits);
- `probability`: `p(a, b) = (s(l(a, b)) + 1 - s(l(b, a))) / 2 - 1/2` with `s` the logistic function (the mean
  probability that `a` wins, centred on 0: the pair-preference-model rule).

An answer's score is its mean preference over every other answer of its example: in a pair the chosen answer
scores `p(c, r)` and the rejected one `-p(c, r)`; in best-of-N the answer preferred on average ranks first. The two
orders agree when `l(a, b)` and `l(b, a)` have opposite signs; pairs where they do not are counted per subset as
`inconsistent`, beside `comparisons`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rmeval.inference.batching import Batching
from rmeval.inference.guards import RewardGuard
from rmeval.inference.local import Encoded, LocalScorer
from rmeval.protocol import Progress
from rmeval.types import Example, Message, Scored

if TYPE_CHECKING:
    from rmeval.inference.parallel import Share
    from rmeval.inference.precision import FastExact
    from rmeval.inference.scorestore import ScoreStore

__all__ = ["COMBINE_RULES", "OrderedPair", "PairwiseModel", "PairwiseScorer", "combine"]

COMBINE_RULES = ("logit", "probability")
P = TypeVar("P", bound=Encoded)


@dataclass(frozen=True)
class OrderedPair:
    """Two answers to one prompt, in the order the model reads them."""

    prompt: tuple[Message, ...]
    first: str
    second: str


class PairwiseModel(Protocol[P]):
    """A model that reads a prompt and two answers and gives the log-odds that the first is better."""

    def encode(self, pairs: Sequence[OrderedPair]) -> list[P]:
        """Tokenize ordered pairs (all at once)."""
        ...

    def preferences(self, batch: Sequence[P]) -> list[float]:
        """`l(first, second)` of each input of one batch, in order."""
        ...

    def fingerprint(self) -> dict[str, Any] | None:
        """Everything besides the encoding that decides a preference (the score store's key)."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model's part of the run spec."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def combine(rule: str, ab: float, ba: float) -> float:
    """One preference of `a` over `b` from both orders' log-odds (see the module's rules).

    >>> combine("logit", 3.0, -1.0), combine("probability", 0.0, 0.0)
    (2.0, 0.0)
    >>> round(combine("probability", 2.0, -2.0), 4)
    0.3808
    """
    if rule == "logit":
        return (ab - ba) / 2
    if rule == "probability":
        return (_logistic(ab) + 1.0 - _logistic(ba)) / 2 - 0.5
    raise ValueError(f"the combination rule must be one of {', '.join(COMBINE_RULES)}, got {rule!r}")


class PairwiseScorer(LocalScorer[OrderedPair, P]):
    """Reads every ordered pair of every example once, in length-sorted token-budget batches, and regroups."""

    def __init__(self, model: PairwiseModel[P], batching: Batching, rule: str = "logit", tie_credit: float = 0.0,
                 guard: RewardGuard | None = None, store: ScoreStore | None = None,
                 share: Share | None = None, fast_exact: FastExact | None = None) -> None:
        combine(rule, 0.0, 0.0)  # an unknown rule fails here, before any scoring
        super().__init__(batching, store, share, fast_exact)
        self.model = model
        self.rule = rule
        self.tie_credit = tie_credit
        self.guard = guard
        self.totals: dict[str, int] = {}

    @property
    def weights(self) -> object:
        """The model: it holds the torch modules."""
        return self.model

    @staticmethod
    def ordered_pairs(examples: Sequence[Example]) -> list[OrderedPair]:
        """Every ordered pair of distinct answers of every example, first seen first, each once."""
        seen: dict[OrderedPair, None] = {}
        for ex in examples:
            answers = ex.candidates
            for i, a in enumerate(answers):
                for j, b in enumerate(answers):
                    if i != j:
                        seen.setdefault(OrderedPair(ex.prompt, a, b), None)
        return list(seen)

    def keys(self, example: Example) -> list[OrderedPair]:
        """The example's ordered pairs of answers."""
        return self.ordered_pairs([example])

    def encode_keys(self, keys: Sequence[OrderedPair]) -> list[P]:
        """The model's encodings of ordered pairs."""
        return self.model.encode(keys)

    def forward(self, batch: Sequence[P]) -> list[float]:
        """The model's log-odds that the first answer is better, checked by the guard."""
        values = self.model.preferences(batch)
        if self.guard is not None:
            self.guard.check(batch, values)
        return values

    def combine(self, example: Example, values: Mapping[OrderedPair, float]) -> Scored:
        """Both orders of every pair made one preference; each answer its mean preference."""
        return self._scored(example, values)

    def input_counts(self, examples: Sequence[Example]) -> dict[str, int]:
        """Ordered pairs, and distinct ones."""
        pairs = [k for ex in examples for k in self.keys(ex)]
        return {"ordered_pairs": len(set(pairs)), "unique_inputs": len(set(self.encode(list(set(pairs)))))}

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Read both orders of every pair, combine them, and give each answer its mean preference."""
        scored = self.compute(examples, progress)
        counts = {**self.stats, "comparisons": sum(s.details["counts"]["comparisons"] for s in scored),
                  "inconsistent": sum(s.details["counts"]["inconsistent"] for s in scored)}
        # A run scores its benchmark, then each companion set: the statistics cover them all.
        self.totals = {k: self.totals.get(k, 0) + v for k, v in counts.items()}
        return scored

    def _scored(self, ex: Example, logit: Mapping[OrderedPair, float]) -> Scored:
        answers = ex.candidates
        n = len(answers)
        table = [[None if i == j else logit[OrderedPair(ex.prompt, a, b)] for j, b in enumerate(answers)]
                 for i, a in enumerate(answers)]
        totals = [0.0] * n
        inconsistent = 0
        for i in range(n):
            for j in range(i + 1, n):
                ab, ba = float(table[i][j]), float(table[j][i])  # type: ignore[arg-type]
                p = combine(self.rule, ab, ba)
                totals[i] += p
                totals[j] -= p
                inconsistent += (ab > 0) == (ba > 0) or ab == 0 or ba == 0
        scores = tuple(t / (n - 1) for t in totals)
        k = len(ex.chosen)
        details = {"pairwise": {"logits": table}, "counts": {"comparisons": n * (n - 1) // 2,
                                                             "inconsistent": int(inconsistent)}}
        return Scored(ex, scores[:k], scores[k:], details)

    def conventions(self) -> dict[str, Any]:
        """How the two orders and the answers' comparisons become scores (recorded in result.json)."""
        return {"pairwise": {
            "orders": "both: every pair of answers read as (a, b) and as (b, a)",
            "combine": self.rule,
            "rule": "(l(a,b) - l(b,a)) / 2" if self.rule == "logit"
            else "(s(l(a,b)) + 1 - s(l(b,a))) / 2 - 1/2, s the logistic function",
            "score": "an answer's mean preference over every other answer of its example",
            "inconsistent": "both orders prefer the same position (counted in counts.inconsistent)",
        }}

    def describe(self) -> dict[str, Any]:
        """The model's description, batching settings and statistics, and the order consistency."""
        comparisons = self.totals.get("comparisons", 0)
        consistency = 1 - self.totals["inconsistent"] / comparisons if comparisons else None
        core = self.describe_core()
        core["batching"] = {**self.batching.describe(), **self.totals}
        return {**self.model.describe(), "combine": self.rule, "order_consistency": consistency, **core,
                **({"guards": self.guard.describe()} if self.guard else {})}

    def close(self) -> None:
        """Close the model and the stores."""
        self.model.close()
        self.close_core()
