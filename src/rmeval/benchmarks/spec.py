"""Benchmarks as data: the subsets, sections, weights and per-example rule of each benchmark, which subsets expect
a refusal, whether a file's subsets identify the benchmark, and the companion sets scored beside it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

__all__ = ["RULES", "BenchmarkSpec", "CombinedAverage", "Companion", "Expects", "JudgeMode", "JudgeOrder", "Rule",
           "Section", "SubsetSpec"]

Rule = Literal["pair", "best_of_n", "ties", "all_above", "style_matrix", "judgebench", "listed_pairs", "first_error",
               "step_labels", "step_f1"]
"""How one example is scored (`rmeval.scoring.credit` and `rmeval.scoring.rules`): `pair` is RewardBench v1's strict
chosen > rejected; `best_of_n` gives 1/k when the chosen answer shares the top score with k answers (RewardBench 2);
`ties` credits an example whose every correct answer beats every incorrect one, and scores the subset with
RewardBench 2's Ties composite (`rmeval.scoring.ties`); `all_above` is the same strict credit as a plain accuracy
(RMB's best-of-N); `style_matrix` is the share of chosen x rejected comparisons won (RM-Bench's 3 x 3 matrix);
`judgebench` is JudgeBench's pair rule (a tied reward goes to response B, a judge's orders vote); `listed_pairs` is
the share of the example's listed (correct, incorrect) pairs won (PPE's correctness sets); `first_error`,
`step_labels` and `step_f1` score one solution's step scores against its labelled steps (ProcessBench's earliest
error, PRMBench's step labels; `rmeval.scoring.steps`)."""
RULES: tuple[str, ...] = ("pair", "best_of_n", "ties", "all_above", "style_matrix", "judgebench", "listed_pairs",
                          "first_error", "step_labels", "step_f1")

JudgeMode = Literal["ranking", "rating", "steps"]
"""How a generative judge must score a subset: rank all answers at once, rate each answer on its own, or name a
solution's earliest wrong step (the step-level benchmarks)."""

JudgeOrder = Literal["both"]
"""The presentation order a benchmark prescribes to pairwise judges: `both` (JudgeBench judges every pair twice)."""

Expects = Literal["refuse", "comply", "chosen"]
"""What a safety subset asks of a model: to refuse, to comply, or, per example, what its chosen answer does (a
subset that mixes prompts to refuse with prompts to answer, as RewardBench 2's Safety)."""


@dataclass(frozen=True)
class SubsetSpec:
    """A subset, its published row count (checked when the whole benchmark is loaded) and its section weight.

    `weight=None` means the subset weighs as many as the rows actually scored. `rule` overrides the benchmark's rule
    for this subset (RewardBench 2's Ties); `judge_mode` is the judging protocol the benchmark prescribes, if any;
    `expects` says what a safety subset asks of the model (the refusal analysis covers the subsets that say it).
    `optional` marks a subset the published data does not have, which a run is complete without (JudgeBench's
    pairs of other sources).
    """

    name: str
    rows: int | None = None
    weight: float | None = None
    rule: Rule | None = None
    judge_mode: JudgeMode | None = None
    expects: Expects | None = None
    optional: bool = False


@dataclass(frozen=True)
class Section:
    """A named group of subsets whose accuracies are averaged with the subsets' weights, or of `parts` (sections of
    its own, averaged with their weights: M-RewardBench's language made of RewardBench's four sections).

    `weight` is the section's weight in the score (or in its parent section); None weighs it by the examples it
    scored, so the score is the accuracy over all examples (JudgeBench's overall accuracy).
    """

    name: str
    subsets: tuple[SubsetSpec, ...] = ()
    weight: float | None = 1.0
    parts: tuple[Section, ...] = ()

    def all_subsets(self) -> tuple[SubsetSpec, ...]:
        """Every subset of the section, its parts' included, in order."""
        return self.subsets + tuple(s for part in self.parts for s in part.all_subsets())


@dataclass(frozen=True)
class CombinedAverage:
    """A weighted mean of a benchmark's sections and a companion set's score, reported under its own name (never
    the benchmark's score): RewardBench's old leaderboard average with Prior Sets."""

    name: str
    weights: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Companion:
    """A set scored beside a benchmark in the same run and reported apart (RewardBench's Prior Sets).

    Its samples carry `part`; its metrics are stored under that key in `metrics.companions`. `hub_id` is its default
    source, read one split per subset; a local file with a subset column replaces it.
    """

    part: str
    title: str
    spec: BenchmarkSpec
    hub_id: str | None = None
    combined: CombinedAverage | None = None


@dataclass(frozen=True)
class BenchmarkSpec:
    """Everything that defines how a benchmark is read and scored.

    A benchmark with `sections` is closed: a row whose subset belongs to no section is an error. A benchmark without
    sections (custom data) takes its subsets from the data, and its score is the mean of its subset accuracies.
    `detect` lets a local file whose subsets are all this benchmark's be scored as it without `--benchmark`.
    """

    name: str
    description: str
    rule: Rule
    sections: tuple[Section, ...] = ()
    hub_id: str | None = None
    hub_split: str | None = None
    packaged_file: str | None = None
    score_definition: str = "mean of the section scores"
    detect: bool = False
    companions: tuple[Companion, ...] = ()
    layout: str | None = None
    """The data layout that reads this benchmark's files as its authors publish them (`rmeval.data.layouts`);
    None: rows with prompt / chosen / rejected / subset / id columns."""
    judge_order: JudgeOrder | None = None
    """The presentation order the benchmark prescribes to pairwise judges (None: the judge's own `--order`)."""
    sample_facts: tuple[str, ...] = ()
    """Keys of an example's `meta` its rule needs beyond the scores, kept in samples.jsonl (`SampleRecord.facts`)."""
    conventions_extra: tuple[tuple[str, str], ...] = ()
    """Conventions of the authors' scoring that the spec's fields do not show, recorded as they are."""
    pooled_score: str | None = None
    """The score is this value function of every subset's units pooled (`rmeval.scoring.steps.subset_values`:
    PRMBench's overall PRMScore over all its categories' step counts), not a mean of the sections."""
    value_label: str = "acc"
    """What a subset's value is called in tables (`acc`; ProcessBench's `F1`, PRMBench's `PRMScore`)."""
    blank_texts: bool = False
    """Whether an answer or a prompt turn that is empty or only whitespace is a text to score, as the benchmark's
    authors score it (RMB), rather than a data error."""

    @property
    def closed(self) -> bool:
        """Whether the benchmark's subsets are fixed (rows of any other subset are rejected)."""
        return bool(self.sections)

    @property
    def subsets(self) -> tuple[SubsetSpec, ...]:
        """Every subset, in section order (parts included)."""
        return tuple(s for section in self.sections for s in section.all_subsets())

    def expand(self, names: Sequence[str], present: Collection[str] | None = None) -> list[str]:
        """`--subsets` names with each section's name replaced by its subsets (those in `present`, when given; a
        section none of whose subsets is present stays as it is): M-RewardBench's language filter.

        >>> spec = BenchmarkSpec("b", "", "pair", (Section("S", (SubsetSpec("x"), SubsetSpec("y"))),))
        >>> spec.expand(["S", "z"]), spec.expand(["S"], present={"y"})
        (['x', 'y', 'z'], ['y'])
        """
        out = []
        for name in names:
            section = next((sec for sec in self.sections if sec.name == name), None)
            members = [s.name for s in section.all_subsets()] if section is not None else []
            members = [m for m in members if present is None or m in present]
            out += members or [name]
        return list(dict.fromkeys(out))

    def subset_names(self) -> tuple[str, ...]:
        """Names of every subset, in section order."""
        return tuple(s.name for s in self.subsets)

    @cached_property
    def _by_name(self) -> dict[str, SubsetSpec]:
        # Looked up once per scored example by the metrics: built once per spec.
        return {s.name: s for s in self.subsets}

    def rule_of(self, subset: str) -> Rule:
        """The rule that scores `subset`: its own override, else the benchmark's."""
        spec = self._by_name.get(subset)
        return spec.rule if spec is not None and spec.rule is not None else self.rule

    def judge_mode_of(self, subset: str) -> JudgeMode | None:
        """The judging protocol the benchmark prescribes for `subset` (None: the judge's own setting)."""
        spec = self._by_name.get(subset)
        return spec.judge_mode if spec is not None else None

    def expects_of(self, subset: str) -> Expects | None:
        """What a safety subset asks of the model (None: not a safety subset, or this benchmark does not say)."""
        spec = self._by_name.get(subset)
        return spec.expects if spec is not None else None

    def companion(self, part: str) -> Companion | None:
        """The companion set this benchmark declares under `part`, if any."""
        return next((c for c in self.companions if c.part == part), None)

    def conventions(self) -> dict[str, object]:
        """The scoring conventions, as recorded in every result file."""
        out: dict[str, object] = {
            "rule": self.rule,
            "sections": {sec.name: _weights(sec) for sec in self.sections},
            "section_score": "sum(accuracy * weight) / sum(weight) over the section's subsets",
            "score": self.score_definition,
        }
        # Only benchmarks that use them record these keys, so v1 result files keep their exact shape.
        rules = {s.name: s.rule for s in self.subsets if s.rule is not None}
        modes = {s.name: s.judge_mode for s in self.subsets if s.judge_mode is not None}
        if rules:
            out["subset_rules"] = rules
        if modes:
            out["judge_modes"] = modes
        weights = {sec.name: sec.weight if sec.weight is not None else "examples" for sec in self.sections}
        if any(w != 1.0 for w in weights.values()):
            out["section_weights"] = weights
        if self.judge_order:
            out["judge_order"] = self.judge_order
        if self.pooled_score:
            out["score_pooled"] = self.pooled_score
        out.update(dict(self.conventions_extra))
        return out


def _weights(section: Section) -> dict[str, object]:
    """A section's subsets and their weights ("rows": the rows scored), its parts nested under their names."""
    out: dict[str, object] = {s.name: (s.weight if s.weight is not None else "rows") for s in section.subsets}
    out.update({part.name: _weights(part) for part in section.parts})
    return out
