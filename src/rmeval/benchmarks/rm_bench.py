"""RM-Bench (Liu et al., ICLR 2025): each prompt has three chosen and three rejected answers in three styles, and a
reward model should prefer the right answer whatever its style.

Facts and where they come from (github.com/THU-KEG/RM-Bench at commit 73c52d7; files as published there):
- The combined file `data/total_dataset.json` has rows `{id, prompt, chosen: [3], rejected: [3], domain}`, the
  answers in the order concise, detailed (plain text), detailed (markdown), domains `chat`, `code`, `math`,
  `safety-refuse`, `safety-response` (README.md lines 94-113); the hub dataset `THU-KEG/RM-Bench` is that file
  (its only data file), split `train`.
- The domain files `data/<domain>_filtered.json` carry no `domain` field: their rows are `{id, subset, prompt,
  chosen, rejected}`, `subset` naming the RewardBench source (`alpacaeval`, `bigcode/humanevalpack`,
  `refusals-dangerous`, `xstest-should-refuse`, ...); chat rows add `error` and `error_key`, code rows `language`
  and `task_id` (the four files read at that commit). rmeval takes such a file's domain from its name
  (`chat_filtered.json`: chat) and keeps the row's `subset` in its meta.
- The authors' script takes any one of these files (`scripts/run_rm.py` lines 66, 227, 372: `--datapath`) and
  scores it with `compute_accuracy` (`scripts/utils.py` lines 48-112): a file with a `domain` column is split by
  `domain.startswith(d)` for d in chat, math, code, safety (lines 34-45, so the two safety subsets pool into one
  domain), each domain's value the mean of its Hard, Normal and Easy (line 60, equal to the mean of the nine
  cells), the overall Hard / Normal / Easy and the total the means over the domains (lines 61-66); a file without
  it (a domain file) is one 3 x 3 matrix over all its rows (lines 85-106). The matrix is `acc[i][j] =
  mean(chosen[i] > rejected[j])`, strict (line 90); Hard is the mean of its upper triangle (line 99), Normal its
  diagonal (line 102), Easy its lower triangle (line 106). A domain file scored alone is therefore its domain's
  section here, and the score of a folder of domain files the mean of the domains present.
- Rows per domain at that commit: chat 129, code 228, safety-refuse 284, safety-response 157 (the files). Not
  verified: `math_filtered.json` and `total_dataset.json` (4 MiB or more, not read); math would hold 529 rows if the
  hub's 1,327 are the five files together. The spec leaves row counts unchecked (a single domain file is a whole
  run of its own).

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
