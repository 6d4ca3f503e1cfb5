"""The step-level rules: a solution's step scores against its labelled steps (ProcessBench, PRMBench).

A step-level scorer (or a judge asked for the earliest wrong step) records each solution's step scores in the
sample's details (`details.steps.scores`, one list per answer, and `details.steps.threshold`); the label is the
sample's fact. Each rule gives the solution's credit and a row of terms; a subset's value is a function of its
terms' sums over its solutions (`VALUES`), so the bootstrap resamples whole solutions and recomputes the function.

- `first_error` (ProcessBench, `code/run_eval.py`): the predicted earliest error is the first step scored below the
  threshold (-1: none); a solution is right when it equals the label (-1: no error). Terms: the match on an
  erroneous solution, the match on a correct one (NaN on the other kind); the subset's value is their harmonic
  mean, F1 = 2 a c / (a + c), as the authors compute it (NaN when both are 0, as numpy gives).
- `step_labels` and `step_f1` (PRMBench, `mr_eval/tasks/prmtest_classified/task.py::eval_on_hallucination_step`
  and `evaluate_function`): a step is predicted valid when its score is strictly above the threshold (the
  authors' `step_level_validity_labels`); with the error steps (1-based, as published) as negatives, a solution
  adds its true positives (valid steps predicted valid), false positives (error steps predicted valid), true
  negatives and false negatives. A subset's PRMScore is 0.5 F1 + 0.5 negative F1 of its pooled counts
  (`mr_visualize/.../draw_radar.ipynb::get_prmscore_from_current_res_dict`), and F1 alone for `step_f1`
  (multi_solutions, which has no error step), with the authors' -1 for a precision or recall whose denominator is
  0 and for an F1 whose precision plus recall is 0. The solution's credit is its share of steps predicted right.

A solution whose step scores hold a NaN (a failed score, an unparseable judge, a step cut by truncation) earns 0
under `first_error` (the authors count an unparsed prediction as a miss). Under the PRMBench rules a step without a
score is not counted (the authors count the steps a model gave labels for), and a solution without any is left out
(they skip an item whose prediction failed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["AGGREGATES", "DEFAULT_THRESHOLD", "STEP_RULES", "TERMS", "VALUES", "aggregate_steps", "first_objection",
           "label_first_error",
           "step_credits", "step_record", "subset_values"]

Floats = NDArray[np.float64]
Rows = Sequence[Mapping[str, Any]]

DEFAULT_THRESHOLD = 0.5
STEP_RULES: tuple[str, ...] = ("first_error", "step_labels", "step_f1")
TERMS: dict[str, tuple[str, ...]] = {"first_error": ("erroneous", "correct"),
                                     "step_labels": ("TP", "FP", "TN", "FN"), "step_f1": ("TP", "FP", "TN", "FN")}
"""Each step rule's terms, the columns of its units."""
VALUES: dict[str, str] = {"first_error": "harmonic", "step_labels": "prmscore", "step_f1": "f1"}
"""How each step rule's subset value is computed from its terms (`subset_values`)."""
FACETS: dict[str, tuple[str, ...]] = {"first_error": ("erroneous", "correct")}
"""The facets each step rule reports (ProcessBench's two accuracies)."""


def step_record(details: Mapping[str, Any]) -> tuple[list[float] | None, float]:
    """The first answer's step scores (None when the scorer kept none) and the threshold they were read with."""
    steps = details.get("steps")
    if not isinstance(steps, Mapping):
        return None, DEFAULT_THRESHOLD
    scores = steps.get("scores")
    threshold = float(steps.get("threshold", DEFAULT_THRESHOLD))
    if not isinstance(scores, list) or not scores or not isinstance(scores[0], list):
        return None, threshold
    return [math.nan if v is None else float(v) for v in scores[0]], threshold


def first_objection(scores: Sequence[float], threshold: float, strict: bool = True) -> int | None:
    """The first step the scores object to: below `threshold` (`strict`), or at most it; -1 when none does, None
    when a score is NaN.

    >>> first_objection([0.9, 0.4, 0.2], 0.5), first_objection([0.9, 0.8], 0.5), first_objection([0.5], 0.5, False)
    (1, -1, 0)
    """
    if any(math.isnan(s) for s in scores):
        return None
    for i, s in enumerate(scores):
        if s < threshold or (not strict and s == threshold):
            return i
    return -1


def label_first_error(rule: str, facts: Mapping[str, Any]) -> int:
    """The labelled earliest error (0-based; -1: none) of a solution under `rule`'s facts."""
    if rule == "first_error":
        return int(facts["label"])
    errors = [int(e) for e in facts.get("error_steps", ())]
    return min(errors) - 1 if errors else -1


def _missing(rule: str) -> ValueError:
    return ValueError(f"the {rule} rule scores a solution's steps, and this sample has no step scores "
                      f"(details.steps): score it with a step-level scorer (--scorer prm-*) or a judge")


def _first_error_row(scores: list[float], threshold: float, label: int) -> tuple[float, list[float]]:
    predicted = first_objection(scores, threshold)
    match = float(predicted is not None and predicted == label)
    return match, [match if label >= 0 else math.nan, match if label < 0 else math.nan]


def _confusion_row(scores: list[float], threshold: float, errors: set[int]) -> tuple[float, list[float]]:
    if all(math.isnan(s) for s in scores):
        return 0.0, [math.nan] * 4
    tp = fp = tn = fn = 0
    for i, s in enumerate(scores):
        if math.isnan(s):  # a step without a score (cut by truncation) is not counted
            continue
        valid = s > threshold
        if i in errors:
            fp, tn = fp + valid, tn + (not valid)
        else:
            tp, fn = tp + valid, fn + (not valid)
    counted = tp + fp + tn + fn
    return (tp + tn) / counted if counted else 0.0, [float(tp), float(fp), float(tn), float(fn)]


def step_credits(rule: str, facts: Rows, details: Rows) -> tuple[Floats, Floats, dict[str, Floats]]:
    """Credit, terms (examples x `TERMS[rule]`) and facets of every solution under a step rule."""
    n = len(facts)
    credit = np.zeros(n, dtype=np.float64)
    terms = np.full((n, len(TERMS[rule])), np.nan)
    for i, (f, d) in enumerate(zip(facts, details, strict=True)):
        scores, threshold = step_record(d)
        if scores is None:
            raise _missing(rule)
        if rule == "first_error":
            credit[i], terms[i] = _first_error_row(scores, threshold, label_first_error(rule, f))
        else:
            errors = {int(e) - 1 for e in f.get("error_steps", ())}  # the authors' 1-based steps
            credit[i], terms[i] = _confusion_row(scores, threshold, errors)
    facets = {name: terms[:, j].copy() for j, name in enumerate(FACETS.get(rule, ()))}
    return credit, terms, facets


def _ratio(num: Floats, den: Floats) -> Floats:
    """num / den, and the authors' -1 where den is 0 (NaN stays NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), -1.0)


def _f1(tp: Floats, fp: Floats, fn: Floats) -> Floats:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return _ratio(2 * precision * recall, precision + recall)


def subset_values(value: str, sums: Floats, counts: Floats, weights: Sequence[float], runs: int) -> Floats:
    """Per row of column sums and counts (shape (r, runs * terms)): each run's subset value, shape (r, runs).

    `weighted`: the weighted sum of the terms' means (a term with no unit is NaN, and so is the value);
    `harmonic`: the harmonic mean of the two terms' means; `prmscore` and `f1`: PRMBench's values of the pooled
    counts (TP, FP, TN, FN), NaN when no unit was counted.
    """
    width = sums.shape[1] // runs
    s = sums.reshape(sums.shape[0], runs, width)
    c = counts.reshape(counts.shape[0], runs, width)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(c > 0, s / np.maximum(c, 1), np.nan)
        if value == "weighted":
            return np.asarray(means @ np.asarray(weights, dtype=np.float64), dtype=np.float64)
        if value == "harmonic":
            a, b = means[..., 0], means[..., 1]
            return np.asarray(2 * a * b / (a + b), dtype=np.float64)
        if value not in ("prmscore", "f1"):
            raise ValueError(f"unknown subset value {value!r}")
        counted = np.where(c[..., 0] > 0, 1.0, np.nan)
        tp, fp, tn, fn = (s[..., j] * counted for j in range(4))
        f1 = _f1(tp, fp, fn)
        if value == "f1":
            return np.asarray(f1, dtype=np.float64)
        return np.asarray(0.5 * f1 + 0.5 * _f1(tn, fn, fp), dtype=np.float64)


AGGREGATES: tuple[str, ...] = ("min", "last", "product", "mean")
"""How a solution's step scores make one outcome reward (`--aggregate`)."""


def aggregate_steps(scores: Sequence[float], how: str) -> float:
    """One reward from a solution's step scores: the lowest, the last, their product or their mean (NaN stays).

    >>> [aggregate_steps([0.9, 0.5, 0.8], h) for h in AGGREGATES]
    [0.5, 0.8, 0.36000000000000004, 0.7333333333333334]
    """
    if not scores:
        return math.nan
    if how == "min":
        return math.nan if any(math.isnan(s) for s in scores) else min(scores)
    if how == "last":
        return float(scores[-1])
    if how == "product":
        return math.prod(scores)
    if how == "mean":
        return math.fsum(scores) / len(scores)
    raise ValueError(f"unknown aggregate {how!r}; known: {', '.join(AGGREGATES)}")
