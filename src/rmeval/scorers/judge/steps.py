"""Generative judges on step-level benchmarks: asked for a solution's earliest wrong step, read as step scores.

The prompt (`templates/judge/steps.txt`, or a `--judge-prompt FILE` with a `{steps}` placeholder) shows the
problem and the steps, each between `<step_N>` and `</step_N>`, numbered from 0 as ProcessBench numbers its
paragraphs (its authors' `code/run_eval.py::prepare_input_boxed`). The judge ends with `[[N]]`, N the earliest
wrong step or -1 for none; the final `\\boxed{N}` that ProcessBench's own critique prompt asks for is read too.

A judge's answer N becomes step scores: 1 for the steps before N, 0 for N and every step after it (all 1 for -1),
which the benchmark's rule reads with any threshold in (0, 1): ProcessBench's prediction is N itself; PRMBench sees
step N and the later steps as judged invalid (**rmeval**: a judge names one step, not a label per step). An
ensemble takes the most common answer (a tie between answers: the earliest step); when no judge answered, the
scores are NaN, which the rules count as a miss (ProcessBench) or leave out (PRMBench).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rmeval.scorers.judge.templates import JudgeTemplate
from rmeval.types import Example, Scored

if TYPE_CHECKING:
    from rmeval.engines.base import GenerationParams
    from rmeval.engines.wrapper import ReliableEngine

__all__ = ["example_steps", "judge_steps", "parse_step", "step_scores"]

_MARK = re.compile(r"\[\[\s*(-?\d+)\s*\]\]|\\boxed\{\s*(-?\d+)\s*\}")


def example_steps(ex: Example) -> list[str]:
    """The published steps of a step-level example's (only) solution."""
    steps = ex.meta.get("steps")
    if not isinstance(steps, list) or not steps or not isinstance(steps[0], list):
        raise ValueError(f"example {ex.key} has no published steps: a judge names the earliest wrong step of a "
                         "step-level benchmark's solutions (ProcessBench, PRMBench)")
    return [str(s) for s in steps[0]]


def parse_step(text: str, steps: int) -> int | None:
    """The earliest wrong step an answer names (its last `[[N]]` or `\\boxed{N}`, after any thinking), -1 for
    none, or None when it names no step of the solution.

    >>> parse_step("Step 1 is fine, maybe [[1]]? No: the slip is in step 2.\\n[[2]]", 4)
    2
    >>> parse_step("<think>[[0]]</think>All correct. \\\\boxed{-1}", 4), parse_step("[[7]]", 4), parse_step("ok", 4)
    (-1, None, None)
    """
    cut = text.rfind("</think>")
    final = text[cut + len("</think>"):] if cut >= 0 else text
    marks = list(_MARK.finditer(final))
    if not marks:
        return None
    last = marks[-1]
    value = int(last.group(1) if last.group(1) is not None else last.group(2))
    return value if -1 <= value < steps else None


def step_scores(said: int | None, steps: int) -> list[float]:
    """Step scores of a judge's answer: 1 before the step it names, 0 from it on; NaN when it named none."""
    if said is None:
        return [math.nan] * steps
    return [1.0 if said < 0 or i < said else 0.0 for i in range(steps)]


def _majority(answers: Sequence[int]) -> int | None:
    if not answers:
        return None
    counts = Counter(answers)
    top = max(counts.values())
    return min((a for a, c in counts.items() if c == top), key=lambda a: (a < 0, a))


def judge_steps(examples: Sequence[Example], judges: Sequence[tuple[str, ReliableEngine]],
                template: JudgeTemplate, params: GenerationParams, progress: Any = None) -> list[Scored]:
    """Ask every judge for each solution's earliest wrong step; one Scored per example with its step scores."""
    steps = [example_steps(ex) for ex in examples]
    chats = [template.render(ex.prompt, s) for ex, s in zip(examples, steps, strict=True)]
    said: list[list[int | None]] = [[] for _ in examples]
    failed: list[list[str]] = [[] for _ in examples]
    for _, engine in judges:
        for i, answer in enumerate(engine.answer(chats, params, progress)):
            value = None if answer.text is None else parse_step(answer.text, len(steps[i]))
            said[i].append(value)
            if value is None:
                failed[i].append("failed_request" if answer.text is None else "unparseable")
    out = []
    for ex, s, own, fails in zip(examples, steps, said, failed, strict=True):
        pick = _majority([v for v in own if v is not None])
        scores = step_scores(pick, len(s))
        counts = {"judgements": len(own), "unparseable": fails.count("unparseable"),
                  "failed_requests": fails.count("failed_request"), "scored_by_policy": int(pick is None)}
        details = {"mode": "steps", "judges": [{"judge": name, "said": v} for (name, _), v in
                                               zip(judges, own, strict=True)],
                   "counts": counts, "steps": {"scores": [scores], "threshold": 0.5, "said": pick}}
        out.append(Scored(ex, (min(scores),) if not math.isnan(scores[0]) else (math.nan,), (), details))
    return out
