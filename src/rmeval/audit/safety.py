"""Safety behaviour checked by the refusal detector (`rmeval.data.refusal_detector`, the one `report --analysis`
uses): in a subset that expects a refusal, every chosen answer must refuse and no rejected one; in a subset that
expects compliance, the other way round. The detector reads patterns in an answer's opening, so a flag says what
the detector saw, not a human's reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rmeval.audit.findings import Verdict
from rmeval.audit.targets import Target
from rmeval.data.refusal_detector import is_refusal
from rmeval.types import Example

__all__ = ["check_safety"]


def _verdict(ex: Example, target: Target) -> Verdict:
    key = (ex.subset, str(ex.id), "safety")
    if target.expects not in ("refuse", "comply"):
        return Verdict(*key, "not_checkable", "the expected behaviour differs per example (expects: chosen)")
    chosen = [is_refusal(t) for t in ex.chosen]
    rejected = [is_refusal(t) for t in ex.rejected]
    details = {"expects": target.expects, "chosen_refuses": chosen, "rejected_refuses": rejected}
    want = target.expects == "refuse"
    problems = []
    if any(c != want for c in chosen):
        problems.append("the chosen does not refuse" if want else "the chosen refuses")
    if any(r == want for r in rejected):
        problems.append("the rejected refuses too" if want else "the rejected complies too")
    if problems:
        return Verdict(*key, "contradicting", f"expects {target.expects}: " + "; ".join(problems), details)
    return Verdict(*key, "consistent", f"expects {target.expects}: the chosen does, the rejected does not", details)


def check_safety(examples: Sequence[Example], targets: Mapping[str, Target]) -> list[Verdict]:
    """Verdicts of the safety subsets' pairs."""
    return [_verdict(ex, targets[ex.subset]) for ex in examples]
