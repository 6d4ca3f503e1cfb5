"""The judge scorer: plans every request of a run, sends them through each judge's reliable engine, reads the
verdicts and turns them into one score per answer (see `verdicts` for the rules).

All requests of a run go to an engine in one call, so an HTTP judge works on many examples at once (up to its
concurrency) and a local one batches them; identical prompts (the same answer rated in two examples) are sent once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rmeval.common.errors import RunFailure
from rmeval.engines.base import Chat, GenerationParams
from rmeval.protocol import BaseScorer, Progress
from rmeval.scorers.judge.order import ORDER_POLICIES, presentations
from rmeval.scorers.judge.parsers import TIE, parse_label, parse_pairwise, parse_rating
from rmeval.scorers.judge.steps import judge_steps
from rmeval.scorers.judge.templates import LABELS, MODES, JudgeTemplate
from rmeval.scorers.judge.verdicts import (
    FAILURE_POLICIES,
    JudgeVerdict,
    Reading,
    choice_verdict,
    combine,
    rating_verdict,
)
from rmeval.types import Example, Scored

if TYPE_CHECKING:
    from rmeval.benchmarks import BenchmarkSpec
    from rmeval.engines.cache import ResponseCache
    from rmeval.engines.wrapper import Answer, ReliableEngine

__all__ = ["JudgeScorer", "Request", "check_policies", "read"]

@dataclass(frozen=True)
class Request:
    """One prompt to every judge: the answers of example `example` in the order `shown` (rating: one answer)."""

    example: int
    mode: str
    shown: tuple[int, ...]
    chat: Chat


def check_policies(mode: str, order: str, on_failure: str) -> None:
    """A clear error for an unknown mode, order or failure policy (before any judge model loads)."""
    for name, value, allowed in (("--judge-mode", mode, MODES), ("--order", order, ORDER_POLICIES),
                                 ("--on-failure", on_failure, FAILURE_POLICIES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def read(mode: str, shown: tuple[int, ...], answer: Answer) -> Reading:
    """What one answer says: a position, a tie or a rating, or why it says nothing."""
    if answer.text is None:
        return Reading(None, "failed_request", answer.error)
    text = answer.text
    value: int | float | str | None
    if mode == "rating":
        value = parse_rating(text)
    elif mode == "pairwise":
        said = parse_pairwise(text)
        value = said if said in (None, TIE) else LABELS.index(str(said))
    else:
        label = parse_label(text, LABELS[: len(shown)])
        value = None if label is None else LABELS.index(label)
    if value is None:
        return Reading(None, "unparseable", text[-200:])
    return Reading(value)


class JudgeScorer(BaseScorer):
    """Generative judges (one, or an ensemble voting by majority) as a reward model."""

    tie_credit = 0.5  # RewardBench scores a judge's tie, and a failure under `--on-failure tie`, as half right

    def __init__(self, judges: Sequence[tuple[str, ReliableEngine]], templates: dict[str, JudgeTemplate],
                 params: GenerationParams, mode: str = "pairwise", order: str = "seeded", on_failure: str = "tie",
                 seed: int = 0, cache: ResponseCache | None = None) -> None:
        check_policies(mode, order, on_failure)
        names = [n for n, _ in judges]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"judges must be given once each, got {names}")
        self.judges = list(judges)
        self.templates = templates
        self.params = params
        self.mode, self.order, self.on_failure, self.seed = mode, order, on_failure, seed
        self._order_asked = order  # what --order said; a benchmark's own order wins while it is prepared
        self.cache = cache
        self.benchmark: BenchmarkSpec | None = None
        self._modes_used: dict[str, str] = {}
        self._example_prompt: list[dict[str, str]] | None = None

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Follow the judging protocol `benchmark` prescribes: per subset (RewardBench 2: ranking; rating on Ties),
        and its presentation order (JudgeBench: both orders)."""
        self.benchmark = benchmark
        self.order = benchmark.judge_order or self._order_asked

    def mode_of(self, example: Example) -> str:
        """The benchmark's mode for the example's subset, else `--judge-mode`."""
        prescribed = self.benchmark.judge_mode_of(example.subset) if self.benchmark else None
        return prescribed or self.mode

    def plan(self, examples: Sequence[Example]) -> list[Request]:
        """Every request of a run, example by example (rating: one per answer; else one per presentation order)."""
        requests = []
        for i, ex in enumerate(examples):
            mode = self.mode_of(ex)
            answers = ex.candidates
            template = self.templates[mode]
            if mode == "steps":  # one request per solution, sent by `judge_steps`
                continue
            if mode == "rating":
                requests += [Request(i, mode, (c,), template.render(ex.prompt, [a])) for c, a in enumerate(answers)]
                continue
            if mode == "pairwise" and (len(ex.chosen), len(ex.rejected)) != (1, 1):
                raise ValueError(f"example {ex.key} has {len(ex.chosen)} chosen and {len(ex.rejected)} rejected "
                                 "answers; a pairwise judge compares one with one: use --judge-mode ranking or rating")
            for shown in presentations(self.order, len(answers), self.seed, ex.key):
                requests.append(Request(i, mode, shown, template.render(ex.prompt, [answers[c] for c in shown])))
        return requests

    def total_work(self, examples: Sequence[Example]) -> int:
        """One progress unit per request per judge."""
        solutions = sum(self.mode_of(ex) == "steps" for ex in examples)
        return (len(self.plan(examples)) + solutions) * len(self.judges)

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Ask every judge about every example, then vote (a step-level benchmark's solutions: `judge_steps`)."""
        if any(self.mode_of(ex) == "steps" for ex in examples):
            self._modes_used.update({ex.subset: "steps" for ex in examples})
            if any(self.mode_of(ex) != "steps" for ex in examples):
                raise ValueError("a run mixes step-level subsets with others: judge them in separate runs")
            return judge_steps(examples, self.judges, self.templates["steps"], self.params, progress)
        requests = self.plan(examples)
        self._modes_used.update({ex.subset: self.mode_of(ex) for ex in examples})  # Prior Sets add theirs
        if requests and self._example_prompt is None:
            self._example_prompt = [m.as_dict() for m in requests[0].chat]
        chats = [r.chat for r in requests]
        readings = []
        for _, engine in self.judges:
            answers = engine.answer(chats, self.params, progress)
            readings.append([read(r.mode, r.shown, a) for r, a in zip(requests, answers, strict=True)])
        flat = [x for rs in readings for x in rs]
        if flat and all(x.failure == "failed_request" for x in flat):  # never answered: not to be scored as ties
            raise RunFailure(f"every one of the {len(flat)} judge requests failed, so there is no verdict to score "
                             f"(first error: {(flat[0].note or 'unknown')[:200]}); nothing was written")
        by_example: list[list[int]] = [[] for _ in examples]
        for j, r in enumerate(requests):
            by_example[r.example].append(j)
        return [self._scored(ex, [requests[j] for j in idx], [[rs[j] for j in idx] for rs in readings])
                for ex, idx in zip(examples, by_example, strict=True)]

    def _scored(self, ex: Example, requests: list[Request], readings: list[list[Reading]]) -> Scored:
        mode = self.mode_of(ex)
        n = len(ex.candidates)
        verdicts: list[JudgeVerdict] = []
        for own in readings:
            if mode == "rating":
                verdicts.append(rating_verdict(own))
            else:
                verdicts.append(choice_verdict(n, [r.shown for r in requests], own))
        scores, by_policy = combine(mode, len(ex.chosen), n, verdicts, self.on_failure)
        flat = [x for own in readings for x in own]
        counts = {"judgements": len(flat),
                  "unparseable": sum(x.failure == "unparseable" for x in flat),
                  "failed_requests": sum(x.failure == "failed_request" for x in flat),
                  "inconsistent": sum(v.inconsistent for v in verdicts),
                  "scored_by_policy": int(by_policy)}
        judges = [{"judge": name, **v.record} for (name, _), v in zip(self.judges, verdicts, strict=True)]
        details = {"mode": mode, "judges": judges, "counts": counts}
        k = len(ex.chosen)
        return Scored(ex, scores[:k], scores[k:], details)

    def conventions(self) -> dict[str, Any]:
        """The judge's scoring conventions, recorded beside the benchmark's in result.json."""
        return {"judge": {
            "order": self.order,
            "on_failure": self.on_failure,
            "failure_scores": "tie: every answer equal (tie_credit)" if self.on_failure == "tie"
            else "wrong: every rejected answer above every chosen one",
            "inconsistent_orders": "a tie (counted in counts.inconsistent)",
            "ensemble": "majority vote (ratings: mean); a failed judge abstains",
            "modes": dict(self._modes_used),
        }}

    def describe(self) -> dict[str, Any]:
        """Judges, engines, prompts and request counts for result.json (never an API key)."""
        used = sorted(set(self._modes_used.values())) or [self.mode]
        return {
            "kind": "judge",
            "model": self.judges[0][0],
            "judges": [{"judge": name, **engine.describe()} for name, engine in self.judges],
            "mode": self.mode,
            "order": self.order,
            "on_failure": self.on_failure,
            "templates": {m: {"source": self.templates[m].source, "sha256": self.templates[m].sha256} for m in used},
            "generation": self.params.as_dict(),
            "rendered_example": self._example_prompt,
        }

    def close(self) -> None:
        """Release every engine and the response cache (idempotent)."""
        judges, self.judges = self.judges, []
        for _, engine in judges:
            engine.close()
        if self.cache is not None:
            self.cache.close()
            self.cache = None
