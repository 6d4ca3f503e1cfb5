"""Plain-text tables of a run's metrics: subsets grouped by section, section scores, the score."""

from __future__ import annotations

from typing import Any

from rmeval.benchmarks import BenchmarkSpec, Section
from rmeval.report.judge_text import judge_tables
from rmeval.scoring import Intervals, Metrics, TiesResult
from rmeval.scoring.metrics import FacetMetrics

__all__ = ["format_metrics", "inputs_note"]


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}"


def _ci(ci: Intervals | None, group: str, name: str | None = None) -> str:
    """`  [lo, hi]` in percent from the run's intervals, or nothing when it has none."""
    if ci is None:
        return ""
    tables = {"subsets": ci.subsets, "sections": ci.sections, "parts": ci.parts}
    value = ci.score if group == "score" else tables[group].get(str(name))
    if value is None:
        return ""
    return f"  [{100 * value[0]:6.2f}, {100 * value[1]:6.2f}]"


COUNT_LABELS = {"judgements": "judged", "unparseable": "unparseable", "failed_requests": "failed req.",
                "inconsistent": "inconsistent", "scored_by_policy": "by policy"}


def _counts_table(counts: dict[str, dict[str, int]], width: int) -> list[str]:
    """Per-subset counters a scorer kept (a pairwise model's comparisons and inconsistent orders; a judge's failures
    in results written before judges counted verdicts lost to the budget)."""
    keys = list(dict.fromkeys(k for row in counts.values() for k in row))
    labels = [COUNT_LABELS.get(k, k) for k in keys]
    lines = ["", "Judge failures and order consistency (failures are scored by the run's failure policy)",
             f"  {'subset':<{width}}" + "".join(f"  {label:>12}" for label in labels)]
    for subset, row in counts.items():
        lines.append(f"  {subset:<{width}}" + "".join(f"  {row.get(k, 0):>12}" for k in keys))
    return lines


FAILURE_WARNING = 0.10
"""Above this share of failed verdicts, the report warns first and shows the accuracy over parsed verdicts."""


def _failure_warning(metrics: Metrics, width: int) -> list[str]:
    """The warning and the parsed-only accuracies, when more than `FAILURE_WARNING` of the verdicts failed."""
    judged = sum(row.get("judgements", 0) for row in metrics.counts.values())
    unparseable = sum(row.get("unparseable", 0) for row in metrics.counts.values())
    failed = sum(row.get("failed_requests", 0) for row in metrics.counts.values())
    lost = sum(row.get("lost_to_budget", 0) for row in metrics.counts.values())
    bad = unparseable + failed + lost
    if not judged or bad / judged <= FAILURE_WARNING:
        return []
    lines = [f"WARNING: {bad} of {judged} judge verdicts ({100 * bad / judged:.1f} %) failed ({lost} lost to the "
             f"token budget, {unparseable} unparseable, {failed} failed requests). The examples where every judge "
             "failed are scored by the failure policy; over the examples with a verdict:",
             f"  {'subset':<{width}}  {'n':>5}  {'acc %':>6}"]
    for name, m in metrics.scored_only.items():
        lines.append(f"  {name:<{width}}  {m.n:>5}  {_pct(m.accuracy)}")
    return [*lines, ""]


def format_metrics(metrics: Metrics, benchmark: BenchmarkSpec, title: str = "",
                   price: tuple[float, float] | None = None) -> str:
    """Subset table (n, accuracy %, ties) grouped by section, then section scores and the score, in percent.

    Runs with bootstrap intervals show them after each value; companion sets (Prior Sets) and their combined
    averages follow the score under their own names; a judge's run adds its verdict counts, the score over its
    complete examples and its tokens (with their cost at `price` per million prompt and completion tokens).
    """
    width = max([len(s) for s in metrics.subsets] + [24])
    lines = [title] if title else []
    lines += _failure_warning(metrics, width)
    ci = metrics.ci
    label = f"{benchmark.value_label} %"
    header = f"  {'subset':<{width}}  {'n':>5}  {label:>{max(6, len(label))}}  {'ties':>5}"
    if ci is not None:
        header += f"  {100 * ci.level:.0f} % interval"
    groups = ([g for sec in benchmark.sections for g in _groups(sec, metrics)]
              or [("subsets", None, list(metrics.subsets))])
    for name, value, subsets in groups:
        if not subsets and value is None:
            continue
        lines.append(f"{name}" + (f"  ({_pct(value).strip()} %)" if value is not None else ""))
        if not subsets:
            continue
        lines.append(header)
        for s in subsets:
            m = metrics.subsets[s]
            cell = f"{_pct(m.accuracy):>{max(6, len(label))}}"
            lines.append(f"  {s:<{width}}  {m.n:>5}  {cell}  {m.ties:>5}{_ci(ci, 'subsets', s)}")
    lines.append("")
    for name, value in metrics.sections.items():
        lines.append(f"{name:<{width + 2}}  {_pct(value)} %{_ci(ci, 'sections', name)}")
    partial = "" if metrics.complete else "   (partial: some subsets not scored)"
    lines.append(f"{'Score':<{width + 2}}  {_pct(metrics.score)} %{_ci(ci, 'score')}{partial}")
    for companion in metrics.companions.values():
        lines.append(f"{companion.title + ' (apart)':<{width + 2}}  {_pct(companion.metrics.score)} %"
                     f"{_ci(companion.metrics.ci, 'score')}")
        if companion.combined is not None:
            lines.append(f"{_short(companion.combined.name, companion.title):<{width + 2}}  "
                         f"{_pct(companion.combined.value)} %")
    if metrics.facets:
        lines += _facets_table(metrics.facets, [sec.name for sec in benchmark.sections])
    if metrics.excluded:
        lines += ["", "Rows left out of the accuracy (by the benchmark's rule, the data's labels or layout, as "
                  "invalid rows, or by an audit)"]
        lines += [f"  {subset:<{width}}  " + ", ".join(f"{reason}: {n}" for reason, n in reasons.items())
                  for subset, reasons in metrics.excluded.items()]
    if any("complete" in row for row in metrics.counts.values()):
        lines += judge_tables(metrics, width, price)
    elif metrics.counts:
        lines += _counts_table(metrics.counts, width)
    if metrics.ties:
        lines += _ties_terms(metrics.ties, width)
    return "\n".join(lines)


def _groups(section: Section, metrics: Metrics) -> list[tuple[str, float | None, list[str]]]:
    """(name, value, scored subsets) of a section and, below it, of each of its parts (M-RewardBench, RMB)."""
    if not section.parts:
        return [(section.name, metrics.sections.get(section.name, metrics.parts.get(section.name)),
                 [s.name for s in section.subsets if s.name in metrics.subsets])]
    if not any(s.name in metrics.subsets for s in section.all_subsets()):
        return []
    out: list[tuple[str, float | None, list[str]]] = [(section.name, metrics.sections.get(section.name), [])]
    return out + [g for part in section.parts for g in _groups(part, metrics)]


def _facets_table(facets: dict[str, FacetMetrics], order: list[str]) -> list[str]:
    """Each facet's section values and score (RM-Bench's Easy / Normal / Hard, PPE's Best-of-K), in percent."""
    names = [n for n in order if any(n in f.sections for f in facets.values())]
    widths = [max(7, len(n)) for n in names]
    lines = ["", "Facets (each averaged like the score)",
             f"  {'':<10}" + "".join(f"  {n:>{w}}" for n, w in zip(names, widths, strict=True)) + f"  {'Score':>7}"]
    for facet, m in facets.items():
        cells = [_pct(m.sections[n]) if n in m.sections else "      " for n in names]
        lines.append(f"  {facet:<10}" + "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))
                     + f"  {_pct(m.score):>7}{_ci(m.ci, 'score')}")
    return lines


def _short(name: str, title: str) -> str:
    """A combined average's label in the table: "old leaderboard average with Prior Sets" is long for a column.

    >>> _short("old leaderboard average with Prior Sets", "Prior Sets")
    'Old average w/ Prior Sets'
    """
    return f"Old average w/ {title}" if name.startswith("old ") else name


def _ties_terms(ties: dict[str, TiesResult], width: int) -> list[str]:
    """Each term of RewardBench 2's Ties composite with its weight, and prompts left without a partner."""
    lines = []
    for subset, result in ties.items():
        lines += ["", f"{subset} composite ({result.prompts.get('paired', '?')} prompts in both variants)"]
        for term, value in result.terms.items():
            lines.append(f"  {term:<{width}}  {_pct(value)} %   x {result.weights.get(term, 0.0):.2f}")
        if result.unpaired:
            lines.append(f"  without a partner variant: {', '.join(result.unpaired)}")
    return lines


INPUTS_NOTE = {"model": "the model's own convention", "reference": "the reference implementation's token ids"}


def inputs_note(scorer: dict[str, Any]) -> str:
    """`; inputs: ...` for a report's header: which input convention a local model's run fed (`--inputs`); empty
    for scorers without one (judges).

    >>> inputs_note({"options": {"inputs": "reference"}})
    "; inputs: reference (the reference implementation's token ids)"
    """
    inputs = (scorer.get("options") or {}).get("inputs")
    return f"; inputs: {inputs} ({INPUTS_NOTE.get(inputs, inputs)})" if isinstance(inputs, str) else ""

