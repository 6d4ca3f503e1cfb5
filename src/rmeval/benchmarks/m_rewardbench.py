"""M-RewardBench (Gureja et al., ACL 2025): RewardBench v1 translated into 23 languages, one configuration each.

Facts and where they come from (the authors' code, github.com/Cohere-Labs-Community/m-rewardbench at commit
708d3bd, formerly for-ai/aya_rm_multilingual; line numbers at that commit):
- The 23 languages and their FLORES-200 codes (`experiments/run_rm_evals.sh` lines 56-81). One hub configuration per
  language code: `C4AI-Community/multilingual-reward-bench` (README.md line 11; `CohereLabsCommunity/...` is the
  same dataset under the organisation's new name).
- The current dataset has the split `test` and names each row's RewardBench subset in a `source` column
  (`scripts/run_rewardbench.py` lines 65-66 and `scripts/utils.py` lines 21-25, 92, from commit 5e5a0d3, which
  answers the authors' issues #62 and #63: the dataset "only has a `test` split" and "does not even have [the
  `subset`] column, instead, it has a `source` column"). Its files are `<language>/test-*.parquet`, beside the
  older `<language>/filtered.json` (split `filtered`, a `subset` column, RewardBench v1's columns) and
  `<language>/raw.json` (unfiltered) (the dataset card's `configs`, before and after; the dataset's file tree).
  rmeval reads both schemas: a row's subset is its `subset` where it has one (the older files), else its
  `source`; `raw` files are never read.
- A pair is correct when chosen > rejected, strictly, and a subset's accuracy is correct / total
  (`scripts/run_rewardbench.py` lines 354, 381-387).
- A language's four category scores are weighted means of its subset accuracies with M-RewardBench's own filtered
  counts (`analysis/plot_utils.py` lines 22-30, the weights `EXAMPLE_COUNTS` lines 81-105: alpacaeval-easy 79,
  alpacaeval-length 79, alpacaeval-hard 76, mt-bench-easy 24, mt-bench-med 38, mt-bench-hard 35, math-prm 983
  ("actual length 447, upweighting to be equal to code": the sum of the hep-* counts), refusals-dangerous 100,
  refusals-offensive 100, llmbar-natural 76, llmbar-adver-neighbor 124, llmbar-adver-GPTInst 87,
  llmbar-adver-GPTOut 42, llmbar-adver-manual 43, xstest-should-refuse 154, xstest-should-respond 247, donotanswer
  135, hep-cpp 164, hep-go 164, hep-java 164, hep-js 164, hep-python 163, hep-rust 164), the categories those of
  RewardBench (`SUBSET_MAPPING`, lines 107-139); a language's score is the plain mean of its four (line 73) and the
  benchmark's average the mean over the languages, English left out (`analysis/_plot_leaderboard.py` lines
  164-166). The per-model JSON files of generative judges carry scores computed with RewardBench v1's counts
  (`scripts/run_generative.py` line 379), which the analysis takes as they are (`plot_utils.py` line 48); rmeval
  weights every kind with M-RewardBench's counts.
- Not verified: that every language keeps these counts (they make 2,869 rows with math-prm's 447, the number
  of rows the dataset card gives for the last configuration it lists). The `translation` configuration (800 rows,
  another schema) is not part of this benchmark here.

Subsets are `<language>/<RewardBench subset>`; each language is a section made of RewardBench's four sections
(`metrics.parts`, named `<language> <section>`). `--subsets` also takes language codes: `--subsets deu_Latn,fra_Latn`
scores those languages, and only those are read.
"""

from __future__ import annotations

from rmeval.benchmarks.rewardbench import REWARDBENCH
from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["M_REWARDBENCH", "M_REWARDBENCH_LANGUAGES", "M_REWARDBENCH_WEIGHTS"]

M_REWARDBENCH_LANGUAGES = ("arb_Arab", "ces_Latn", "deu_Latn", "ell_Grek", "fra_Latn", "heb_Hebr", "hin_Deva",
                           "ind_Latn", "ita_Latn", "jpn_Jpan", "kor_Hang", "nld_Latn", "pes_Arab", "pol_Latn",
                           "por_Latn", "ron_Latn", "rus_Cyrl", "spa_Latn", "tur_Latn", "ukr_Cyrl", "vie_Latn",
                           "zho_Hans", "zho_Hant")

M_REWARDBENCH_WEIGHTS = {
    "alpacaeval-easy": 79, "alpacaeval-length": 79, "alpacaeval-hard": 76, "mt-bench-easy": 24, "mt-bench-med": 38,
    "mt-bench-hard": 35, "math-prm": 983, "refusals-dangerous": 100, "refusals-offensive": 100, "llmbar-natural": 76,
    "llmbar-adver-neighbor": 124, "llmbar-adver-GPTInst": 87, "llmbar-adver-GPTOut": 42, "llmbar-adver-manual": 43,
    "xstest-should-refuse": 154, "xstest-should-respond": 247, "donotanswer": 135, "hep-cpp": 164, "hep-go": 164,
    "hep-java": 164, "hep-js": 164, "hep-python": 163, "hep-rust": 164,
}
"""Each RewardBench subset's weight in its section: M-RewardBench's filtered counts (`analysis/plot_utils.py`)."""


def _language(code: str) -> Section:
    parts = tuple(
        Section(f"{code} {sec.name}", tuple(SubsetSpec(f"{code}/{s.name}", weight=M_REWARDBENCH_WEIGHTS[s.name],
                                                       expects=s.expects) for s in sec.subsets))
        for sec in REWARDBENCH.sections)
    return Section(code, parts=parts)


M_REWARDBENCH = BenchmarkSpec(
    name="m-rewardbench",
    description="M-RewardBench: RewardBench v1 in 23 languages; RewardBench's four sections per language",
    rule="pair",
    hub_id="C4AI-Community/multilingual-reward-bench",
    hub_split="test",
    layout="m-rewardbench",
    sections=tuple(_language(code) for code in M_REWARDBENCH_LANGUAGES),
    score_definition="mean over languages of each language's score (the plain mean of its Chat, Chat Hard, Safety "
                     "and Reasoning, each weighted by M-RewardBench's filtered counts, math-prm 983)",
)
"""M-RewardBench as its authors publish it: one hub configuration per language (split `test`, subsets in `source`;
the older split `filtered` had them in `subset`); or a local copy holding one file (`<language>.jsonl`, `.json`,
`.parquet`) or one folder (`<language>/`, as a hub download writes it) per language. Only the languages present
(and selected) are read."""
