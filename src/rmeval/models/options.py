"""Options of a local transformers checkpoint that several kinds share: where and how it is loaded, and which
output of its head is the reward.

Each scorer's options dataclass inherits the groups it needs, so a flag such as `--dtype` is declared once and
means the same for every scorer that takes it. How it is run (precision, batching, the score store) is in
`inference.options`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rmeval.common.options import Options, at_least, option

__all__ = ["DeviceMap", "Dtype", "HeadOptions", "LocalModelOptions", "ModelOptions", "StoredHeadOptions",
           "parse_max_memory"]

Dtype = Literal["auto", "float32", "bfloat16", "float16"]
DeviceMap = Literal["auto", "balanced", "balanced_low_0", "sequential"]


def parse_max_memory(text: str) -> dict[int | str, str]:
    """`--max-memory` as accelerate takes it: GPU indices and `cpu` mapped to sizes.

    >>> parse_max_memory("0=20GiB, 1=20GiB, cpu=64GiB")
    {0: '20GiB', 1: '20GiB', 'cpu': '64GiB'}
    """
    out: dict[int | str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        device, sep, size = part.partition("=")
        device, size = device.strip(), size.strip()
        if not sep or not size or not (device.isdigit() or device in ("cpu", "disk", "mps")):
            raise ValueError(f"--max-memory {text!r}: expected DEVICE=SIZE pairs such as 0=20GiB,cpu=64GiB")
        out[int(device) if device.isdigit() else device] = size
    if not out:
        raise ValueError("--max-memory is empty: give DEVICE=SIZE pairs such as 0=20GiB,cpu=64GiB")
    return out


@dataclass(frozen=True)
class LocalModelOptions(Options):
    """Where and how a model runs on this machine."""

    cli_group: ClassVar[str] = "model"

    device: str | None = option(None, "cpu, cuda, cuda:1 ... (default: cuda when present)")
    dtype: Dtype = option("auto", "auto: bf16 on CUDA, fp32 on CPU")
    chat_template: str | None = option(None, "a built-in template (raw, chatml, tulu, pku-align, openbmb, "
                                             "oasst-pythia, mistral) or a Jinja file; required when the tokenizer "
                                             "has none")
    trust_remote_code: bool = option(False, "run code shipped with the model (off by default)")


@dataclass(frozen=True)
class ModelOptions(LocalModelOptions):
    """A transformers checkpoint scored directly (classifiers, implicit rewards)."""

    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template")
    """What every preset of such a kind must state (null: the model's own)."""

    revision: str | None = option(None, "hub revision (branch, tag or commit) of the model")
    tokenizer: str | None = option(None, "tokenizer folder or hub id, when it differs from the model's",
                                   names="tokenizer")
    attn_implementation: str | None = option(None, "eager, sdpa, flash_attention_2 ... (default: the model's)")
    max_length: int | None = option(None, "tokens per text (default: the model's own limit)")
    allow_longer: bool = option(False, "allow --max-length above the model's own limit (its positions beyond are "
                                       "untrained: scores may be meaningless)")
    device_map: DeviceMap | None = option(None, "spread the model over the GPUs and the CPU through accelerate "
                                                "(auto: fill the GPUs in order)")
    max_memory: str | None = option(None, "with --device-map: the most each device may hold, e.g. "
                                          "0=20GiB,1=20GiB,cpu=64GiB", metavar="DEVICE=SIZE,...")
    quantization: Literal["8bit", "4bit"] | None = option(None, "load the weights quantized through bitsandbytes "
                                                                "(CUDA only; pip install 'rmeval[quant]')")
    allow_new_head: bool = option(False, "score even when the checkpoint holds no trained reward head (a newly "
                                         "initialised head gives random rewards: for tests only)")

    def check(self) -> None:
        """A positive length; --max-memory only with a device map, in accelerate's form."""
        at_least("max_length", self.max_length, 1)
        if self.max_memory is not None:
            if self.device_map is None:
                raise ValueError("--max-memory applies to a model spread with --device-map")
            parse_max_memory(self.max_memory)


@dataclass(frozen=True)
class HeadOptions(Options):
    """Which output of a reward head is the reward, read where (every kind that reads a head at a token)."""

    cli_group: ClassVar[str] = "reward head"

    score_index: int | None = option(None, "which output is the reward, for heads with several outputs")
    padding_side: Literal["right", "left"] = option("right", "padding side of batches (scores do not depend on it)")


@dataclass(frozen=True)
class StoredHeadOptions(Options):
    """A head stored in the checkpoint beside its backbone and applied by rmeval (value heads, pairwise rankers)."""

    cli_group: ClassVar[str] = "reward head"

    head: str | None = option(None, "checkpoint name of the head: PREFIX.weight, or PREFIX.N.weight for a stack of "
                                    "layers (default: v_head for value-head, head_layer for pair-ranker)")
    head_activation: Literal["relu", "tanh", "gelu", "none"] = option(
        "none", "activation between the layers of a multi-layer head")
    backbone_prefix: str | None = option(None, "prefix of the backbone's weights in the checkpoint when it is not "
                                               "the one transformers expects (Starling-RM-34B: transformer)")
