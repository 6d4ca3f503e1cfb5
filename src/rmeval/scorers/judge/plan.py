"""A judge run's requests: for every example, one prompt per order it is shown in (rating: one per answer), in the
format its mode uses; and the sampling parameters each format's requests are sent with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rmeval.engines.base import Chat, GenerationParams
from rmeval.scorers.judge.formats import JudgeFormat
from rmeval.scorers.judge.order import presentations
from rmeval.types import Example

__all__ = ["Request", "format_params", "plan_requests"]


@dataclass(frozen=True)
class Request:
    """One prompt to every judge: the answers of example `example` in the order `shown` (rating: one answer), in
    the format named `format`."""

    example: int
    mode: str
    shown: tuple[int, ...]
    chat: Chat
    format: str = ""


def format_params(params: GenerationParams, fmt: JudgeFormat) -> GenerationParams:
    """The run's sampling parameters with the format's stop strings and thinking tags."""
    return replace(params, stop=fmt.stop, local_stop=fmt.local_stop, think=fmt.think, think_opened=fmt.think_opened)


def _format_of(formats: Mapping[str, JudgeFormat], mode: str, ex: Example) -> JudgeFormat:
    fmt = formats.get(mode)
    if fmt is None:
        serve = ", ".join(sorted({f"{f.name} ({'/'.join(f.modes)})" for f in formats.values()})) or "none"
        raise ValueError(f"subset {ex.subset} is judged by {mode}, and no judge format given serves {mode} "
                         f"(given: {serve}): add a --judge-format for {mode} judgements")
    return fmt


def plan_requests(examples: Sequence[Example], modes: Sequence[str], formats: Mapping[str, JudgeFormat],
                  order: str, seed: int) -> list[Request]:
    """Every request of a run, example by example (`modes[i]`: the mode of example i)."""
    requests = []
    for i, (ex, mode) in enumerate(zip(examples, modes, strict=True)):
        answers = ex.candidates
        fmt = _format_of(formats, mode, ex)
        template = fmt.templates[mode]
        if mode == "rating":
            requests += [Request(i, mode, (c,), template.render(ex.prompt, [a]), fmt.name)
                         for c, a in enumerate(answers)]
            continue
        if mode == "pairwise" and (len(ex.chosen), len(ex.rejected)) != (1, 1):
            raise ValueError(f"example {ex.key} has {len(ex.chosen)} chosen and {len(ex.rejected)} rejected "
                             "answers; a pairwise judge compares one with one: use --judge-mode ranking or rating")
        for shown in presentations(order, len(answers), seed, ex.key, ex.meta):
            requests.append(Request(i, mode, shown, template.render(ex.prompt, [answers[c] for c in shown]),
                                    fmt.name))
    return requests
