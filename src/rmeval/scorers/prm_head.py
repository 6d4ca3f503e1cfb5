"""`--scorer prm-head`: a token-classification head read at a separator after every step (Qwen2.5-Math-PRM).

The steps are joined in the assistant's turn, each followed by the separator token (`<extra_0>`), and the
conversation is rendered with the model's chat template; the backbone (`AutoModel`, no remote code) runs once, the
head stored beside it (`score.0`, ReLU, `score.2`: two classes) is applied at every separator, and a step's score
is the softmax probability of the positive class (index 1):

    score(step) = softmax(head(h_separator))[positive_index]
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
from rmeval.inference.step_layouts import SeparatorChat
from rmeval.inference.step_models import StepReaderModel, stored_head_reader
from rmeval.inference.step_options import StepModelOptions
from rmeval.models.heads import load_with_stored_head
from rmeval.presets import resolve_model_path
from rmeval.scorers.registry import register_scorer

__all__ = ["PrmHeadOptions", "load_prm_head"]


@dataclass(frozen=True)
class PrmHeadOptions(StepModelOptions):
    """Options of `--scorer prm-head`."""

    cli_group: ClassVar[str] = "token-classification PRM (--scorer prm-head)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template", "step_separator", "head",
                                                  "head_activation", "positive_index")

    step_separator: str = option("<extra_0>", "the token written after every step, where its score is read")
    system_prompt: str | None = option(None, "a system message put before the conversation")
    positive_index: int = option(1, "the class of the head that means a good step")
    head: str | None = option(None, "checkpoint name of the head (default: score)")
    head_activation: Literal["relu", "tanh", "gelu", "none"] = option("relu", "activation between the head's layers")
    backbone_prefix: str | None = option(None, "prefix of the backbone's weights in the checkpoint, when not the one "
                                               "transformers expects")


@register_scorer("prm-head", PrmHeadOptions, "a process reward model: a token-classification head read at a "
                                             "separator after each step (Qwen2.5-Math-PRM)")
def load_prm_head(models: Sequence[str], options: PrmHeadOptions, seed: int) -> Any:
    """Read the head, load the backbone, and lay the steps out in the chat."""
    require("torch", "transformers", "safetensors", extra="hf", purpose="--scorer prm-head")
    (name,) = models
    where = place(options)
    device = where.device
    found = load_with_stored_head(name, options, "score", device, "backbone")
    backbone, head, tokenizer, report = found.backbone, found.head, found.tokenizer, found.report
    if not 0 <= options.positive_index < head.out_features:
        raise ValueError(f"--positive-index {options.positive_index} is out of range for a head with "
                         f"{head.out_features} classes")
    head = head.to(device)
    template = resolve_template(tokenizer, options.chat_template, name)
    layout = SeparatorChat(tokenizer, template, options.step_separator,
                           options.max_length or model_max_length(backbone.config, tokenizer), options.system_prompt)
    facts = {"head": head.describe(), "positive_index": options.positive_index,
             "step": "softmax(head(h at the separator))[positive_index]", "step_separator": options.step_separator,
             "system_prompt": options.system_prompt, "chat_template": template.source}

    def fingerprint() -> dict[str, Any]:
        return model_fingerprint("prm-head", resolve_model_path(name), options, backbone, None, head=head.describe(),
                                 positive_index=options.positive_index, separator=options.step_separator,
                                 system_prompt=options.system_prompt, template=template.sha256,
                                 max_length=layout.max_length)

    model = StepReaderModel("prm-head", name, backbone, tokenizer, layout,
                            stored_head_reader(head, "softmax", options.positive_index), report, facts, fingerprint)
    return step_scorer(model, where)
