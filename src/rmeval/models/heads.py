"""Reading a reward head: which of its outputs is the reward, and a head stored in the checkpoint beside its
backbone (value heads, pairwise rankers), read by name without running any of the model's own code."""

from __future__ import annotations

import re
from typing import Any

from rmeval.common.runtime import quiet_loading
from rmeval.models.checkpoint import Checkpoint, LinearStack, local_folder
from rmeval.models.loading import LoadReport, check_new_weights, load_pretrained, load_tokenizer
from rmeval.presets import resolve_model_path

__all__ = ["backbone_mapping", "load_with_stored_head", "output_column"]


def output_column(width: int, index: int | None, name: str) -> int:
    """Which of a head's `width` outputs is the reward: the only one, or `--score-index`."""
    if width > 1 and index is None:
        raise ValueError(f"{name} has a head with {width} outputs: pass --score-index to pick the reward")
    if index is not None and not 0 <= index < width:
        raise ValueError(f"--score-index {index} is out of range for a head with {width} outputs")
    return index or 0


def backbone_mapping(prefix: str | None) -> dict[str, str] | None:
    """The key mapping that strips `prefix.` from the checkpoint's backbone weights (None: keep them)."""
    return {rf"^{re.escape(prefix)}\.": ""} if prefix else None


def load_with_stored_head(name: str, options: Any, default_head: str, device: str,
                          what: str) -> tuple[Any, LinearStack, Any, LoadReport]:
    """A backbone (`AutoModel`, its checkpoint prefix mapped away) and the head stored beside it, read by rmeval:
    the head first, so a checkpoint without one stops before the backbone loads. `options` carries the model and
    stored-head options (`ModelOptions` and `StoredHeadOptions`)."""
    from transformers import AutoModel

    quiet_loading()
    path = resolve_model_path(name)
    head = LinearStack.from_checkpoint(Checkpoint.open(local_folder(path, options.revision)),
                                       options.head or default_head, options.head_activation, name)
    tokenizer = load_tokenizer(path, options)
    backbone, report = load_pretrained(AutoModel, path, options, device,
                                       key_mapping=backbone_mapping(options.backbone_prefix))
    report = report.without(head.keys)
    check_new_weights(report, name, options.allow_new_head, what)
    return backbone, head, tokenizer, report
