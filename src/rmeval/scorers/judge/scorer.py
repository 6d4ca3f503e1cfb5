"""The judge scorer: plans every request of a run, sends them (K samples each) through each judge's reliable
engine, reads the verdicts in each request's format and turns them into one score per answer (see `verdicts`).

All requests of a run go to an engine in one call per format, so an HTTP judge works on many examples at once (up
to its concurrency), a local one batches them and vLLM schedules them all; identical prompts (the same answer rated
in two examples) are sent once, and each sample of a vote is cached under its own key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rmeval.common.errors import RunFailure
from rmeval.engines.base import GenerationParams
from rmeval.protocol import BaseScorer, Progress
from rmeval.scorers.judge.cost import TokenTally
from rmeval.scorers.judge.formats import JudgeFormat, rmeval_format
from rmeval.scorers.judge.order import ORDER_POLICIES
from rmeval.scorers.judge.plan import Request, format_params, plan_requests
from rmeval.scorers.judge.reading import Reading, read, vote
from rmeval.scorers.judge.steps import judge_steps
from rmeval.scorers.judge.templates import MODES, JudgeTemplate
from rmeval.scorers.judge.verdicts import FAILURE_POLICIES, JudgeVerdict, choice_verdict, combine, rating_verdict
from rmeval.types import Example, Scored

if TYPE_CHECKING:
    from rmeval.benchmarks import BenchmarkSpec
    from rmeval.engines.cache import ResponseCache
    from rmeval.engines.wrapper import ReliableEngine

__all__ = ["JudgeScorer", "Request", "check_policies"]


def check_policies(mode: str, order: str, on_failure: str) -> None:
    """A clear error for an unknown mode, order or failure policy (before any judge model loads)."""
    for name, value, allowed in (("--judge-mode", mode, MODES), ("--order", order, ORDER_POLICIES),
                                 ("--on-failure", on_failure, FAILURE_POLICIES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _formats(given: Mapping[str, JudgeFormat | JudgeTemplate]) -> dict[str, JudgeFormat]:
    return {m: f if isinstance(f, JudgeFormat) else rmeval_format(f) for m, f in given.items()}


class JudgeScorer(BaseScorer):
    """Generative judges (one, or an ensemble voting by majority) as a reward model; each judge may vote over K
    sampled judgments of every prompt."""

    tie_credit = 0.5  # RewardBench scores a judge's tie, and a failure under `--on-failure tie`, as half right

    def __init__(self, judges: Sequence[tuple[str, ReliableEngine]],
                 formats: Mapping[str, JudgeFormat | JudgeTemplate], params: GenerationParams,
                 mode: str = "pairwise", order: str = "seeded", on_failure: str = "tie", seed: int = 0,
                 cache: ResponseCache | None = None, samples: int = 1,
                 price: tuple[float, float] | None = None) -> None:
        check_policies(mode, order, on_failure)
        names = [n for n, _ in judges]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"judges must be given once each, got {names}")
        if samples < 1:
            raise ValueError(f"--samples must be at least 1, got {samples}")
        self.judges = list(judges)
        self.formats = _formats(formats)
        self.params, self.samples = params, samples
        self.mode, self.order, self.on_failure, self.seed = mode, order, on_failure, seed
        self._order_asked = order  # what --order said; a benchmark's own order wins while it is prepared
        self.cache = cache
        self.benchmark: BenchmarkSpec | None = None
        self._modes_used: dict[str, str] = {}
        self._example_prompt: list[dict[str, str]] | None = None
        self.tokens = TokenTally(price)

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Follow the judging protocol `benchmark` prescribes: per subset (RewardBench 2: ranking; rating on Ties),
        and its presentation order (JudgeBench: both orders), unless `--order single` asked for its one game."""
        self.benchmark = benchmark
        self.order = self._order_asked if self._order_asked == "single" else benchmark.judge_order or self._order_asked

    def mode_of(self, example: Example) -> str:
        """The benchmark's mode for the example's subset, else `--judge-mode`."""
        prescribed = self.benchmark.judge_mode_of(example.subset) if self.benchmark else None
        return prescribed or self.mode

    def plan(self, examples: Sequence[Example]) -> list[Request]:
        """Every request of a run, example by example (rating: one per answer; else one per presentation order)."""
        return plan_requests(examples, [self.mode_of(ex) for ex in examples], self.formats, self.order, self.seed)

    def total_work(self, examples: Sequence[Example]) -> int:
        """One progress unit per sample of every request per judge (a step-level solution: one request)."""
        if any(self.mode_of(ex) == "steps" for ex in examples):
            return len(examples) * len(self.judges)
        return len(self.plan(examples)) * len(self.judges) * self.samples

    def _ask(self, engine: ReliableEngine, requests: list[Request], progress: Progress | None) -> list[list[Reading]]:
        """Every request's K readings from one judge, each format's requests in one call."""
        by_format: dict[str, list[int]] = {}
        for j, r in enumerate(requests):
            by_format.setdefault(r.format, []).append(j)
        formats = {f.name: f for f in self.formats.values()}
        out: list[list[Reading]] = [[] for _ in requests]
        for name, idx in by_format.items():
            fmt = formats[name]
            got = engine.answer_samples([requests[j].chat for j in idx], format_params(self.params, fmt),
                                        self.samples, progress)
            for j, answers in zip(idx, got, strict=True):
                r = requests[j]
                out[j] = [read(fmt, r.mode, len(r.shown), a, self.params.thinking_budget) for a in answers]
        return out

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Ask every judge about every example (K samples each), then vote (a step-level benchmark's solutions:
        `judge_steps`)."""
        if any(self.mode_of(ex) == "steps" for ex in examples):
            self._modes_used.update({ex.subset: "steps" for ex in examples})
            if any(self.mode_of(ex) != "steps" for ex in examples):
                raise ValueError("a run mixes step-level subsets with others: judge them in separate runs")
            return judge_steps(examples, self.judges, self.formats["steps"].templates["steps"], self.params,
                               progress)
        requests = self.plan(examples)
        self._modes_used.update({ex.subset: self.mode_of(ex) for ex in examples})  # Prior Sets add theirs
        if requests and self._example_prompt is None:
            self._example_prompt = [m.as_dict() for m in requests[0].chat]
        readings = [self._ask(engine, requests, progress) for _, engine in self.judges]
        flat = [s for rs in readings for samples in rs for s in samples]
        if flat and all(x.failure == "failed_request" for x in flat):  # never answered: not to be scored as ties
            raise RunFailure(f"every one of the {len(flat)} judge requests failed, so there is no verdict to score "
                             f"(first error: {(flat[0].note or 'unknown')[:200]}); nothing was written")
        self.tokens.add(flat)
        by_example: list[list[int]] = [[] for _ in examples]
        for j, r in enumerate(requests):
            by_example[r.example].append(j)
        return [self._scored(ex, [requests[j] for j in idx], [[rs[j] for j in idx] for rs in readings])
                for ex, idx in zip(examples, by_example, strict=True)]

    def _scored(self, ex: Example, requests: list[Request], readings: list[list[list[Reading]]]) -> Scored:
        mode = self.mode_of(ex)
        n = len(ex.candidates)
        verdicts: list[JudgeVerdict] = []
        for own in readings:  # one judge: per request, its K samples
            voted = [vote(samples, mode) for samples in own]
            verdict = rating_verdict(voted) if mode == "rating" else choice_verdict(n, [r.shown for r in requests],
                                                                                     voted)
            extra: dict[str, Any] = {"samples": [[s.record() for s in samples] for samples in own]}
            if any(v.scores is not None for v in voted):
                extra["scores"] = [None if v.scores is None else list(v.scores) for v in voted]
            verdict.record.update(extra)
            verdicts.append(verdict)
        scores, by_policy = combine(mode, len(ex.chosen), n, verdicts, self.on_failure)
        flat = [x for own in readings for samples in own for x in samples]
        counts = {"judgements": len(flat),
                  "unparseable": sum(x.failure == "unparseable" for x in flat),
                  "lost_to_budget": sum(x.failure == "lost_to_budget" for x in flat),
                  "failed_requests": sum(x.failure == "failed_request" for x in flat),
                  "inconsistent": sum(v.inconsistent for v in verdicts),
                  "scored_by_policy": int(by_policy),
                  "complete": int(all(x.failure is None for x in flat)),
                  **TokenTally.counts(flat)}
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
            "samples": self.samples,
            "vote": "per order, the majority of the samples' verdicts (a tie between the most voted is a tie, scored "
                    "by the benchmark's rule); ratings and per-answer scores: their mean; failed samples abstain",
            "lost_to_budget": "generation stopped at the token budget before a verdict, or its thinking never closed "
                              "or ran past --thinking-budget: counted apart from unparseable verdicts",
            "ensemble": "majority vote (ratings: mean); a failed judge abstains",
            "modes": dict(self._modes_used),
        }}

    def describe(self) -> dict[str, Any]:
        """Judges, engines, formats, prompts, tokens and request counts for result.json (never an API key)."""
        used = sorted(set(self._modes_used.values())) or [self.mode]
        formats = {m: self.formats[m] for m in used if m in self.formats}
        return {
            "kind": "judge",
            "model": self.judges[0][0],
            "judges": [{"judge": name, **engine.describe()} for name, engine in self.judges],
            "mode": self.mode,
            "order": self.order,
            "on_failure": self.on_failure,
            "formats": {m: f.describe() for m, f in formats.items()},
            "templates": {m: {"source": f.templates[m].source, "sha256": f.templates[m].sha256}
                          for m, f in formats.items()},
            "generation": {**self.params.as_dict(), "samples": self.samples},
            "rendered_example": self._example_prompt,
            "tokens": self.tokens.describe(),
        }

    def close(self) -> None:
        """Release every engine and the response cache (idempotent)."""
        judges, self.judges = self.judges, []
        for _, engine in judges:
            engine.close()
        if self.cache is not None:
            self.cache.close()
            self.cache = None
