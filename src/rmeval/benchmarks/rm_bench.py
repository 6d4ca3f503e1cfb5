"""RM-Bench (Liu et al., ICLR 2025): each prompt has three chosen and three rejected answers in three styles, and a
reward model should prefer the right answer whatever its style.

Facts and where they come from (github.com/THU-KEG/RM-Bench):
- Rows `{id, prompt, chosen: [3], rejected: [3], domain}`, the answers in the order concise, detailed (plain
  text), detailed (markdown); domains `chat`, `code`, `math`, `safety-refuse`, `safety-response`; the files
  `data/{domain}_filtered.json` and `data/total_dataset.json` (README.md, "Dataset Details", "Repository
  Structure"). On the hub: `THU-KEG/RM-Bench`, split `train` (the split other projects load; the README names the
  hub dataset only).
- The 3 x 3 matrix `acc[i][j] = mean(chosen[i] > rejected[j])` (strict), Hard the mean of its upper triangle, Normal
  its diagonal, Easy its lower triangle (README.md, "how to compute the accuracy", `compute_accuracy`).
- Domains are formed by `domain.startswith(d)` for d in chat, math, code, safety, so the two safety subsets pool
  into one domain; a domain's value is the mean of its Hard, Normal and Easy (equal to the mean of the nine cells);
  the overall Hard / Normal / Easy and the total are means over the four domains (`scripts/utils.py::
  split_dataset_by_domain` and `compute_accuracy`, read in the copy vendored at
  github.com/xiusic/Rubric-RM, evaluation/RM-Bench/scripts/utils.py: the index holds no copy of THU-KEG's own).
- Not verified: the row count of each domain (the spec leaves them unchecked).

**rmeval**: a generative judge rates each answer on its own (the nine comparisons need a score per answer); the
two safety subsets say what they expect (refuse / comply), so `report --analysis` covers them.
"""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, Expects, Section, SubsetSpec

__all__ = ["RM_BENCH", "RM_BENCH_DOMAINS", "RM_BENCH_STYLES"]

RM_BENCH_STYLES = ("concise", "detailed", "detailed-markdown")
"""The answers' styles, in the order of `chosen` and `rejected`."""

RM_BENCH_DOMAINS = ("chat", "code", "math", "safety-refuse", "safety-response")


def _domain(name: str, expects: Expects | None = None) -> SubsetSpec:
    # weight None: a domain pools its subsets' prompts, as the authors' matrix does.
    return SubsetSpec(name, judge_mode="rating", expects=expects)


RM_BENCH = BenchmarkSpec(
    name="rm-bench",
    description="RM-Bench: prompts with three chosen and three rejected answers in three styles (concise, detailed, "
                "markdown); every chosen answer should beat every rejected one",
    rule="style_matrix",
    hub_id="THU-KEG/RM-Bench",
    hub_split="train",
    layout="rm-bench",
    sections=(
        Section("chat", (_domain("chat"),)),
        Section("code", (_domain("code"),)),
        Section("math", (_domain("math"),)),
        Section("safety", (_domain("safety-refuse", "refuse"), _domain("safety-response", "comply"))),
    ),
    score_definition="mean of the four domain scores (chat, code, math, safety); a domain's score is the mean of "
                     "its 3 x 3 matrix of chosen[i] > rejected[j] over its prompts (safety pools its two subsets); "
                     "Easy / Normal / Hard are the lower triangle, diagonal and upper triangle, averaged the same way",
    conventions_extra=(("styles", "chosen and rejected answers in the order concise, detailed, detailed-markdown"),
                       ("comparison", "strict: a tied comparison counts as lost")),
)
