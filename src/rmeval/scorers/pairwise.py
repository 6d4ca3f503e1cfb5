"""The pairwise path beside the pointwise one: models that read a prompt and two answers in one input (PairRM-style
rankers, verdict-probability judges) and say how much better the first answer is.

Every pair of an example's answers is read in both orders. Each ordered pair `(first, second)` is one input; the
inputs of a whole run are flattened, deduplicated, sorted by length and packed by the token budget, as the
pointwise adapter does for single answers, then regrouped per example.

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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from rmeval.scorers.base import BaseScorer, Encoded, PointwiseScorer, Progress
from rmeval.scorers.batching import Batching
from rmeval.scorers.guards import RewardGuard
from rmeval.scorers.precision import ONE_DTYPE, fast_exact_values
from rmeval.types import Example, Message, Scored

if TYPE_CHECKING:
    from rmeval.benchmarks import BenchmarkSpec
    from rmeval.scorers.parallel import Share
    from rmeval.scorers.precision import FastExact
    from rmeval.scorers.scorestore import ScoreStore

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


class _Reader(Generic[P]):
    """A pairwise model seen as a pointwise one over its ordered-pair inputs, so the pointwise adapter's batching,
    score store and data-parallel shares serve it too; the guard checks every batch it computes."""

    def __init__(self, model: PairwiseModel[P], guard: RewardGuard | None) -> None:
        self.model = model
        self.guard = guard

    def encode(self, candidates: Sequence[Any]) -> list[P]:
        raise TypeError("a pairwise model encodes ordered pairs, through PairwiseScorer")

    def rewards(self, batch: Sequence[P]) -> list[float]:
        values = self.model.preferences(batch)
        if self.guard is not None:
            self.guard.check(batch, values)
        return values

    def fingerprint(self) -> dict[str, Any] | None:
        inner = self.model.fingerprint()
        return None if inner is None else {**inner, "output": "pairwise log-odds"}

    def describe(self) -> dict[str, Any]:
        return self.model.describe()

    def close(self) -> None:
        self.model.close()


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


class PairwiseScorer(BaseScorer, Generic[P]):
    """Reads every ordered pair of every example once, in length-sorted token-budget batches, and regroups."""

    def __init__(self, model: PairwiseModel[P], batching: Batching, rule: str = "logit", tie_credit: float = 0.0,
                 guard: RewardGuard | None = None, store: ScoreStore | None = None,
                 share: Share | None = None, fast_exact: FastExact | None = None) -> None:
        combine(rule, 0.0, 0.0)  # an unknown rule fails here, before any scoring
        self.model = model
        self.batching = batching
        self.rule = rule
        self.tie_credit = tie_credit
        self.guard = guard
        self.reader = PointwiseScorer(_Reader(model, guard), batching, store, share)
        self.fast_exact = fast_exact
        self.stats: dict[str, int] = {}
        self._encodings: dict[OrderedPair, P] = {}

    @property
    def store(self) -> ScoreStore | None:
        """Where every preference is kept as its batch finishes (None: nowhere)."""
        return self.reader.store

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

    def encode(self, pairs: Sequence[OrderedPair]) -> list[P]:
        """The pairs' encodings, each tokenized once per scorer (a shard's costs, then its preferences)."""
        missing = [p for p in dict.fromkeys(pairs) if p not in self._encodings]
        self._encodings.update(zip(missing, self.model.encode(missing), strict=True))
        return [self._encodings[p] for p in pairs]

    def total_work(self, examples: Sequence[Example]) -> int:
        """Progress counts distinct inputs."""
        return len(set(self.encode(self.ordered_pairs(examples))))

    def example_costs(self, examples: Sequence[Example]) -> list[int]:
        """Tokens of each example's ordered-pair inputs: what a `--shard` split balances."""
        return [sum(e.length for e in self.encode(self.ordered_pairs([ex]))) for ex in examples]

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Read both orders of every pair, combine them, and give each answer its mean preference."""
        pairs = self.ordered_pairs(examples)
        slots: dict[P, int] = {}
        slot_of = [slots.setdefault(e, len(slots)) for e in self.encode(pairs)]
        encoded = list(slots)
        done = (lambda batch: progress(len(batch))) if progress else None
        if self.fast_exact is not None:
            found, counters = self._fast_exact(examples, pairs, slot_of, encoded, done)
        else:
            found, counters = self.reader.values(encoded, range(len(encoded)), self.reader.store, done)
        logit = {p: found.get(slot_of[n], math.nan) for n, p in enumerate(pairs)}
        scored = [self._scored(ex, logit) for ex in examples]
        counts = {"ordered_pairs": len(pairs), "unique_inputs": len(encoded), **counters,
                  "comparisons": sum(s.details["counts"]["comparisons"] for s in scored),
                  "inconsistent": sum(s.details["counts"]["inconsistent"] for s in scored)}
        # A run scores its benchmark, then each companion set: the statistics cover them all.
        self.stats = {k: self.stats.get(k, 0) + v for k, v in counts.items()}
        return scored

    def _fast_exact(self, examples: Sequence[Example], pairs: Sequence[OrderedPair], slot_of: Sequence[int],
                    encoded: Sequence[P], done: Any) -> tuple[dict[int, float], dict[str, int]]:
        """Every input's log-odds in fast-exact precision: the close calls are the examples whose combined
        preferences could change their decision within bf16's error."""
        assert self.fast_exact is not None
        slot = {p: slot_of[n] for n, p in enumerate(pairs)}
        own = [self.ordered_pairs([ex]) for ex in examples]

        def regroup(which: Sequence[int], found: Sequence[float]) -> list[Scored]:
            return [self._scored(examples[i], {p: found[slot[p]] for p in own[i]}) for i in which]

        final, counters = fast_exact_values(self.fast_exact, self.model, examples,
                                            [[slot[p] for p in row] for row in own],
                                            partial(self.reader.values, encoded), regroup, self.reader.store, done)
        return dict(enumerate(final)), counters

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Fast-exact precision needs the benchmark's rules to know which decisions are close."""
        if self.fast_exact is not None:
            self.fast_exact.benchmark = benchmark

    def _scored(self, ex: Example, logit: dict[OrderedPair, float]) -> Scored:
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
        comparisons = self.stats.get("comparisons", 0)
        consistency = 1 - self.stats["inconsistent"] / comparisons if comparisons else None
        return {**self.model.describe(), "combine": self.rule, "order_consistency": consistency,
                "batching": {**self.batching.describe(), **self.stats},
                "score_store": self.store.describe() if self.store else None,
                **(self.fast_exact.describe() if self.fast_exact else ONE_DTYPE),
                **({"guards": self.guard.describe()} if self.guard else {})}

    def close(self) -> None:
        """Close the model and the stores."""
        self.reader.close()
        if self.fast_exact is not None:
            self.fast_exact.close()
