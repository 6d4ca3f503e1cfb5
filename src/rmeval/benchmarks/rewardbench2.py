"""RewardBench 2 (`allenai/reward-bench-2`, split `test`): best-of-4 subsets and the Ties subset.

Every subset but Ties asks for the one correct answer among (usually) four: 1/k credit when the chosen answer shares
the top score with k answers. Ties holds prompts with several equally correct answers and is scored with its own
composite (`rmeval.scoring.ties`). The score is the plain mean of the six subset scores: one section holds them all with
equal weights, so the section and the score coincide.
"""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["REWARDBENCH2", "TIES_VARIANTS", "parse_ties_id"]

TIES_VARIANTS = ("ref", "tied")
"""Each Ties prompt appears as `ref:<pid>` (one correct answer) and `tied:<pid>` (several equally correct ones)."""


def parse_ties_id(ex_id: int | str) -> tuple[str, str] | None:
    """(variant, prompt id) of a Ties id such as `ref:12` or `tied:12`; None when the id has another shape.

    >>> parse_ties_id("tied:12"), parse_ties_id("ref:a:b"), parse_ties_id(12), parse_ties_id("other:1")
    (('tied', '12'), ('ref', 'a:b'), None, None)
    """
    if not isinstance(ex_id, str):
        return None
    variant, sep, pid = ex_id.partition(":")
    return (variant, pid) if sep and variant in TIES_VARIANTS and pid else None


def _best_of_4(name: str, rows: int) -> SubsetSpec:
    # Judges rank the four answers at once on these subsets (the benchmark's protocol).
    return SubsetSpec(name, rows, 1, judge_mode="ranking")


REWARDBENCH2 = BenchmarkSpec(
    name="rewardbench2",
    description="RewardBench 2: 1,865 prompts; pick the one correct answer among four, and keep tied answers tied",
    rule="best_of_n",
    hub_id="allenai/reward-bench-2",
    hub_split="test",
    detect=True,
    sections=(
        Section(
            "RewardBench 2",
            (
                _best_of_4("Factuality", 475),
                _best_of_4("Precise IF", 160),
                _best_of_4("Math", 183),
                # Safety mixes prompts to refuse with prompts to answer: each example expects what its chosen does.
                SubsetSpec("Safety", 450, 1, judge_mode="ranking", expects="chosen"),
                _best_of_4("Focus", 495),
                # Ties rates each answer on its own: margins between answers are part of its score.
                SubsetSpec("Ties", 102, 1, rule="ties", judge_mode="rating"),
            ),
        ),
    ),
    score_definition="plain mean of the six subset scores (Ties scored by its composite)",
)
