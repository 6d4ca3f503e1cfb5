"""Reasoning judges, votes over samples, every shipped format and the run's tokens, end to end against the loopback
server answering like a reasoning judge (a thinking part with a decoy verdict, then a verdict; cut at the budget)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from loopback_openai import LoopbackJudge, _response, reply_for
from rmeval.benchmarks import custom_benchmark
from rmeval.engines import EngineSettings, GenerationParams, build_engine
from rmeval.engines.cache import ResponseCache
from rmeval.engines.wrapper import ReliableEngine, RetryPolicy
from rmeval.evaluate import evaluate
from rmeval.results import RunResult
from rmeval.scorers.judge import JudgeScorer, format_names, load_format, resolve_formats
from rmeval.scorers.judge.order import presentations
from rmeval.types import Example, Message

FAST = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge() as s:
        yield s


def judge(server: LoopbackJudge, model: str, formats: Sequence[str] = (), mode: str = "pairwise",
          cache: ResponseCache | None = None, samples: int = 1, params: GenerationParams | None = None,
          price: tuple[float, float] | None = None) -> JudgeScorer:
    engine = build_engine(f"openai/{model}", EngineSettings(base_urls=(server.url,), request_timeout=5))
    return JudgeScorer([(model, ReliableEngine(engine, cache, concurrency=8, retry=FAST))], resolve_formats(formats),
                       params or GenerationParams(max_new_tokens=256), mode, samples=samples, price=price)


def pairs(n: int, subset: str = "chat", note: str = "") -> list[Example]:
    """Chosen answers have more words than rejected ones, so the `longest` rule is always right."""
    return [Example(subset, i, (Message("user", f"Question {i} {note}"),),
                    (" ".join(["solid"] * (4 + i % 3)),), ("weak " * (1 + i % 3),)) for i in range(n)]


def run(scorer: JudgeScorer, examples: list[Example], rule: str = "pair") -> RunResult:
    return evaluate(scorer, examples, custom_benchmark(rule), data_source={"kind": "test"}, versions={},  # type: ignore[arg-type]
                    progress=False, bootstrap=0)


PAIRWISE = [n for n in format_names() if "pairwise" in load_format(n).modes]
RATING = [n for n in format_names() if "rating" in load_format(n).modes]


@pytest.mark.parametrize("name", PAIRWISE)
def test_every_pairwise_format_judges_in_its_own_syntax(server: LoopbackJudge, name: str) -> None:
    result = run(judge(server, f"longest-think@{name}", [name]), pairs(6))
    counts = result.metrics.counts["chat"]
    assert counts["unparseable"] == counts["lost_to_budget"] == 0, result.samples[0].details
    assert result.metrics.subsets["chat"].accuracy == 1.0  # the thinking part's decoy verdict was never read
    assert result.spec.scorer["formats"]["pairwise"]["name"] == name
    sent = [b for b in server.log.bodies if b.get("model") == f"longest-think@{name}"]
    assert all(("prompt" in b) == load_format(name).raw for b in sent)  # raw prompts go to /completions


@pytest.mark.parametrize("name", RATING)
def test_every_rating_format_rates_each_answer(server: LoopbackJudge, name: str) -> None:
    result = run(judge(server, f"longest@{name}", [name], mode="rating"), pairs(6))
    assert result.metrics.counts["chat"]["unparseable"] == 0
    assert all(s.scores_chosen[0] >= s.scores_rejected[0] for s in result.samples)


@pytest.mark.parametrize("name", ["rewardbench-ranking", "deepseek-grm"])
def test_ranking_formats_name_the_best_of_four(server: LoopbackJudge, name: str) -> None:
    examples = [Example("bon", f"p{i}", (Message("user", f"Pick the best for {i}"),), ("a b c d e f g",),
                        ("a", "a b", "a b c")) for i in range(6)]
    result = run(judge(server, f"longest@{name}", [name], mode="ranking"), examples, "best_of_n")
    assert result.metrics.subsets["bon"].accuracy == 1.0


def cut(model: str, prompt: str, budget: int, fault: bool = False) -> dict[str, object]:
    """The server's response to `prompt` under a budget of `budget` tokens (words), as it will send it."""
    answer, thinking = reply_for(model, prompt, 0, 0.0)
    if fault:
        answer = "I would rather not say."
    return _response("/v1/chat/completions", model, answer, thinking, prompt, {"max_tokens": budget})


def expected_lost(scorer: JudgeScorer, examples: list[Example], budget: int) -> int:
    """How many requests the server's replies lose to the budget (its tokens are words)."""
    return sum(cut("longest-think", r.chat[-1].content, budget, "<fault:garbage" in r.chat[-1].content)
               ["choices"][0]["finish_reason"] == "length" for r in scorer.plan(examples))  # type: ignore[index]


def test_lost_unparseable_and_wrong_verdicts_are_counted_apart(server: LoopbackJudge, tmp_path: Path) -> None:
    examples = pairs(10) + pairs(3, "mute", "<fault:garbage:all>")
    flipped = [Example("flip", e.id, e.prompt, e.rejected, e.chosen) for e in pairs(4)]  # the longest is rejected
    cache = ResponseCache(tmp_path / "c")
    params = GenerationParams(max_new_tokens=60)
    scorer = judge(server, "longest-think", cache=cache, params=params)
    result = run(scorer, examples + flipped)
    counts = result.metrics.counts
    lost = expected_lost(scorer, examples + flipped, 60)
    assert 0 < lost < 17  # some thoughts run past the budget, some do not
    assert sum(row["lost_to_budget"] for row in counts.values()) == lost
    mute_lost = expected_lost(scorer, pairs(3, "mute", "<fault:garbage:all>"), 60)
    assert counts["mute"]["unparseable"] == 3 - mute_lost
    assert counts["flip"]["wrong"] == counts["flip"]["complete"] and counts["chat"]["wrong"] == 0
    completed = result.metrics.completed  # the accuracy over the examples whose every judgment gave a verdict
    assert completed["chat"].accuracy == 1.0 and completed["flip"].accuracy == 0.0 and "mute" not in completed
    assert result.metrics.completed_score == pytest.approx(0.5)  # the mean of chat's 1 and flip's 0
    assert completed["chat"].n == counts["chat"]["complete"] < 10
    record = result.samples[0].details["judges"][0]["samples"][0][0]
    assert record["stop"] in ("end_of_turn", "token_budget") and len(record["tokens"]) == 3
    rows = cache._db.execute("SELECT answer, thinking, finish FROM entries").fetchall()
    assert all(t is None or "<think>" not in a for a, t, _ in rows) and any(t for _, t, _ in rows)
    assert {f for _, _, f in rows} == {"end_of_turn", "token_budget"}
    cache.close()


def test_a_thinking_budget_loses_the_verdicts_that_think_past_it(server: LoopbackJudge) -> None:
    examples = pairs(12)
    params = GenerationParams(max_new_tokens=64, thinking_budget=45)
    scorer = judge(server, "longest-think-sep", params=params)
    result = run(scorer, examples)
    sent = [b for b in server.log.bodies if b.get("model") == "longest-think-sep"]
    assert {b["max_tokens"] for b in sent} == {64 + 45}  # answer and thinking budgets, one request
    lost = sum(len(reply_for("longest-think-sep", r.chat[-1].content, 0, 0.0)[1].split(" ")) > 45  # type: ignore[union-attr]
               for r in scorer.plan(examples))
    assert 0 < lost < 12
    assert result.metrics.counts["chat"]["lost_to_budget"] == lost
    assert result.metrics.completed["chat"].accuracy == 1.0 and result.metrics.completed["chat"].n == 12 - lost


def test_votes_over_samples_and_k8_after_k4_sends_only_the_new_samples(server: LoopbackJudge,
                                                                        tmp_path: Path) -> None:
    examples = pairs(10)
    params = GenerationParams(max_new_tokens=128, temperature=0.7, seed=3)
    cache = ResponseCache(tmp_path / "votes")
    before = server.log.requests
    four = run(judge(server, "longest-noisy", cache=cache, samples=4, params=params), examples)
    assert server.log.requests - before == 10 * 4
    middle = server.log.requests
    eight = run(judge(server, "longest-noisy", cache=cache, samples=8, params=params), examples)
    assert server.log.requests - middle == 10 * 4  # samples 4-7 only: 0-3 came from the cache
    seeds = sorted({b["seed"] for b in server.log.bodies[-40:]})
    assert seeds == [3 + 4, 3 + 5, 3 + 6, 3 + 7]
    for result, k in ((four, 4), (eight, 8)):
        assert result.spec.scorer["generation"]["samples"] == k
        for s in result.samples:
            record = s.details["judges"][0]
            said = [x["said"] for x in record["samples"][0]]
            assert len(said) == k
            shown = record["shown"][0]
            votes = Counter(shown["AB".index(x)] for x in said)  # the answer each sample picked
            expected = 1.0 if votes[0] > votes[1] else 0.5 if votes[0] == votes[1] else 0.0  # a tied vote: half
            assert s.correct == expected, (said, shown)
    def plain(records: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in x.items() if k != "cached"} for x in records]

    assert plain(eight.samples[0].details["judges"][0]["samples"][0][:4]) == plain(
        four.samples[0].details["judges"][0]["samples"][0])
    assert any(x.get("cached") for x in eight.samples[0].details["judges"][0]["samples"][0][:4])
    cache.close()


def test_ratings_vote_by_their_mean(server: LoopbackJudge) -> None:
    params = GenerationParams(max_new_tokens=64, temperature=0.5)
    result = run(judge(server, "longest-noisy", mode="rating", samples=4, params=params), pairs(4))
    for s in result.samples:
        rated = [x["said"] for x in s.details["judges"][0]["samples"][0]]
        assert s.scores_chosen[0] == pytest.approx(sum(rated) / len(rated))


def test_tokens_and_cost_of_a_run(server: LoopbackJudge) -> None:
    examples = pairs(6)
    scorer = judge(server, "longest-think", params=GenerationParams(max_new_tokens=512), price=(2.0, 10.0))
    result = run(scorer, examples)
    row = result.metrics.counts["chat"]
    words_in = sum(len("\n".join(m.content for m in r.chat).split()) for r in scorer.plan(examples))
    assert row["prompt_tokens"] == words_in and row["tokens_unreported"] == 0
    assert 0 < row["thinking_tokens"] < row["completion_tokens"]
    tokens = result.spec.scorer["tokens"]
    assert tokens["cost"] == pytest.approx((row["prompt_tokens"] * 2.0 + row["completion_tokens"] * 10.0) / 1e6)
    assert tokens["price_per_million"] == {"prompt": 2.0, "completion": 10.0}
    assert [presentations("seeded", 2, 0, e.key) for e in examples]  # the plan was seeded as usual
