"""ProcessBench (Zheng et al., ACL 2025): 3,400 step-by-step solutions to competition math, each labelled with the
index of its earliest erroneous step (or -1 when every step is correct); a model must find that step.

Facts and where they come from:
- The hub dataset `Qwen/ProcessBench` (its README.md: config `default`, one split per file: `gsm8k` from
  `gsm8k.json`, `math`, `olympiadbench`, `omnimath`); rows `{id, generator, problem, steps: [str],
  final_answer_correct, label}` with `label` the 0-based index of the earliest error, -1 for none (README.md of
  github.com/QwenLM/ProcessBench, "Data Usage", and `code/run_eval.py::prepare_input_boxed`, which numbers the
  paragraphs from 0).
- A prediction matches when it equals the label; per subset, the accuracy on erroneous solutions (label != -1),
  the accuracy on correct ones (label == -1), and F1 = 2 a c / (a + c), their harmonic mean (`code/run_eval.py`,
  lines 112-130, and `code/run_eval_prm_rlhflow.py`, lines 70-82, at commit e802463); an unparseable critique's
  prediction is None and never matches (`run_eval.py`, lines 92-112: the last `\\boxed{}` read as an integer).
- A process reward model predicts the first step it scores low; the RLHFlow script stops at the first step whose
  judgment is not `+` (`run_eval_prm_rlhflow.py::single_process`).
- Not verified from the authors' files: the split sizes 400, 1,000, 1,000 and 1,000 (a hub mirror's dataset card,
  LLMsHub/ProcessBench), and that the paper's average F1 is the plain mean over the four subsets.

**rmeval**: a step counts as erroneous when its score is below the threshold (`--step-threshold`, default 0.5,
recorded with every sample); the score is the mean of the four F1s; a generative judge is asked for the earliest
wrong step (`--judge-mode steps`, which this benchmark prescribes).
"""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["PROCESSBENCH", "PROCESSBENCH_HUB", "PROCESSBENCH_SUBSETS"]

PROCESSBENCH_HUB = "Qwen/ProcessBench"
PROCESSBENCH_SUBSETS: tuple[tuple[str, str, int], ...] = (
    ("gsm8k", "GSM8K", 400), ("math", "MATH", 1000), ("olympiadbench", "OlympiadBench", 1000),
    ("omnimath", "Omni-MATH", 1000),
)
"""(split and subset, section title, rows) of each subset."""

PROCESSBENCH = BenchmarkSpec(
    name="processbench",
    description="ProcessBench: find the earliest erroneous step of math solutions (GSM8K, MATH, OlympiadBench, "
                "Omni-MATH); F1 of the accuracies on erroneous and correct solutions",
    rule="first_error",
    hub_id=PROCESSBENCH_HUB,
    layout="processbench",
    sample_facts=("label",),
    value_label="F1",
    sections=tuple(Section(title, (SubsetSpec(name, rows=rows, judge_mode="steps"),))
                   for name, title, rows in PROCESSBENCH_SUBSETS),
    score_definition="mean of the four subsets' F1 (the harmonic mean of the accuracies on erroneous and on correct "
                     "solutions)",
    conventions_extra=(
        ("step_prediction", "the earliest erroneous step is the first whose score is below the threshold recorded "
                            "in the sample (details.steps.threshold); -1 when none is; a NaN score never matches"),
        ("facets", "erroneous: accuracy on solutions with an error; correct: accuracy on solutions without one"),
    ),
)
