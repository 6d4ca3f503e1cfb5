"""PPE, Preference Proxy Evaluations (Frick et al., ICLR 2025): real human preferences from Chatbot Arena and
verifiable correctness over 32 sampled answers per prompt on five benchmarks.

Where the facts come from. The authors' code, github.com/lmarena/PPE, could not be read: no snapshot of it can be
fetched here and the search index holds no file of it by name (one unnamed 700-character opening of what looks like
its correctness scorer, a `BestOfKScorer` that reads result files and samples k = 32, is all that was seen; it
cannot be cited). So every convention below that only the code could settle is marked unverified, and the tests'
fixtures follow the hub datasets' own layout (a `huggingface-cli download` of each: `data/<split>-*.parquet`).
- `lmarena-ai/PPE-Human-Preference-V1`, split `test`, 16,038 rows `{question_id, model_a, model_b, winner, prompt,
  response_1, response_2, language, ...}` (its dataset card, `dataset_info`; its files under `data/`).
- `lmarena-ai/PPE-{MMLU-Pro, MATH, GPQA, IFEval, MBPP-Plus}-Best-of-K`, split `train` (512 rows for MATH and GPQA,
  507 for MBPP-Plus), rows `{question_id, model_name, prompt, scores: [bool], mean_score, response_1 ..
  response_32, conflict_pairs, sampled_conflict_pairs, ...}`, files `data/train-*.parquet` (the dataset cards,
  `dataset_info`, and their file trees). `scores[i]` says whether `response_{i+1}` is correct; a conflict pair
  `[i, j]` joins a correct and an incorrect answer, 0-based (the cards' fields, as other projects read them).
- What is measured (the issue that asked for PPE, after the paper; not checked against the code): human-preference
  accuracy with tied votes left out and counted; per correctness set, pairwise accuracy over correct-versus-
  incorrect answers and best-of-K accuracy, and their means over the five sets.
- Not verified, for want of the code: that `response_1` is model_a's answer; the exact `winner` values of a tie
  (rmeval leaves out every value that starts with `tie`); whether accuracy uses `sampled_conflict_pairs` (rmeval
  does, and every pair when a row lists none); how best-of-K breaks a tie at the top (rmeval: the share of correct
  answers among those at the top); whether rows with no conflict count (rmeval leaves them out, counted); how a
  failed score counts (the unnamed excerpt reads `$ERROR$` as minus infinity; rmeval's NaN guard stops such runs).

**rmeval**: PPE publishes no single headline, so the score is the mean of the human-preference accuracy and the
mean pairwise accuracy over the five correctness sets (section weights 5 and 1 x 5); judges rate each answer on its
own on the correctness sets (32 answers), and compare the two answers of a human-preference pair.
"""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["PPE", "PPE_CORRECTNESS", "PPE_HUB", "PPE_HUMAN"]

PPE_HUMAN = "human-preference"
PPE_CORRECTNESS = ("mmlu-pro", "math", "gpqa", "ifeval", "mbpp-plus")
PPE_HUB = {
    PPE_HUMAN: ("lmarena-ai/PPE-Human-Preference-V1", "test"),
    "mmlu-pro": ("lmarena-ai/PPE-MMLU-Pro-Best-of-K", "train"),
    "math": ("lmarena-ai/PPE-MATH-Best-of-K", "train"),
    "gpqa": ("lmarena-ai/PPE-GPQA-Best-of-K", "train"),
    "ifeval": ("lmarena-ai/PPE-IFEval-Best-of-K", "train"),
    "mbpp-plus": ("lmarena-ai/PPE-MBPP-Plus-Best-of-K", "train"),
}
"""Each subset's hub dataset and split."""

PPE = BenchmarkSpec(
    name="ppe",
    description="PPE: Chatbot Arena human preferences (ties left out) and verifiable correctness of 32 answers per "
                "prompt on MMLU-Pro, MATH, GPQA, IFEval and MBPP-Plus",
    rule="pair",
    hub_id="lmarena-ai",
    layout="ppe",
    sample_facts=("pairs",),
    sections=(
        Section(PPE_HUMAN, (SubsetSpec(PPE_HUMAN),), weight=float(len(PPE_CORRECTNESS))),
        *(Section(name, (SubsetSpec(name, rule="listed_pairs", judge_mode="rating"),)) for name in PPE_CORRECTNESS),
    ),
    score_definition="mean of the human-preference accuracy and the mean pairwise accuracy of the five correctness "
                     "sets (rmeval: PPE publishes no single score); Best-of-K is reported per set and averaged",
    conventions_extra=(
        ("human_preference", "rows whose winner is a tie are left out of the accuracy and counted in `excluded`"),
        ("correctness", "accuracy over each row's sampled conflict pairs (correct vs incorrect, strict); "
                        "Best-of-K: the share of correct answers among the top-scored ones"),
    ),
)
