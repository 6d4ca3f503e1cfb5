"""`--scorer prm-chat`: a chat-formatted judgment per step (the RLHFlow PRMs).

Each step is a user turn (the first holds the problem too: `{problem} {step}`), each answered by the assistant with
the good token, rendered with the model's chat template; the causal LM runs once over the whole conversation, and
a step's score is the probability of the good token (`+`) against the bad one (`-`) where the assistant's
judgment of that step is predicted (the last token of its generation prompt):

    score(step) = softmax([logit(good), logit(bad)] before the judgment)[0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.common.runtime import model_max_length
from rmeval.data.chat import resolve_template
from rmeval.inference.assemble import place, step_scorer
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.step_layouts import ChatTurns
from rmeval.inference.step_models import StepReaderModel, lm_pair_reader, load_verdict_lm
from rmeval.inference.step_options import StepModelOptions, check_format
from rmeval.scorers.registry import register_scorer

__all__ = ["PrmChatOptions", "load_prm_chat"]


@dataclass(frozen=True)
class PrmChatOptions(StepModelOptions):
    """Options of `--scorer prm-chat`."""

    cli_group: ClassVar[str] = "chat-turn PRM (--scorer prm-chat)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template", "good_token", "bad_token",
                                                  "first_step_format")

    good_token: str = option("+", "the token that says a step is good (the assistant's answer to every step)")
    bad_token: str = option("-", "the token that says a step is bad")
    verdict_encoding: Literal["together", "alone"] = option(
        "alone", "how the two tokens' ids are found: together, the tokens of 'GOOD BAD'; alone, each on its own")
    first_step_format: str = option("{problem} {step}", "the first user turn ({problem}, {step})")

    def check(self) -> None:
        """A first turn that only uses its own fields."""
        check_format(self.first_step_format, {"problem", "step"}, "--first-step-format")


@register_scorer("prm-chat", PrmChatOptions, "a process reward model: a chat judgment (good or bad token) after "
                                             "each step as a user turn (RLHFlow)")
def load_prm_chat(models: Sequence[str], options: PrmChatOptions, seed: int) -> Any:
    """Load the causal LM, its tokenizer and template; check the verdict tokens."""
    require("torch", "transformers", extra="hf", purpose="--scorer prm-chat")
    (name,) = models
    where = place(options)
    lm = load_verdict_lm(name, options, where.device)
    model, tokenizer, good, bad = lm.model, lm.tokenizer, lm.good, lm.bad
    template = resolve_template(tokenizer, options.chat_template, name)
    layout = ChatTurns(tokenizer, template, options.good_token,
                       options.max_length or model_max_length(model.config, tokenizer), options.first_step_format)
    facts = {"verdict_tokens": [good, bad], "chat_template": template.source,
             "step": "softmax([logit(good), logit(bad)] before the assistant's judgment)[0]",
             "first_step_format": options.first_step_format}

    def fingerprint() -> dict[str, Any]:
        return model_fingerprint("prm-chat", lm.path, options, model, None, verdict=[good, bad],
                                 good_turn=options.good_token, first_step_format=options.first_step_format,
                                 template=template.sha256, max_length=layout.max_length)

    reader = StepReaderModel("prm-chat", name, model.base_model, tokenizer, layout, lm_pair_reader(model, good, bad),
                             lm.report, facts, fingerprint)
    return step_scorer(reader, where)
