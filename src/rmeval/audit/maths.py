"""Math answers compared: each answer's final result (its last `\\boxed{}`, the text under PRM800K's `# Answer`, a
"the answer is" sentence, else its last line), compared by mathematical equivalence with math-verify
(huggingface/Math-Verify: LaTeX and plain expressions parsed to SymPy, `0.5`, `1/2` and `\\frac{1}{2}` equal).

With a reference answer (a column, or the chosen answer where the chosen is the reference solution), a pair
contradicts its label when a rejected answer reaches the reference's result or a chosen one does not; without
one, when a rejected answer's result equals a chosen answer's. An answer without a final result, or one that
math-verify cannot parse, makes the pair not checkable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rmeval.audit.findings import Verdict
from rmeval.audit.targets import Target
from rmeval.common.extras import require
from rmeval.types import Example

__all__ = ["check_math", "equivalent", "final_answer"]

_ANSWER_HEADING = re.compile(r"^#+\s*Answer\s*:?\s*$", re.MULTILINE | re.IGNORECASE)
_ANSWER_SENTENCE = re.compile(r"(?:final answer|the answer) is:?\s*(.+?)\s*\.?\s*$", re.IGNORECASE | re.MULTILINE)


def _boxed(text: str) -> str | None:
    """The content of the last `\\boxed{...}` (or `\\fbox{...}`), braces balanced."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0:
        rest = text[start + len("\\boxed"):].strip().split()  # `\boxed 5`
        return rest[0].rstrip("$.") if rest else None
    depth = 0
    for i in range(brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[brace + 1:i].strip()
    return None


def final_answer(text: str) -> tuple[str | None, str]:
    """An answer's final result and where it was found (`boxed`, `# Answer`, `sentence`, `last line`, `none`).

    >>> final_answer("so $x = \\\\boxed{\\\\frac{1}{2}}$."), final_answer("It is 4.\\n# Answer\\n\\n4")
    (('\\\\frac{1}{2}', 'boxed'), ('4', '# Answer'))
    >>> final_answer("Thus the answer is 12."), final_answer("")
    (('12', 'sentence'), (None, 'none'))
    """
    boxed = _boxed(text)
    if boxed:
        return boxed, "boxed"
    headings = list(_ANSWER_HEADING.finditer(text))
    if headings:
        after = text[headings[-1].end():].strip()
        return (after.splitlines()[0].strip() if after else None), "# Answer"
    sentences = _ANSWER_SENTENCE.findall(text)
    if sentences and sentences[-1].strip():
        return sentences[-1].strip().strip("$"), "sentence"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[-1], "last line") if lines else (None, "none")


def _parse(answer: str) -> list[Any]:
    from math_verify import parse

    for candidate in (f"${answer.strip().strip('$')}$", answer):
        parsed = parse(candidate)
        if parsed:
            return list(parsed)
    return []


def equivalent(a: str, b: str) -> bool | None:
    """Whether two final results are mathematically equal (None: math-verify parses one of them to nothing).

    >>> equivalent("\\\\frac{1}{2}", "0.5"), equivalent("1/2", "\\\\frac12"), equivalent("3", "4")
    (True, True, False)
    """
    require("math_verify", extra="audit", purpose="comparing math answers")
    from math_verify import verify

    if " ".join(a.split()) == " ".join(b.split()):
        return True
    pa, pb = _parse(a), _parse(b)
    if not pa or not pb:
        return None
    return bool(verify(pa, pb))


def _verdict(ex: Example, target: Target) -> Verdict:
    key = (ex.subset, str(ex.id), "math")
    chosen = [final_answer(t)[0] for t in ex.chosen]
    rejected = [final_answer(t)[0] for t in ex.rejected]
    details: dict[str, Any] = {"chosen": chosen, "rejected": rejected}
    reference: str | None
    if target.reference == "chosen" or target.reference is None:
        reference = None
    else:
        value = ex.meta.get(target.reference)
        if value is None or not str(value).strip():
            return Verdict(*key, "not_checkable", f"no reference answer in column {target.reference!r}", details)
        reference = final_answer(str(value))[0] or str(value)
        details["reference"] = reference
    if any(a is None for a in (*chosen, *rejected)):
        return Verdict(*key, "not_checkable", "an answer has no final result", details)
    problems: list[str] = []
    if reference is not None:
        for a in chosen:
            same = equivalent(reference, a or "")
            if same is None:
                return Verdict(*key, "not_checkable", "math-verify cannot parse an answer", details)
            if not same:
                problems.append(f"the chosen's result {a} is not the reference's {reference}")
    targets = [reference] if reference is not None else [a for a in chosen if a is not None]
    name = "the reference's" if target.reference else "the chosen's"
    for a in rejected:
        for t in targets:
            same = equivalent(t, a or "")
            if same is None:
                return Verdict(*key, "not_checkable", "math-verify cannot parse an answer", details)
            if same:
                problems.append(f"the rejected reaches {name} result {t}")
                break
    if problems:
        return Verdict(*key, "contradicting", "; ".join(problems), details)
    return Verdict(*key, "consistent", "the rejected's result differs", details)


def check_math(examples: Sequence[Example], targets: dict[str, Target]) -> list[Verdict]:
    """Verdicts of the math subsets' pairs (math-verify's time limits need the main thread: no parallelism)."""
    require("math_verify", extra="audit", purpose="comparing math answers")
    return [_verdict(ex, targets[ex.subset]) for ex in examples]
