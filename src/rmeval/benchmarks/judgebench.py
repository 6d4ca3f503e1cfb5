"""JudgeBench (Tan et al., ICLR 2025): pairs of answers to hard questions (knowledge, reasoning, math, coding),
one objectively correct; a judge or reward model must pick it.

Facts and where they come from (github.com/ScalerLab/JudgeBench at commit e2c52c2):
- Rows `{pair_id, original_id, source, question, response_model, response_A, response_B, label}` with label
  `A>B` or `B>A`; 350 pairs answered by GPT-4o and 270 by Claude-3.5-Sonnet, in
  `data/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl` and
  `data/dataset=judgebench,response_model=claude-3-5-sonnet-20240620.jsonl`; on the hub `ScalerLab/JudgeBench`,
  splits `gpt` and `claude` (README.md lines 15-34). `run_judge.py` reads any file of pairs in this format
  (`--pairs`, line 62; README.md line 41).
- Pairs per source group: GPT-4o mmlu-pro 154, livebench-reasoning 98, livebench-math 56, livecodebench 42; Claude
  154, 51, 34, 31 (the two data files at that commit; `rows` below).
- Accuracy is reported for the sources that start with `mmlu-pro`, `livebench-reasoning`, `livebench-math` and
  `livecodebench`, and overall over every pair (`run_judge.py` lines 94-96: `x["source"].startswith(source)`, the
  overall with the empty prefix). A pair of any other source counts in the overall accuracy only: rmeval puts it in
  the optional subset `other sources`.
- Judges see both orders by default (`run_judge.py` line 85: `reverse_order=not args.single_game`); each verdict
  counts +1 when it equals the label, -1 when it is the reverse, 0 otherwise (a tie, a failure), and a pair is
  correct when the sum is positive; overall accuracy = correct pairs / all pairs (`utils/metrics.py` lines 64-78).
  With `--single_game` a pair is correct when its one verdict equals the label (lines 20-26).
- Reward models judge once (`--single_game`, README.md lines 83-85) and decide `A>B` when score(A) > score(B), else
  `B>A` (`utils/judges.py` lines 473, 525, 564): an exact tie, and a NaN score on either side, count as B.

**rmeval**: an ensemble's verdicts all vote in the one sum.
"""

from __future__ import annotations

from dataclasses import replace

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["JUDGEBENCH", "JUDGEBENCH_CLAUDE", "JUDGEBENCH_FILES", "JUDGEBENCH_OTHER", "JUDGEBENCH_SOURCES",
           "judgebench_group"]

JUDGEBENCH_SOURCES = ("mmlu-pro", "livebench-reasoning", "livebench-math", "livecodebench")
"""The source groups accuracy is reported on (MMLU-Pro's categories make one group)."""
JUDGEBENCH_OTHER = "other sources"
"""The subset of pairs whose source starts with none of the groups' prefixes (counted in the overall accuracy)."""
ROWS = {"gpt": (154, 98, 56, 42), "claude": (154, 51, 34, 31)}

JUDGEBENCH_FILES = {"gpt": "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl",
                    "claude": "dataset=judgebench,response_model=claude-3-5-sonnet-20240620.jsonl"}
"""The authors' data file of each hub split."""


def judgebench_group(source: str) -> str:
    """The source group of a row's `source`: the group whose name it starts with, as the authors group them, else
    `other sources`.

    >>> judgebench_group("mmlu-pro-computer science"), judgebench_group("livecodebench-v5"), judgebench_group("x")
    ('mmlu-pro', 'livecodebench', 'other sources')
    """
    return next((group for group in JUDGEBENCH_SOURCES if source.startswith(group)), JUDGEBENCH_OTHER)


def _sections(split: str) -> tuple[Section, ...]:
    # Each source group is a section weighted by its pairs, so the score is the accuracy over all pairs.
    groups = tuple(Section(name, (SubsetSpec(name, rows=n),), weight=None)
                   for name, n in zip(JUDGEBENCH_SOURCES, ROWS[split], strict=True))
    return (*groups, Section(JUDGEBENCH_OTHER, (SubsetSpec(JUDGEBENCH_OTHER, optional=True),), weight=None))


JUDGEBENCH = BenchmarkSpec(
    name="judgebench",
    description="JudgeBench (GPT-4o answers): 350 pairs of answers to hard questions, one objectively correct",
    rule="judgebench",
    hub_id="ScalerLab/JudgeBench",
    hub_split="gpt",
    layout="judgebench",
    judge_order="both",
    sample_facts=("label",),
    sections=_sections("gpt"),
    score_definition="accuracy over all pairs (each source group weighs its pairs)",
    conventions_extra=(
        ("reward_model_decision", "A>B when score(A) > score(B), else B>A: an exact tie, or a NaN score, counts as "
                                  "B"),
        ("source_groups", "a pair is in the first group its source starts with (mmlu-pro, livebench-reasoning, "
                          "livebench-math, livecodebench), else in 'other sources'"),
        ("judge_verdicts", "both orders; +1 per verdict equal to the label, -1 per reverse verdict, 0 for a tie or "
                           "a failure; a pair is correct when the sum is positive"),
    ),
)

JUDGEBENCH_CLAUDE = replace(
    JUDGEBENCH, name="judgebench-claude", hub_split="claude", sections=_sections("claude"),
    description="JudgeBench (Claude-3.5-Sonnet answers): 270 pairs of answers to hard questions, one objectively "
                "correct",
)
