"""Reward-model classes that transformers does not know, described as data and registered by their `model_type`.

A checkpoint whose `config.json` names such a `model_type` is a backbone of a known transformers family under a
prefix, with a head beside it: rmeval loads the backbone with transformers' own class for the `base` model type (no
code from the model's repository runs) and reads the head itself (`--scorer value-head`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["REWARD_CLASSES", "RewardClass", "base_config", "reward_class_of"]


@dataclass(frozen=True)
class RewardClass:
    """A reward model class: the transformers model type of its backbone, where the backbone's weights sit (the
    base family's own prefix, which transformers strips itself), its head, the config key that names its pooling,
    and where these facts come from."""

    model_type: str
    base: str
    backbone_prefix: str
    head: str
    pooling_key: str | None
    pooling_default: str
    source: str


REWARD_CLASSES = {c.model_type: c for c in (
    RewardClass("gpt_neox_reward_model", "gpt_neox", "gpt_neox", "out_proj", "pooling", "last",
                "OpenAssistant's GPTNeoXRewardModel (LAION-AI/Open-Assistant, model/model_training/models/"
                "reward_model.py; allenai/reward-bench@05a9005e rewardbench/models/openassistant.py L17-105): a "
                "GPTNeoXModel `gpt_neox`, a Linear `out_proj` to one logit, `pooling` last (default) or mean"),
)}


def _config_dict(folder: Path) -> dict[str, Any] | None:
    path = folder / "config.json"
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else None


def reward_class_of(folder: Path) -> tuple[RewardClass, dict[str, Any]] | None:
    """The registered class of the checkpoint in `folder` and its raw config, or None for any other model type."""
    raw = _config_dict(folder)
    if raw is None or raw.get("model_type") not in REWARD_CLASSES:
        return None
    return REWARD_CLASSES[str(raw["model_type"])], raw


def base_config(reward_class: RewardClass, raw: dict[str, Any]) -> Any:
    """The backbone's transformers config: the checkpoint's values under the base model type."""
    from transformers import AutoConfig

    dropped = ("model_type", "architectures", "auto_map", "transformers_version")
    values = {k: v for k, v in raw.items() if k not in dropped}
    return AutoConfig.for_model(reward_class.base, **values)
