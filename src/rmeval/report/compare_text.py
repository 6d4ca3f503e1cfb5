"""`rmeval compare` as text: the differences with their intervals, McNemar per subset, and plain findings."""

from __future__ import annotations

from rmeval.analysis.compare import Comparison, Difference

__all__ = ["findings", "format_comparison"]


def _points(x: float) -> str:
    return f"{100 * x:+.2f}"


def _interval(ci: list[float]) -> str:
    return f"[{100 * ci[0]:+.2f}, {100 * ci[1]:+.2f}]"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def findings(c: Comparison, name_a: str = "A", name_b: str = "B") -> list[str]:
    """Plain sentences: which differences are significant, and which are not."""
    level = f"{100 * c.level:.0f} %"
    s = c.score
    lines = []
    if s.significant:
        higher, lower = (name_a, name_b) if s.diff > 0 else (name_b, name_a)
        lines.append(f"{higher} scores higher than {lower}: {100 * abs(s.diff):.2f} points "
                     f"({level} interval of A - B {_interval(s.ci)}); the difference is significant.")
    else:
        lines.append(f"No significant difference in the score: A - B = {_points(s.diff)} points, "
                     f"{level} interval {_interval(s.ci)} includes 0.")
    for winner, sign in ((name_a, 1), (name_b, -1)):
        better = [d.name for d in c.sections if d.significant and sign * d.diff > 0]
        if better:
            lines.append(f"{winner} is significantly better on {_names(better)} (paired bootstrap, {level}).")
    same = [d.name for d in c.sections if not d.significant]
    if same:
        lines.append(f"No significant difference on {_names(same)}.")
    for winner, sign in ((name_a, 1), (name_b, -1)):
        tests = [t for t in c.subsets if t.p_holm < c.alpha and sign * (t.only_a - t.only_b) > 0]
        if tests:
            detail = ", ".join(f"{t.subset} (p = {t.p_holm:.2g})" for t in tests)
            lines.append(f"{winner} is right more often on {detail} (McNemar, Holm-adjusted, alpha {c.alpha:g}).")
    rest = sum(1 for t in c.subsets if t.p_holm >= c.alpha)
    if rest == len(c.subsets):
        lines.append("No subset differs significantly after Holm's correction.")
    elif rest:
        lines.append(f"The other {rest} subset(s) show no significant difference after Holm's correction.")
    return lines


def _difference_row(d: Difference, width: int) -> str:
    mark = "  *" if d.significant else ""
    return (f"  {d.name:<{width}}  {100 * d.a:7.2f}  {100 * d.b:7.2f}  {_points(d.diff):>7}  "
            f"{_interval(d.ci):>18}{mark}")


def format_comparison(c: Comparison, name_a: str = "A", name_b: str = "B") -> str:
    """The whole comparison as text (percent; * marks intervals that exclude 0)."""
    width = max([len(t.subset) for t in c.subsets] + [len(d.name) for d in c.sections] + [22])
    lines = [f"A: {name_a}", f"B: {name_b}",
             f"paired on {c.n_paired} examples; {c.resamples} paired resamples (seed {c.seed}), "
             f"{100 * c.level:.0f} % intervals", *c.notes, "",
             f"  {'':<{width}}  {'A %':>7}  {'B %':>7}  {'A - B':>7}  {'interval':>18}"]
    lines += [_difference_row(d, width) for d in [c.score, *c.sections]]
    if c.facets:
        lines += ["", "Facets (each facet's score, combined like the score)"]
        lines += [_difference_row(d, width) for d in c.facets]
    lines += ["", f"McNemar's exact test per subset (full-credit answers; Holm-adjusted over {len(c.subsets)} "
                  "subsets)",
              f"  {'subset':<{width}}  {'n':>5}  {'A %':>7}  {'B %':>7}  {'only A':>6}  {'only B':>6}  {'p':>8}  "
              f"{'p (Holm)':>8}"]
    for t in c.subsets:
        mark = "  *" if t.p_holm < c.alpha else ""
        lines.append(f"  {t.subset:<{width}}  {t.n:>5}  {100 * t.acc_a:7.2f}  {100 * t.acc_b:7.2f}  {t.only_a:>6}  "
                     f"{t.only_b:>6}  {t.p:8.2g}  {t.p_holm:8.2g}{mark}")
    return "\n".join([*lines, "", "Findings", *(f"  - {x}" for x in findings(c, name_a, name_b))])
