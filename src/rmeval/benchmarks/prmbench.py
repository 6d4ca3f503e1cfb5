"""PRMBench (Song et al., 2025): 6,216 math solutions, each modified to hold one kind of fine-grained error (or
solved another way), with its error steps labelled; a process reward model must tell valid steps from wrong ones.

Facts and where they come from (github.com/ssmisya/PRMBench, commit a1ae4ea):
- Rows `{original_question, modified_question, original_process, modified_process, modified_steps, error_steps,
  reason, idx, question, classification}`; error steps are 1-based (`docs/data_format.md`;
  `mr_eval/tasks/prmtest_classified/task.py::eval_on_hallucination_step`, which subtracts 1). The hub copy is
  `hitsmy/PRMBench_Preview`, one file `prmbench_preview.jsonl` of 6,216 rows (its dataset card); the
  repository's own copy is the folder `mr_eval/tasks/prmtest_classified/data/`, read as every `.jsonl` directly
  in it (`mr_eval/utils/task_utils.py::load_dir_of_jsonl_data_function_default`), 6,216 rows.
- A sample is the modified question and process, keyed `<classification>_<idx>`; a key seen twice keeps its
  first row (`task.py::load_data_function`, `filter_dict`): 5 multi_solutions rows of the repository's copy.
- A step is predicted valid when its score is above the threshold, 0.5 by default (`mr_eval/models/
  abstract_model.py`, `validity_threshold`; `qwen_prm.py`: `item > self.validity_threshold`). Valid steps are the
  positives; per category the counts TP, FP, TN, FN are pooled over the samples, precision, recall and F1 of the
  positives and of the negatives follow with -1 for an empty denominator (`task.py::evaluate_function`).
- PRMScore = 0.5 F1 + 0.5 negative F1; for multi_solutions (no error step) F1 alone; the overall PRMScore is
  that of the counts pooled over every category; a dimension's score is the mean of its categories' PRMScores:
  Simplicity (redundency, circular), Soundness (counterfactual, step_contradiction, domain_inconsistency,
  confidence), Sensitivity (missing_condition, deception, multi_solutions)
  (`mr_visualize/eval_res_view/draw_figure/draw_radar.ipynb`, `get_prmscore_from_current_res_dict`,
  `classification_parallel_dict`).
- The authors' loader also scores a `correct_<idx>` copy of each redundency row's original process; it feeds
  only their `similarity` metric, never PRMScore, and rmeval does not score it.
- Not verified: that the hub file holds the same rows as the repository's folder (both hold 6,216).

**rmeval**: the categories keep the authors' names (`redundency` as spelled there); the score is the overall
PRMScore; a judge's earliest wrong step marks that step and every later one invalid.
"""

from __future__ import annotations

from rmeval.benchmarks.spec import BenchmarkSpec, Section, SubsetSpec

__all__ = ["PRMBENCH", "PRMBENCH_FILE", "PRMBENCH_HUB", "PRMBENCH_SECTIONS"]

PRMBENCH_HUB = "hitsmy/PRMBench_Preview"
PRMBENCH_FILE = "prmbench_preview.jsonl"
PRMBENCH_SECTIONS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("Simplicity", (("redundency", 758), ("circular", 758))),
    ("Soundness", (("counterfactual", 757), ("step_contradiction", 758), ("domain_inconsistency", 757),
                   ("confidence", 757))),
    ("Sensitivity", (("missing_condition", 756), ("deception", 750), ("multi_solutions", 160))),
)
"""Each dimension's categories with their samples (rows of the repository's copy, a repeated key counted once)."""

PRMBENCH = BenchmarkSpec(
    name="prmbench",
    description="PRMBench: fine-grained step errors (simplicity, soundness, sensitivity) in math solutions; "
                "PRMScore of each category, dimension and overall",
    rule="step_labels",
    hub_id=PRMBENCH_HUB,
    layout="prmbench",
    sample_facts=("error_steps",),
    value_label="PRMScore",
    pooled_score="prmscore",
    sections=tuple(Section(title, tuple(SubsetSpec(name, rows=rows, weight=1.0, judge_mode="steps",
                                                   rule="step_f1" if name == "multi_solutions" else None)
                                        for name, rows in members))
                   for title, members in PRMBENCH_SECTIONS),
    score_definition="overall PRMScore: 0.5 F1 + 0.5 negative F1 of the step counts pooled over every category "
                     "(a dimension is the mean of its categories' PRMScores)",
    conventions_extra=(
        ("step_prediction", "a step is predicted valid when its score is above the threshold recorded in the sample "
                            "(details.steps.threshold); valid steps are the positives"),
        ("undefined", "a precision or recall with an empty denominator, and an F1 whose precision + recall is 0, "
                      "are -1, as the authors compute them"),
    ),
)
