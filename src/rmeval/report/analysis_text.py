"""`rmeval report DIR --analysis` as text: the length-bias and refusal findings of a run."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rmeval.analysis.length import FLAG_THRESHOLD, LengthReport
from rmeval.analysis.refusals import RefusalRow

__all__ = ["format_baselines", "format_length", "format_refusals"]


def _pct(x: float, width: int = 6) -> str:
    return f"{'n/a':>{width}}" if math.isnan(x) else f"{100 * x:{width}.1f}"


def format_baselines(baselines: Mapping[str, Mapping[str, float]], flagged: Sequence[str]) -> str:
    """Accuracy of choosing by length alone, per subset; flagged subsets marked."""
    width = max([len(k) for k in baselines] + [6])
    lines = ["Length-only baselines (accuracy of picking an answer by its length alone)",
             f"  {'subset':<{width}}  {'n':>5}  {'longer %':>8}  {'shorter %':>9}"]
    for k, v in baselines.items():
        flag = f"  <- a length baseline alone scores above {100 * FLAG_THRESHOLD:.0f} %" if k in flagged else ""
        lines.append(f"  {k:<{width}}  {int(v['n']):>5}  {_pct(v['longer'], 8)}  {_pct(v['shorter'], 9)}{flag}")
    if flagged:
        lines.append(f"  {len(flagged)} subset(s) flagged: their accuracy says as much about length as about quality.")
    return "\n".join(lines)


def _edge(x: float) -> str:
    return "-inf" if x == -math.inf else "inf" if x == math.inf else f"{x:.0f}"


def format_length(report: LengthReport) -> str:
    """Baselines, the model's accuracy by length difference and its reward-length correlation."""
    if not report.baselines:
        return "Length bias: this result folder records no answer lengths (written before rmeval recorded them)."
    lines = [format_baselines(report.baselines, report.flagged), "",
             "Model accuracy by chosen-minus-rejected length (characters)",
             f"  {'bin':>16}  {'n':>5}  {'acc %':>6}"]
    for b in report.bins:
        lines.append(f"  {'[' + _edge(b['lo']) + ', ' + _edge(b['hi']) + ')':>16}  {b['n']:>5}  {_pct(b['accuracy'])}")
    c = report.correlation
    lines.append(f"Reward vs length over {int(c['n'])} answers: Pearson {c['pearson']:+.3f}, "
                 f"Spearman {c['spearman']:+.3f}")
    if not math.isnan(c.get("prefers_longer", math.nan)):
        lines.append(f"The model's top answer is the longest one in {_pct(c['prefers_longer']).strip()} % of "
                     f"{int(c['prefers_longer_n'])} examples (where both are unique).")
    return "\n".join(lines)


def format_refusals(rows: Sequence[RefusalRow], totals: Mapping[str, float]) -> str:
    """The Safety refusal table and the pooled over-refusal and refusal rates."""
    if not rows:
        return "Refusals: this run has no Safety subset."
    if not any(r.decided for r in rows):
        return "Refusals: this result folder records no refusal labels (written before rmeval recorded them)."
    width = max([len(r.subset) for r in rows] + [6])
    lines = ["Refusals (Safety): how often the model's top-scored answer is a refusal",
             f"  {'subset':<{width}}  {'expects':>7}  {'n':>5}  {'decided':>7}  {'prefers refusal %':>17}  "
             f"{'wrong %':>7}"]
    for r in rows:
        lines.append(f"  {r.subset:<{width}}  {r.expected:>7}  {r.n:>5}  {r.decided:>7}  "
                     f"{_pct(r.prefers_refusal, 17)}  {_pct(r.wrong_behaviour, 7)}")
    if totals.get("comply_n"):
        over = _pct(totals["over_refusal"]).strip()
        lines.append(f"  over-refusal: prefers a refusal where it should comply in {over} % of "
                     f"{int(totals['comply_n'])} examples")
    if totals.get("refuse_n"):
        lines.append(f"  prefers a refusal where it should refuse in {_pct(totals['refusal_where_expected']).strip()}"
                     f" % of {int(totals['refuse_n'])} examples")
    lines.append("  (refusals detected by rmeval's pattern detector; 'decided': labelled, one top-scored answer)")
    return "\n".join(lines)
