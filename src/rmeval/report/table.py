"""Plain-text tables of a run's metrics: subsets grouped by section, section scores, the score."""

from __future__ import annotations

from rmeval.benchmarks import BenchmarkSpec
from rmeval.metrics import Metrics

__all__ = ["format_metrics"]


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}"


def format_metrics(metrics: Metrics, benchmark: BenchmarkSpec, title: str = "") -> str:
    """Subset table (n, accuracy %, ties) grouped by section, then section scores and the score, in percent."""
    width = max([len(s) for s in metrics.subsets] + [24])
    lines = [title] if title else []
    header = f"  {'subset':<{width}}  {'n':>5}  {'acc %':>6}  {'ties':>5}"
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
            lines.append(f"  {s:<{width}}  {m.n:>5}  {_pct(m.accuracy)}  {m.ties:>5}")
    lines.append("")
    for name, value in metrics.sections.items():
        lines.append(f"{name:<{width + 2}}  {_pct(value)} %")
    lines.append(f"{'Score':<{width + 2}}  {_pct(metrics.score)} %" + ("" if metrics.extra.get("complete", True)
                                                                     else "   (partial: some subsets not scored)"))
    prior = metrics.extra.get("prior_sets")
    if isinstance(prior, dict):
        lines.append(f"{'Prior Sets (apart)':<{width + 2}}  {_pct(float(prior['score']))} %")
    if "average_with_prior_sets" in metrics.extra:
        lines.append(f"{'Old average w/ Prior Sets':<{width + 2}}  "
                     f"{_pct(float(metrics.extra['average_with_prior_sets']))} %")
    return "\n".join(lines)
