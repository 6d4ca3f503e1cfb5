"""`--scorer prm-tag`: a language model's probability of a good against a bad token at a tag after every step
(Math-Shepherd).

The text is the problem and the steps, each written `Step {n}: {step} ки` and joined by newlines (no chat
template); the causal LM runs once, and at each tag's token a step's score is the probability of the good token
(`+`) against the bad one (`-`), the softmax of those two next-token logits:

    score(step) = softmax([logit(good), logit(bad)] at the tag)[0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.common.runtime import model_max_length
from rmeval.inference.assemble import place, step_scorer
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.step_layouts import TaggedText
from rmeval.inference.step_models import StepReaderModel, lm_pair_reader, load_verdict_lm
from rmeval.inference.step_options import StepModelOptions, check_format
from rmeval.scorers.registry import register_scorer

__all__ = ["PrmTagOptions", "load_prm_tag"]


@dataclass(frozen=True)
class PrmTagOptions(StepModelOptions):
    """Options of `--scorer prm-tag`."""

    cli_group: ClassVar[str] = "step-tag PRM (--scorer prm-tag)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "step_tag", "good_token", "bad_token",
                                                  "step_format", "problem_format")

    step_tag: str = option("ки", "the tag written after every step, where its score is read")
    good_token: str = option("+", "the token that says a step is good")
    bad_token: str = option("-", "the token that says a step is bad")
    verdict_encoding: Literal["together", "alone"] = option(
        "together", "how the two tokens' ids are found: together, the tokens of 'GOOD BAD'; alone, each on its own")
    step_format: str = option("Step {n}: {step} {tag}", "how one step is written ({n} from 1, {step}, {tag})")
    step_joiner: str = option("\n", "what joins the written steps")
    problem_format: str = option("{problem} {steps}", "the whole text ({problem}, {steps})")

    def check(self) -> None:
        """Formats that only use their own fields."""
        check_format(self.step_format, {"n", "step", "tag"}, "--step-format")
        check_format(self.problem_format, {"problem", "steps"}, "--problem-format")


@register_scorer("prm-tag", PrmTagOptions, "a process reward model: a language model's good against bad token at a "
                                           "tag after each step (Math-Shepherd)")
def load_prm_tag(models: Sequence[str], options: PrmTagOptions, seed: int) -> Any:
    """Load the causal LM and its tokenizer; check the tag and the verdict tokens."""
    require("torch", "transformers", extra="hf", purpose="--scorer prm-tag")
    (name,) = models
    where = place(options)
    lm = load_verdict_lm(name, options, where.device)
    model, tokenizer, good, bad = lm.model, lm.tokenizer, lm.good, lm.bad
    layout = TaggedText(tokenizer, options.step_tag, options.max_length or model_max_length(model.config, tokenizer),
                        options.step_format, options.step_joiner, options.problem_format)
    facts = {"step_tag": options.step_tag, "tag_token": layout.tag_id, "verdict_tokens": [good, bad],
             "step": "softmax([logit(good), logit(bad)] at the tag)[0]", "step_format": options.step_format,
             "problem_format": options.problem_format}

    def fingerprint() -> dict[str, Any]:
        return model_fingerprint("prm-tag", lm.path, options, model, None, tag=options.step_tag, verdict=[good, bad],
                                 step_format=options.step_format, step_joiner=options.step_joiner,
                                 problem_format=options.problem_format, max_length=layout.max_length)

    reader = StepReaderModel("prm-tag", name, model.base_model, tokenizer, layout, lm_pair_reader(model, good, bad),
                             lm.report, facts, fingerprint)
    return step_scorer(reader, where)
