"""JudgeBench (Tan et al., ICLR 2025): pairs of answers to hard questions (knowledge, reasoning, math, coding),
one objectively correct; a judge or reward model must pick it.

Facts and where they come from (github.com/ScalerLab/JudgeBench):
- Rows `{pair_id, original_id, source, question, response_model, response_A, response_B, label}` with label
  `A>B` or `B>A`; 350 pairs answered by GPT-4o and 270 by Claude-3.5-Sonnet, in
  `data/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl` and
  `data/dataset=judgebench,response_model=claude-3-5-sonnet-20240620.jsonl`; on the hub `ScalerLab/JudgeBench`,
  splits `gpt` and `claude` (README.md, "Data" and "HuggingFace Dataset").
- `source` is `mmlu-pro-<category>` (`mmlu-pro-health`, `mmlu-pro-math`, ...), `livebench-reasoning`,
  `livebench-math` or `livecodebench` (the data files); accuracy is reported per source group and overall.
- Judges see both orders by default (`run_judge.py`: `reverse_order=not args.single_game`); each verdict counts +1
  when it equals the label, -1 when it is the reverse, 0 otherwise (a tie, a failure), and a pair is correct when
  the sum is positive; overall accuracy = correct pairs / all pairs (`utils/metrics.py::compute_final_metrics`).
- Reward models judge once (`--single_game`) and decide `A>B` when score(A) > score(B), else `B>A`, so an exact tie
  counts as B (`utils/judges.py`, `InternLM2Reward`, `GRMReward`, `SkyworkReward`).
- Not verified: the number of pairs of each source group (left unchecked).

**rmeval**: an ensemble's verdicts all vote in the one sum; a reward model's failed (NaN) score earns nothing.
"""

from __future__ import annotations

from dataclasses import replace

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["JUDGEBENCH", "JUDGEBENCH_CLAUDE", "JUDGEBENCH_FILES", "JUDGEBENCH_SOURCES", "judgebench_group"]

JUDGEBENCH_SOURCES = ("mmlu-pro", "livebench-reasoning", "livebench-math", "livecodebench")
"""The source groups accuracy is reported on (MMLU-Pro's categories make one group)."""

JUDGEBENCH_FILES = {"gpt": "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl",
                    "claude": "dataset=judgebench,response_model=claude-3-5-sonnet-20240620.jsonl"}
"""The authors' data file of each hub split."""


def judgebench_group(source: str) -> str | None:
    """The source group of a row's `source`, or None for a source JudgeBench does not have.

    >>> judgebench_group("mmlu-pro-computer science"), judgebench_group("livecodebench"), judgebench_group("x")
    ('mmlu-pro', 'livecodebench', None)
    """
    if source.startswith("mmlu-pro-"):
        return "mmlu-pro"
    return source if source in JUDGEBENCH_SOURCES else None


JUDGEBENCH = BenchmarkSpec(
    name="judgebench",
    description="JudgeBench (GPT-4o answers): 350 pairs of answers to hard questions, one objectively correct",
    rule="judgebench",
    hub_id="ScalerLab/JudgeBench",
    hub_split="gpt",
    layout="judgebench",
    judge_order="both",
    sample_facts=("label",),
    # Each source group is a section weighted by its pairs: the score is the accuracy over all pairs.
    sections=tuple(Section(name, (SubsetSpec(name),), weight=None) for name in JUDGEBENCH_SOURCES),
    score_definition="accuracy over all pairs (each source group weighs its pairs)",
    conventions_extra=(
        ("reward_model_decision", "A>B when score(A) > score(B), else B>A: an exact tie counts as B"),
        ("judge_verdicts", "both orders; +1 per verdict equal to the label, -1 per reverse verdict, 0 for a tie or "
                           "a failure; a pair is correct when the sum is positive"),
    ),
)

JUDGEBENCH_CLAUDE = replace(
    JUDGEBENCH, name="judgebench-claude", hub_split="claude",
    description="JudgeBench (Claude-3.5-Sonnet answers): 270 pairs of answers to hard questions, one objectively "
                "correct",
)
