"""The judge scorer end to end through `evaluate`, against judges served by a real loopback HTTP server."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from loopback_openai import LoopbackJudge
from rmeval.benchmarks import BenchmarkSpec, Section, SubsetSpec, custom_benchmark
from rmeval.engines import EngineSettings, GenerationParams, build_engine
from rmeval.engines.wrapper import ReliableEngine, RetryPolicy
from rmeval.evaluate import evaluate
from rmeval.results import RunResult
from rmeval.scorers.judge import JudgeScorer, presentations, resolve_templates
from rmeval.types import Example, Message

FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05)
VERDICT_KEYS = ("judgements", "unparseable", "lost_to_budget", "failed_requests", "inconsistent", "scored_by_policy",
                "complete", "wrong")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge(hang_seconds=1.0) as s:
        yield s


def scorer(server: LoopbackJudge, models: Sequence[str] = ("openai/longest",), mode: str = "pairwise",
           order: str = "seeded", on_failure: str = "tie") -> JudgeScorer:
    settings = EngineSettings(base_urls=(server.url,), request_timeout=0.5)
    judges = [(m, ReliableEngine(build_engine(m, settings), None, concurrency=8, retry=FAST)) for m in models]
    return JudgeScorer(judges, resolve_templates(()), GenerationParams(max_new_tokens=64), mode, order, on_failure)


def pairs(n: int, subset: str = "chat", note: str = "") -> list[Example]:
    """Chosen answers have more words than rejected ones, so the `longest` rule is always right."""
    return [Example(subset, i, (Message("user", f"Question {i} {note}"),),
                    (" ".join(["solid"] * (4 + i % 3)),), ("weak " * (1 + i % 3),)) for i in range(n)]


def best_of_four(n: int, subset: str = "bon") -> list[Example]:
    """One chosen answer (the longest) and three rejected ones of distinct lengths."""
    return [Example(subset, f"p{i}", (Message("user", f"Pick the best for {i}"),), ("a b c d e f g",),
                    ("a", "a b", "a b c")) for i in range(n)]


def run(judge: JudgeScorer, examples: list[Example], benchmark: BenchmarkSpec | None = None) -> RunResult:
    return evaluate(judge, examples, benchmark or custom_benchmark("pair"), data_source={"kind": "test"},
                    versions={}, progress=False, bootstrap=0)


def test_seeded_swap_is_undone_exactly(server: LoopbackJudge) -> None:
    examples = pairs(40)
    right = run(scorer(server), examples)
    wrong = run(scorer(server, ["openai/shortest"]), examples)
    assert right.metrics.subsets["chat"].accuracy == 1.0  # whatever the swap, the verdict lands on the right answer
    assert wrong.metrics.subsets["chat"].accuracy == 0.0
    shown = [s.details["judges"][0]["shown"][0] for s in right.samples]
    assert shown == [list(presentations("seeded", 2, 0, e.key)[0]) for e in examples]  # reproducible
    assert 10 < sum(order == [1, 0] for order in shown) < 30  # about half the examples swapped
    assert right.spec.conventions["judge"]["order"] == "seeded"


def test_both_orders_expose_a_position_biased_judge(server: LoopbackJudge) -> None:
    examples = pairs(10)
    biased = run(scorer(server, ["openai/first"], order="both"), examples)
    assert biased.metrics.counts["chat"]["inconsistent"] == 10  # 0 consistent verdicts
    assert biased.metrics.subsets["chat"].accuracy == 0.5 and biased.metrics.subsets["chat"].ties == 10
    fair = run(scorer(server, ["openai/longest"], order="both"), examples)
    verdicts = {k: fair.metrics.counts["chat"][k] for k in VERDICT_KEYS}
    assert verdicts == {"judgements": 20, "unparseable": 0, "lost_to_budget": 0, "failed_requests": 0,
                        "inconsistent": 0, "scored_by_policy": 0, "complete": 10, "wrong": 0}
    assert fair.metrics.subsets["chat"].accuracy == 1.0
    fixed = run(scorer(server, ["openai/first"], order="fixed"), examples)
    assert fixed.metrics.subsets["chat"].accuracy == 1.0  # chosen always shown first: the bias looks like skill


def test_rating_mode_rates_each_answer_alone(server: LoopbackJudge) -> None:
    examples = pairs(6)
    result = run(scorer(server, mode="rating"), examples)
    for sample, example in zip(result.samples, examples, strict=True):
        assert sample.scores_chosen == [float(min(10, len(example.chosen[0].split())))]
        assert sample.scores_rejected == [float(len(example.rejected[0].split()))]
    assert result.metrics.subsets["chat"].accuracy == 1.0


def test_ranking_names_the_best_of_four(server: LoopbackJudge) -> None:
    examples = best_of_four(12)
    bon = custom_benchmark("best_of_n")
    assert run(scorer(server, mode="ranking"), examples, bon).metrics.subsets["bon"].accuracy == 1.0
    biased = run(scorer(server, ["openai/first"], mode="ranking"), examples, bon)
    expected = [float(presentations("seeded", 4, 0, e.key)[0][0] == 0) for e in examples]
    assert [s.correct for s in biased.samples] == expected


def test_benchmark_prescribes_the_mode_per_subset(server: LoopbackJudge) -> None:
    spec = BenchmarkSpec("bench", "test", "best_of_n", sections=(Section("all", (
        SubsetSpec("bon", judge_mode="ranking"), SubsetSpec("rated", judge_mode="rating"), SubsetSpec("chat"))),))
    examples = best_of_four(3) + best_of_four(3, "rated") + pairs(3)
    result = run(scorer(server), examples, spec)
    assert {s.subset: s.details["mode"] for s in result.samples} == {"bon": "ranking", "rated": "rating",
                                                                       "chat": "pairwise"}
    assert result.spec.conventions["judge"]["modes"] == {"bon": "ranking", "rated": "rating", "chat": "pairwise"}
    assert all(m.accuracy == 1.0 for m in result.metrics.subsets.values())


@pytest.mark.parametrize("policy", ["tie", "wrong"])
def test_failures_are_counted_apart_and_scored_by_policy(server: LoopbackJudge, policy: str) -> None:
    examples = pairs(4) + pairs(2, "broken", "<fault:500:all>") + pairs(3, "mute", "<fault:garbage:all>")
    result = run(scorer(server, on_failure=policy), examples)
    counts = result.metrics.counts
    assert counts["chat"]["failed_requests"] == counts["chat"]["unparseable"] == 0
    assert counts["broken"]["failed_requests"] == 2 and counts["broken"]["scored_by_policy"] == 2
    assert counts["mute"]["unparseable"] == 3 and counts["mute"]["scored_by_policy"] == 3
    credit = 0.5 if policy == "tie" else 0.0
    assert result.metrics.subsets["broken"].accuracy == result.metrics.subsets["mute"].accuracy == credit
    assert result.metrics.subsets["chat"].accuracy == 1.0
    failed = next(s for s in result.samples if s.subset == "broken")
    assert failed.details["judges"][0]["failure"] == "failed_request"
    assert "HTTP 500" in failed.details["judges"][0]["errors"][0]
    mute = next(s for s in result.samples if s.subset == "mute")
    assert mute.details["judges"][0]["unparsed"] == ["I would rather not say."]
    assert result.spec.conventions["judge"]["on_failure"] == policy


def test_ensemble_votes_by_majority(server: LoopbackJudge) -> None:
    examples = pairs(8)
    majority = run(scorer(server, ["openai/longest-1", "openai/shortest", "openai/longest-2"]), examples)
    assert majority.metrics.subsets["chat"].accuracy == 1.0
    assert all(s.scores_chosen == [2.0] and s.scores_rejected == [1.0] for s in majority.samples)
    assert [j["judge"] for j in majority.samples[0].details["judges"]] == [
        "openai/longest-1", "openai/shortest", "openai/longest-2"]
    assert [j["pick"] for j in majority.samples[0].details["judges"]] == [0, 1, 0]
    split = run(scorer(server, ["openai/longest", "openai/shortest"]), examples)
    assert split.metrics.subsets["chat"].ties == 8


def test_multi_turn_prompts_reach_the_judge_as_turns(server: LoopbackJudge) -> None:
    prompt = (Message("user", "First question"), Message("assistant", "First reply"), Message("user", "Follow-up"))
    example = Example("chat", "mt", prompt, ("a full and long reply",), ("short",))
    before = len(server.log.bodies)
    run(scorer(server, order="fixed"), [example])
    [body] = server.log.bodies[before:]
    user = body["messages"][-1]["content"]
    assert "[User]\nFirst question\n\n[Assistant]\nFirst reply\n\n[User]\nFollow-up" in user
    assert "[Answer A]\na full and long reply\n[End of Answer A]" in user


def test_pairwise_mode_refuses_best_of_n_examples(server: LoopbackJudge) -> None:
    with pytest.raises(ValueError, match=r"\('bon', 'p0'\).*--judge-mode ranking"):
        scorer(server).plan(best_of_four(1))


def test_bad_policies_fail_early(server: LoopbackJudge) -> None:
    with pytest.raises(ValueError, match="--order must be one of seeded, both, fixed"):
        scorer(server, order="random")
    with pytest.raises(ValueError, match="--on-failure"):
        scorer(server, on_failure="half")
