"""Tiny random checkpoints in the exact shapes of public reward-model families, built at test time.

Each builder saves a folder the way the family's checkpoints are laid out on the hub (the names of the tensors, the
config, the tokenizer's special tokens) and returns what a by-hand computation needs: the modules themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import build_tokenizer

HIDDEN = 32


def llama_config(tokenizer: Any, **extra: Any) -> Any:
    """A 2-layer Llama config sized for tests."""
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=len(tokenizer), hidden_size=HIDDEN, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                       pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                       eos_token_id=tokenizer.eos_token_id, **extra)


def save_tensors(path: Path, tensors: dict[str, Any]) -> None:
    """Write tensors as the folder's model.safetensors."""
    from safetensors.torch import save_file

    path.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(path / "model.safetensors"),
              metadata={"format": "pt"})


def build_value_head_model(path: Path, prefix: str = "transformer", head: str = "v_head",
                           widths: tuple[int, ...] = (1,), bias: bool = False, seed: int = 0,
                           architecture: str = "LlamaForSequenceClassification") -> dict[str, Any]:
    """A Llama backbone stored under `prefix.` with a head `head` beside it: one linear layer (`head.weight`) or a
    stack (`head.0.weight`, `head.2.weight`, ... as an nn.Sequential with activations between) of `widths`."""
    import torch
    from transformers import LlamaModel

    tokenizer = build_tokenizer()
    config = llama_config(tokenizer, architectures=[architecture])
    torch.manual_seed(seed)
    backbone = LlamaModel(config).eval()
    tensors = {f"{prefix}.{k}" if prefix else k: v for k, v in backbone.state_dict().items()}
    layers = []
    fan_in = HIDDEN
    for n, width in enumerate(widths):
        name = f"{head}.weight" if len(widths) == 1 else f"{head}.{2 * n}.weight"
        w = torch.randn(width, fan_in) * 2.0
        b = torch.randn(width) if bias else None
        tensors[name] = w
        if b is not None:
            tensors[name.removesuffix(".weight") + ".bias"] = b
        layers.append((w, b))
        fan_in = width
    save_tensors(path, tensors)
    config.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return {"backbone": backbone, "layers": layers, "tokenizer": tokenizer}
