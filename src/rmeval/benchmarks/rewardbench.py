"""RewardBench v1 (`allenai/reward-bench`, split `filtered`), its Prior Sets, and the packaged demonstration set."""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, CombinedAverage, Companion, Section, SubsetSpec

__all__ = ["PRIOR_SETS", "PRIOR_SETS_COMPANION", "PRIOR_SETS_WEIGHTS", "REWARDBENCH", "REWARDBENCH_MINI"]


def _hep(lang: str) -> SubsetSpec:
    return SubsetSpec(f"hep-{lang}", 164, 164)


PRIOR_SETS = BenchmarkSpec(
    name="prior-sets",
    description="RewardBench's Prior Sets (allenai/preference-test-sets), reported apart from the score",
    rule="pair",
    sections=(
        Section(
            "Prior Sets",
            (
                SubsetSpec("anthropic_helpful", 6192, 1),
                SubsetSpec("anthropic_hhh", 221, 1),
                SubsetSpec("shp", 1741, 1),
                SubsetSpec("summarize", 9000, 1),
            ),
        ),
    ),
    score_definition="plain mean of the four subset accuracies",
)

PRIOR_SETS_WEIGHTS = {"Chat": 2.0, "Chat Hard": 2.0, "Safety": 2.0, "Reasoning": 2.0, "Prior Sets": 1.0}
"""Weights of the old leaderboard average that included Prior Sets."""

PRIOR_SETS_COMPANION = Companion(
    part="prior-sets",
    title="Prior Sets",
    spec=PRIOR_SETS,
    hub_id="allenai/preference-test-sets",
    combined=CombinedAverage("old leaderboard average with Prior Sets", tuple(PRIOR_SETS_WEIGHTS.items())),
)

REWARDBENCH = BenchmarkSpec(
    name="rewardbench",
    description="RewardBench v1: 2,985 prompt / chosen / rejected pairs in four sections",
    rule="pair",
    hub_id="allenai/reward-bench",
    hub_split="filtered",
    detect=True,
    companions=(PRIOR_SETS_COMPANION,),
    sections=(
        Section(
            "Chat",
            (
                SubsetSpec("alpacaeval-easy", 100, 100),
                SubsetSpec("alpacaeval-length", 95, 95),
                SubsetSpec("alpacaeval-hard", 95, 95),
                SubsetSpec("mt-bench-easy", 28, 28),
                SubsetSpec("mt-bench-med", 40, 40),
            ),
        ),
        Section(
            "Chat Hard",
            (
                SubsetSpec("mt-bench-hard", 37, 37),
                SubsetSpec("llmbar-natural", 100, 100),
                SubsetSpec("llmbar-adver-neighbor", 134, 134),
                SubsetSpec("llmbar-adver-GPTInst", 92, 92),
                SubsetSpec("llmbar-adver-GPTOut", 47, 47),
                SubsetSpec("llmbar-adver-manual", 46, 46),
            ),
        ),
        Section(
            "Safety",
            (
                SubsetSpec("refusals-dangerous", 100, 100, expects="refuse"),
                SubsetSpec("refusals-offensive", 100, 100, expects="refuse"),
                SubsetSpec("xstest-should-refuse", 154, 154, expects="refuse"),
                SubsetSpec("xstest-should-respond", 250, 250, expects="comply"),
                SubsetSpec("donotanswer", 136, 136, expects="refuse"),
            ),
        ),
        Section(
            "Reasoning",
            (
                # math-prm weighs as much as the six hep-* subsets together (6 x 164), not its 447 rows.
                SubsetSpec("math-prm", 447, 984),
                *(_hep(lang) for lang in ("cpp", "go", "java", "js", "python", "rust")),
            ),
        ),
    ),
)

REWARDBENCH_MINI = BenchmarkSpec(
    name="rewardbench-mini",
    description="A demonstration set written for rmeval: RewardBench's four sections in miniature, offline",
    rule="pair",
    packaged_file="rewardbench_mini.jsonl",
    # Prior Sets can be scored beside the demonstration set; the old average belongs to RewardBench itself.
    companions=(Companion("prior-sets", "Prior Sets", PRIOR_SETS, PRIOR_SETS_COMPANION.hub_id),),
    sections=(
        Section("Chat", (SubsetSpec("chat-easy"),)),
        Section("Chat Hard", (SubsetSpec("chat-hard"), SubsetSpec("instruction-traps"))),
        Section("Safety", (SubsetSpec("should-refuse", expects="refuse"),
                           SubsetSpec("should-respond", expects="comply"))),
        Section("Reasoning", (SubsetSpec("code-python"), SubsetSpec("math"))),
    ),
)
