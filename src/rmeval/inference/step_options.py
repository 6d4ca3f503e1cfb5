"""The options every step-level kind takes: how answers become steps and step scores become outcome rewards,
and the loading and batching options of a local model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from rmeval.common.options import Options, option
from rmeval.data.steps import SPLIT_RULES
from rmeval.inference.options import BatchingOptions
from rmeval.inference.steps import StepSettings
from rmeval.models.options import ModelOptions
from rmeval.scoring.steps import AGGREGATES

__all__ = ["StepModelOptions", "StepOptions", "check_format"]

Aggregate = Literal["min", "last", "product", "mean"]
SplitRule = Literal["blank-lines", "lines", "numbered", "step-n"]
assert AGGREGATES == ("min", "last", "product", "mean")  # the Literals above, kept in step
assert SPLIT_RULES == ("blank-lines", "lines", "numbered", "step-n")


def check_format(text: str, fields: set[str], flag: str) -> None:
    """A format whose every `{field}` is one of `fields` (a clear error before any model loads)."""
    import string

    try:
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as e:
        raise ValueError(f"{flag} {text!r}: {e}") from None
    if used - fields:
        raise ValueError(f"{flag} {text!r}: unknown field(s) {sorted(used - fields)}; known: {sorted(fields)}")


@dataclass(frozen=True)
class StepOptions(Options):
    """How answers become steps and step scores become outcome rewards (every step-level kind)."""

    cli_group: ClassVar[str] = "process reward models (--scorer prm-*)"

    aggregate: Aggregate = option("min", "an answer's outcome reward from its step scores: the lowest, the last, "
                                         "their product or their mean")
    steps: SplitRule = option("blank-lines", "how an answer is split into steps where the data does not give them: "
                                             "blank-lines, lines, numbered (1. 2) ...) or step-n (Step N:)")
    step_threshold: float = option(0.5, "a step scored below this (ProcessBench), or not above it (PRMBench), "
                                        "counts as erroneous; recorded with every sample")
    strip_step_numbers: bool = option(False, "remove a leading 'Step N:' or 'N.' from every step (what PRMBench's "
                                             "harness does before most models read its steps)")

    def check(self) -> None:
        """A threshold inside the scores' range."""
        if not 0.0 <= self.step_threshold <= 1.0 or math.isnan(self.step_threshold):
            raise ValueError(f"--step-threshold must be between 0 and 1, got {self.step_threshold}")

    def settings(self) -> StepSettings:
        """The core's settings."""
        return StepSettings(self.aggregate, self.steps, self.step_threshold, self.strip_step_numbers)


@dataclass(frozen=True)
class StepModelOptions(ModelOptions, BatchingOptions, StepOptions):
    """The options every step-level kind takes."""

    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template")
