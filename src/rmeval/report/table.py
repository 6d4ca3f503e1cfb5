"""Plain-text tables of a run's metrics: subsets grouped by section, section scores, the score."""

from __future__ import annotations

from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.metrics import Metrics

__all__ = ["format_metrics"]


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}"


def _ci(ci: object, group: str, name: str | None = None) -> str:
    """`  [lo, hi]` in percent from `metrics.extra["ci"]`, or nothing when the run has no interval."""
    if not isinstance(ci, dict):
        return ""
    value = ci.get(group)
    if name is not None:
        value = value.get(name) if isinstance(value, dict) else None
    if not isinstance(value, list) or len(value) != 2:
        return ""
    return f"  [{100 * value[0]:6.2f}, {100 * value[1]:6.2f}]"


COUNT_LABELS = {"judgements": "judged", "unparseable": "unparseable", "failed_requests": "failed req.",
                "inconsistent": "inconsistent", "scored_by_policy": "by policy"}


def _counts_table(counts: dict[str, dict[str, int]], width: int) -> list[str]:
    """Per-subset counters a scorer kept (a judge's unparseable verdicts, failed requests, inconsistent orders)."""
    keys = list(dict.fromkeys(k for row in counts.values() for k in row))
    labels = [COUNT_LABELS.get(k, k) for k in keys]
    lines = ["", "Judge failures and order consistency (failures are scored by the run's failure policy)",
             f"  {'subset':<{width}}" + "".join(f"  {label:>12}" for label in labels)]
    for subset, row in counts.items():
        lines.append(f"  {subset:<{width}}" + "".join(f"  {row.get(k, 0):>12}" for k in keys))
    return lines


def format_metrics(metrics: Metrics, benchmark: BenchmarkSpec, title: str = "") -> str:
    """Subset table (n, accuracy %, ties) grouped by section, then section scores and the score, in percent.

    Runs with bootstrap intervals (`metrics.extra["ci"]`) show them after each value.
    """
    width = max([len(s) for s in metrics.subsets] + [24])
    lines = [title] if title else []
    ci = metrics.extra.get("ci")
    header = f"  {'subset':<{width}}  {'n':>5}  {'acc %':>6}  {'ties':>5}"
    if isinstance(ci, dict):
        header += f"  {100 * float(ci.get('level', 0.95)):.0f} % interval"
    groups: list[tuple[str, list[str]]] = [
        (sec.name, [s.name for s in sec.subsets if s.name in metrics.subsets]) for sec in benchmark.sections
    ] or [("subsets", list(metrics.subsets))]
    for name, subsets in groups:
        if not subsets:
            continue
        section_value = metrics.sections.get(name)
        lines.append(f"{name}" + (f"  ({_pct(section_value).strip()} %)" if section_value is not None else ""))
        lines.append(header)
        for s in subsets:
            m = metrics.subsets[s]
            lines.append(f"  {s:<{width}}  {m.n:>5}  {_pct(m.accuracy)}  {m.ties:>5}{_ci(ci, 'subsets', s)}")
    lines.append("")
    for name, value in metrics.sections.items():
        lines.append(f"{name:<{width + 2}}  {_pct(value)} %{_ci(ci, 'sections', name)}")
    partial = "" if metrics.extra.get("complete", True) else "   (partial: some subsets not scored)"
    lines.append(f"{'Score':<{width + 2}}  {_pct(metrics.score)} %{_ci(ci, 'score')}{partial}")
    prior = metrics.extra.get("prior_sets")
    if isinstance(prior, dict):
        lines.append(f"{'Prior Sets (apart)':<{width + 2}}  {_pct(float(prior['score']))} %"
                     f"{_ci(prior.get('ci'), 'score')}")
    if "average_with_prior_sets" in metrics.extra:
        lines.append(f"{'Old average w/ Prior Sets':<{width + 2}}  "
                     f"{_pct(float(metrics.extra['average_with_prior_sets']))} %")
    counts = metrics.extra.get("counts")
    if isinstance(counts, dict) and counts:
        lines += _counts_table(counts, width)
    ties = metrics.extra.get("ties")
    if isinstance(ties, dict):
        lines += _ties_terms(ties, width)
    return "\n".join(lines)


def _ties_terms(ties: dict[str, Any], width: int) -> list[str]:
    """Each term of RewardBench 2's Ties composite with its weight, and prompts left without a partner."""
    lines = []
    for subset, result in ties.items():
        prompts = result.get("prompts", {})
        lines += ["", f"{subset} composite ({prompts.get('paired', '?')} prompts in both variants)"]
        for term, value in result.get("terms", {}).items():
            weight = result.get("weights", {}).get(term, 0.0)
            lines.append(f"  {term:<{width}}  {_pct(float(value))} %   x {weight:.2f}")
        if result.get("unpaired"):
            lines.append(f"  without a partner variant: {', '.join(result['unpaired'])}")
    return lines
