"""`--scorer prm-value`: a value head read at each step's last token (Skywork-o1-Open-PRM).

The problem line, then each step tokenized on its own and followed by the separator token (a newline); the
backbone (`AutoModel`, no remote code) runs once and the value head stored beside it (`v_head.summary`, one
linear layer) is applied at every separator, through a sigmoid:

    score(step) = sigmoid(head(h at the step's separator))[score_index]
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
from rmeval.inference.step_layouts import StepPieces
from rmeval.inference.step_models import StepReaderModel, stored_head_reader
from rmeval.inference.step_options import StepModelOptions, check_format
from rmeval.models.heads import load_with_stored_head, output_column
from rmeval.presets import resolve_model_path
from rmeval.scorers.registry import register_scorer

__all__ = ["PrmValueOptions", "load_prm_value"]


@dataclass(frozen=True)
class PrmValueOptions(StepModelOptions):
    """Options of `--scorer prm-value`."""

    cli_group: ClassVar[str] = "value-head PRM (--scorer prm-value)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "step_separator", "head", "problem_format")

    step_separator: str = option("\n", "the token appended to every step, where its score is read")
    problem_format: str = option("{bos}{problem}\n", "the text before the steps ({bos}: the tokenizer's BOS text, "
                                                     "{problem})")
    head: str | None = option(None, "checkpoint name of the head (default: v_head.summary)")
    head_activation: Literal["relu", "tanh", "gelu", "none"] = option("none", "activation between the head's layers")
    backbone_prefix: str | None = option(None, "prefix of the backbone's weights in the checkpoint, when not the one "
                                               "transformers expects")
    score_index: int | None = option(None, "which output is the value, for heads with several outputs")

    def check(self) -> None:
        """A problem format that only uses its own fields."""
        check_format(self.problem_format, {"bos", "problem"}, "--problem-format")


@register_scorer("prm-value", PrmValueOptions, "a process reward model: a value head read at each step's last "
                                               "token, through a sigmoid (Skywork-o1-Open-PRM)")
def load_prm_value(models: Sequence[str], options: PrmValueOptions, seed: int) -> Any:
    """Read the value head, load the backbone, lay the steps out piece by piece."""
    require("torch", "transformers", "safetensors", extra="hf", purpose="--scorer prm-value")
    (name,) = models
    where = place(options)
    device = where.device
    found = load_with_stored_head(name, options, "v_head.summary", device, "backbone")
    backbone, head, tokenizer, report = found.backbone, found.head, found.tokenizer, found.report
    index = output_column(head.out_features, options.score_index, name)
    head = head.to(device)
    layout = StepPieces(tokenizer, options.step_separator,
                        options.max_length or model_max_length(backbone.config, tokenizer), options.problem_format)
    facts = {"head": head.describe(), "score_index": index, "step": "sigmoid(head(h at the step's separator))",
             "step_separator": options.step_separator, "problem_format": options.problem_format}

    def fingerprint() -> dict[str, Any]:
        return model_fingerprint("prm-value", resolve_model_path(name), options, backbone, None, head=head.describe(),
                                 score_index=index, separator=options.step_separator,
                                 problem_format=options.problem_format, max_length=layout.max_length)

    model = StepReaderModel("prm-value", name, backbone, tokenizer, layout, stored_head_reader(head, "sigmoid", index),
                            report, facts, fingerprint)
    return step_scorer(model, where)
