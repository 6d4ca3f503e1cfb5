"""Options several scorers share: how a local transformers model is loaded, and how batches are packed.

Each scorer's options dataclass inherits the groups it needs, so a flag such as `--dtype` is declared once and
means the same for every scorer that takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rmeval.common.options import Options, option
from rmeval.scorers.text import InputConvention

__all__ = ["INPUTS", "BatchingOptions", "HeadOptions", "LocalModelOptions", "ModelOptions", "PrecisionOptions",
           "StoredHeadOptions", "TextInputOptions", "at_least", "parse_max_memory"]

Dtype = Literal["auto", "float32", "bfloat16", "float16"]
DeviceMap = Literal["auto", "balanced", "balanced_low_0", "sequential"]
INPUTS = ("model", "reference")
"""The two input conventions: the model's own code and card, or the reference implementation's token ids."""


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


def at_least(name: str, value: float | None, low: float, strict: bool = False) -> None:
    """A ValueError naming the flag when `value` (if set) is below `low` (or equal, when `strict`)."""
    if value is not None and (value <= low if strict else value < low):
        raise ValueError(f"--{name.replace('_', '-')} must be {'greater than' if strict else 'at least'} {low:g}, "
                         f"got {value}")


@dataclass(frozen=True)
class LocalModelOptions(Options):
    """Where and how a model runs on this machine."""

    cli_group: ClassVar[str] = "model"

    device: str | None = option(None, "cpu, cuda, cuda:1 ... (default: cuda when present)")
    dtype: Dtype = option("auto", "auto: bf16 on CUDA, fp32 on CPU")
    chat_template: str | None = option(None, "a built-in template (raw, chatml, tulu, pku-align, openbmb, "
                                             "oasst-pythia, mistral, raw-concat, ziya-fastchat, safe-rlhf, hh, "
                                             "mistral-card, ziya) or a Jinja file; required when the tokenizer "
                                             "has none")
    trust_remote_code: bool = option(False, "run code shipped with the model (off by default)")


@dataclass(frozen=True)
class ModelOptions(LocalModelOptions):
    """A transformers checkpoint scored directly (classifiers, implicit rewards)."""

    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template")
    """What every preset of such a kind must state (null: the model's own)."""

    revision: str | None = option(None, "hub revision (branch, tag or commit) of the model")
    inputs: Literal["model", "reference"] = option(
        "model", "model: the token ids the model's own code and card feed; reference: byte for byte those the "
                 "reference implementation (allenai/reward-bench) fed for the leaderboard (a preset states both)")
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
class PrecisionOptions(ModelOptions):
    """A model scored candidate by candidate, which can run fast in bf16 and still decide as in fp32."""

    precision: Literal["auto", "fp32", "bf16", "fast-exact"] = option(
        "auto", "fast-exact: bf16 for every answer, fp32 again for every close call, so every decision is "
                "fp32's; fp32 or bf16: one dtype; auto: fast-exact where bf16 runs natively (CUDA, CPUs with "
                "avx512_bf16 or AMX) unless --dtype, --quantization or --device-map decide, else --dtype")

    def check(self) -> None:
        """A precision that agrees with --dtype and --quantization."""
        wanted = {"fp32": "float32", "fast-exact": "float32", "bf16": "bfloat16"}.get(self.precision)
        if wanted and self.dtype not in ("auto", wanted):
            raise ValueError(f"--precision {self.precision} loads the weights in {wanted}, not --dtype {self.dtype}: "
                             "give one of them")
        if self.precision != "auto" and self.quantization:
            raise ValueError(f"--precision {self.precision} does not apply to weights quantized by --quantization "
                             f"{self.quantization}")


@dataclass(frozen=True)
class BatchingOptions(Options):
    """How texts are packed into batches (scores never depend on it), and where every score is kept."""

    cli_group: ClassVar[str] = "batching and the score store"

    max_tokens_per_batch: int | None = option(None, "budget of padded tokens per batch (default: 4096 on CPU, "
                                                    "16384 on CUDA, unless --batch-size is given)")
    batch_size: int | None = option(None, "at most this many texts per batch")
    score_cache: Path | None = option(None, "the score store's folder (default $RMEVAL_CACHE/scores): every score is "
                                            "kept as its batch finishes, so a rerun computes only what is missing")
    use_score_cache: bool = option(True, "neither read nor write the score store", flag="--no-score-cache")

    def check(self) -> None:
        """Positive sizes."""
        at_least("max_tokens_per_batch", self.max_tokens_per_batch, 1)
        at_least("batch_size", self.batch_size, 1)


@dataclass(frozen=True)
class HeadOptions(Options):
    """Which output of a reward head is the reward, read where (every kind that reads a head at a token)."""

    cli_group: ClassVar[str] = "reward head"

    score_index: int | None = option(None, "which output is the reward, for heads with several outputs")
    padding_side: Literal["right", "left"] = option("right", "padding side of batches (scores do not depend on it)")


@dataclass(frozen=True)
class TextInputOptions(Options):
    """How rendered text becomes token ids (`text.InputConvention`): what a preset sets for each `--inputs`."""

    cli_group: ClassVar[str] = "input convention"

    special_tokens: Literal["auto", "always"] = option(
        "auto", "auto: add the tokenizer's special tokens unless the template wrote BOS (no double BOS); always: "
                "add them anyway (the reference's wrappers feed a double BOS)")
    append_token: Literal["cls_token", "eos_token"] | None = option(
        None, "a special token of the tokenizer appended to every text, inside --max-length (Athene: cls_token; the "
              "reference appends eos_token where the tokenizer has no chat template)")
    truncation_side: Literal["left", "right"] = option(
        "left", "left: a long text loses the start of its prompt; right: its end (the reference's RewardBench 2 "
                "script)")

    def convention(self) -> InputConvention:
        """These options as the encoder's convention."""
        return InputConvention(self.special_tokens, self.append_token, self.truncation_side)


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
    head_file: str | None = option(None, "a file of the model's folder that holds the head (Skywork-VL-Reward: "
                                         "value_head.safetensors)")
    base_model: str | None = option(None, "the model (folder, hub id) whose config, tokenizer and weights the "
                                          "backbone starts from, for a repository that holds only a state dict "
                                          "(Starling-RM-7B-alpha: meta-llama/Llama-2-7b-chat-hf)", names="model")
    weights_file: str | None = option(None, "with --base-model: the state-dict file of the model's folder loaded "
                                            "over the base model's weights (.pt, .bin or .safetensors)")
