"""Reading a reward head: which of its outputs is the reward (`output_column`), and a backbone with the head stored
beside it wherever the authors put them, read without their code:

- in the checkpoint, beside the backbone (`v_head.weight`, `regression_head.weight`, `head_layer.1.weight` ...);
- in a side file of the repository (`--head-file value_head.safetensors`: Skywork-VL-Reward);
- in a state-dict file applied to a named base model (`--base-model meta-llama/Llama-2-7b-chat-hf --weights-file
  model.pt`: Starling-RM-7B-alpha, whose repository holds no config);
- as a reward class transformers does not know, registered by its `model_type` (`models.reward_classes`:
  OpenAssistant's `gpt_neox_reward_model`), whose backbone is loaded as its base family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rmeval.common.runtime import quiet_loading
from rmeval.models.checkpoint import Checkpoint, LinearStack, local_folder
from rmeval.models.loading import LoadReport, check_new_weights, load_pretrained, load_tokenizer
from rmeval.models.reward_classes import RewardClass, base_config, reward_class_of
from rmeval.presets import resolve_model_path

__all__ = ["StoredHead", "backbone_mapping", "load_with_stored_head", "output_column"]


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


@dataclass
class StoredHead:
    """What `load_with_stored_head` found: the backbone, the head, the tokenizer, the load report, the pooling the
    checkpoint's class uses (None: the last real token) and the registered class, if any."""

    backbone: Any
    head: LinearStack
    tokenizer: Any
    report: LoadReport
    pooling: str | None = None
    reward_class: RewardClass | None = None


def _overlay(backbone: Any, checkpoint: Checkpoint, prefix: str | None, head_keys: tuple[str, ...],
             where: str) -> tuple[str, ...]:
    """Load the checkpoint's backbone tensors over the base model's (as `load_state_dict(strict=False)` does);
    the base model's names that the file does not hold are returned."""
    import torch

    own = backbone.state_dict()
    strip = f"{prefix}." if prefix else ""
    keys = [k for k in checkpoint.keys if k not in head_keys and k.startswith(strip) and k[len(strip):] in own]
    if not keys:
        raise ValueError(f"{where}: {checkpoint.folder} holds no weights of the base model under "
                         f"{strip or 'no prefix'!r}: check --backbone-prefix")
    tensors = checkpoint.read(keys)
    with torch.no_grad():
        for k in keys:
            own[k[len(strip):]].copy_(tensors[k].to(own[k[len(strip):]].dtype))
    taken = {k[len(strip):] for k in keys}
    return tuple(sorted(k for k in own if k not in taken))


def load_with_stored_head(name: str, options: Any, default_head: str, device: str, what: str) -> StoredHead:
    """The backbone (`AutoModel`) and the head read by rmeval: the head first, so a checkpoint without one stops
    before the backbone loads. `options` carries the model and stored-head options."""
    from transformers import AutoModel

    quiet_loading()
    path = resolve_model_path(name)
    folder = local_folder(path, options.revision)
    found = reward_class_of(folder)
    registered, raw = found if found else (None, {})
    prefix = options.backbone_prefix or (registered.backbone_prefix if registered else None)
    head_name = options.head or (registered.head if registered else default_head)
    # A kind whose options lack the side-file options (a process reward model's) reads the head from the checkpoint.
    weights_file, head_file = getattr(options, "weights_file", None), getattr(options, "head_file", None)
    base_model = getattr(options, "base_model", None)
    weights = Checkpoint.of_file(folder / weights_file) if weights_file else None
    head_source = Checkpoint.of_file(folder / head_file) if head_file else (
        weights or Checkpoint.open(folder))
    head = LinearStack.from_checkpoint(head_source, head_name, options.head_activation, name)
    if base_model:
        base = resolve_model_path(base_model)
        tokenizer = load_tokenizer(base, options)
        backbone, report = load_pretrained(AutoModel, base, options, device)
        if weights is not None:
            missing = _overlay(backbone, weights, prefix, head.keys, name)
            report = LoadReport(report.model_class, missing, (), report.dtype, report.device_map,
                                report.quantization)
    else:
        tokenizer = load_tokenizer(path, options)
        extra = {"config": base_config(registered, raw)} if registered else {}
        # A registered class keeps its backbone under the base family's own prefix, which transformers strips
        # itself (a key mapping on top breaks transformers 4's loading): only an explicit prefix is mapped.
        backbone, report = load_pretrained(AutoModel, path, options, device,
                                           key_mapping=backbone_mapping(options.backbone_prefix), **extra)
    report = report.without(head.keys)
    check_new_weights(report, name, options.allow_new_head, what)
    pooling = None
    if registered is not None and registered.pooling_key:
        pooling = str(raw.get(registered.pooling_key) or registered.pooling_default)
    return StoredHead(backbone, head, tokenizer, report, pooling, registered)

