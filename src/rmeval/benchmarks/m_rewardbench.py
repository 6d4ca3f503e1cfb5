"""M-RewardBench (Gureja et al., 2024): RewardBench v1 translated into 23 languages, one configuration each.

Facts and where they come from (github.com/for-ai/aya_rm_multilingual, the authors' code):
- The languages and their FLORES-200 codes (`scripts/run_nllb.sh`); one hub configuration per language code, split
  `filtered` (`docs.md`, `experiments/run_rm_evals.sh`: `--lang_code $LANG --split "filtered"`); the hub id is the
  one the issue gives, `C4AI-Community/multilingual-reward-bench` (the code names its earlier home,
  `aya-rm-multilingual/multilingual-reward-bench`).
- Rows keep RewardBench v1's columns (`prompt`, `chosen`, `rejected`, `subset`, `id`; `scripts/run_rewardbench.py`
  renames only chosen / rejected); a language's four category scores are RewardBench's weighted means with
  RewardBench's EXAMPLE_COUNTS (math-prm 984) and its score their plain mean (`scripts/get_results.py::
  get_scores`); the benchmark's average is the mean over languages.
- Not verified: the `source` column the issue mentions, and the row count of each language's subsets.

Subsets are `<language>/<RewardBench subset>`; each language is a section made of RewardBench's four sections
(`metrics.parts`, named `<language> <section>`). `--subsets` also takes language codes: `--subsets deu_Latn,fra_Latn`
scores those languages.
"""

from __future__ import annotations

from rmeval.benchmarks.rewardbench import REWARDBENCH
from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["M_REWARDBENCH", "M_REWARDBENCH_LANGUAGES"]

M_REWARDBENCH_LANGUAGES = ("arb_Arab", "ces_Latn", "deu_Latn", "ell_Grek", "fra_Latn", "heb_Hebr", "hin_Deva",
                           "ind_Latn", "ita_Latn", "jpn_Jpan", "kor_Hang", "nld_Latn", "pes_Arab", "pol_Latn",
                           "por_Latn", "ron_Latn", "rus_Cyrl", "spa_Latn", "tur_Latn", "ukr_Cyrl", "vie_Latn",
                           "zho_Hans", "zho_Hant")


def _language(code: str) -> Section:
    parts = tuple(Section(f"{code} {sec.name}", tuple(SubsetSpec(f"{code}/{s.name}", weight=s.weight,
                                                                 expects=s.expects) for s in sec.subsets))
                  for sec in REWARDBENCH.sections)
    return Section(code, parts=parts)


M_REWARDBENCH = BenchmarkSpec(
    name="m-rewardbench",
    description="M-RewardBench: RewardBench v1 in 23 languages; RewardBench's four sections per language",
    rule="pair",
    hub_id="C4AI-Community/multilingual-reward-bench",
    hub_split="filtered",
    layout="m-rewardbench",
    sections=tuple(_language(code) for code in M_REWARDBENCH_LANGUAGES),
    score_definition="mean over languages of each language's RewardBench score (the plain mean of its Chat, Chat "
                     "Hard, Safety and Reasoning, each weighted as in RewardBench v1)",
)
