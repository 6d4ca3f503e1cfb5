"""Tiny random checkpoints in the exact shapes of public reward-model families, built at test time.

Each builder saves a folder the way the family's checkpoints are laid out on the hub (the names of the tensors, the
config, the tokenizer's special tokens) and returns what a by-hand computation needs: the modules themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import build_tokenizer, build_wordpiece_tokenizer

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
                           architecture: str = "LlamaForSequenceClassification",
                           chat_template: str | bool | None = True) -> dict[str, Any]:
    """A Llama backbone stored under `prefix.` with a head `head` beside it: one linear layer (`head.weight`) or a
    stack (`head.0.weight`, `head.2.weight`, ... as an nn.Sequential with activations between) of `widths`."""
    import torch
    from transformers import LlamaModel

    tokenizer = build_tokenizer() if chat_template is True else build_tokenizer(chat_template or None)
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


REMOTE_CODE = '''"""A tiny reward model with its own code, as ArmoRM-like repositories ship it (rmeval's tests)."""

from dataclasses import dataclass

import torch
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel
from transformers.utils import ModelOutput


class TinyRewardConfig(PretrainedConfig):
    model_type = "tiny-reward"

    def __init__(self, vocab_size=400, hidden_size=16, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        super().__init__(**kwargs)


@dataclass
class TinyRewardOutput(ModelOutput):
    score: torch.FloatTensor = None
    rewards: torch.FloatTensor = None


class TinyRewardModel(PreTrainedModel):
    config_class = TinyRewardConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size)
        self.mix = nn.Linear(config.hidden_size, config.hidden_size)
        self.objectives = nn.Linear(config.hidden_size, 2)
        self.post_init()

    def get_input_embeddings(self):
        return self.embed

    def forward(self, input_ids, attention_mask=None, **kwargs):
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        states = torch.tanh(self.mix(self.embed(input_ids)))
        weights = mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1)
        rewards = self.objectives(pooled)
        return TinyRewardOutput(score=rewards[:, 0], rewards=rewards)

    def get_score(self, tokenizer, messages):
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
        return self.forward(ids).score[0].item()
'''


def load_code(path: Path, file: str, source: str, name: str) -> Any:
    """Write `source` as `path/file` (the model's own code in its folder) and import it as module `name`."""
    import importlib.util
    import sys

    path.mkdir(parents=True, exist_ok=True)
    code = path / file
    code.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, code)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def save_widened(model: Any, tokenizer: Any, path: Path, std: float) -> Any:
    """Draw every weight of `model` from N(0, std) (rewards that differ clearly), save it and its tokenizer."""
    import torch

    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, std)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return model


def build_remote_code_model(path: Path, seed: int = 0) -> Any:
    """A folder whose model exists only as code inside it (config and model through `auto_map`), saved with its
    weights; returns the loaded module's model for by-hand computations."""
    import torch

    module = load_code(path, "modeling_tiny_reward.py", REMOTE_CODE, f"modeling_tiny_reward_{seed}")
    tokenizer = build_tokenizer()
    config = module.TinyRewardConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id)
    config.auto_map = {"AutoConfig": "modeling_tiny_reward.TinyRewardConfig",
                       "AutoModel": "modeling_tiny_reward.TinyRewardModel",
                       "AutoModelForSequenceClassification": "modeling_tiny_reward.TinyRewardModel"}
    torch.manual_seed(seed)
    model = save_widened(module.TinyRewardModel(config).eval(), tokenizer, path, 1.0)
    config.save_pretrained(path)
    return model


PAIRRM_MARKERS = ("<|source|>", "<|candidate1|>", "<|candidate2|>")


def build_pairrm_model(path: Path, seed: int = 0) -> dict[str, Any]:
    """PairRM-hf's layout: a DeBERTa-v2 encoder under `pretrained_model.`, a comparison head `head_layer` (an
    nn.Sequential: dropout, Linear(2H, H), tanh, dropout, Linear(H, n_tasks)) and the marker tokens."""
    import torch
    from transformers import DebertaV2Config, DebertaV2Model

    tokenizer = build_wordpiece_tokenizer(512, PAIRRM_MARKERS)
    # DeBERTa-v3's attention: relative positions only, so inputs longer than 512 tokens are fine.
    config = DebertaV2Config(vocab_size=len(tokenizer), hidden_size=HIDDEN, intermediate_size=64,
                             num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=512,
                             relative_attention=True, position_biased_input=False, pos_att_type=["p2c", "c2p"],
                             position_buckets=64, norm_rel_ebd="layer_norm", share_att_key=True,
                             pad_token_id=tokenizer.pad_token_id, architectures=["DebertaV2PairRM"], n_tasks=1,
                             drop_out=0.05)
    torch.manual_seed(seed)
    encoder = DebertaV2Model(config).eval()
    first, last = torch.randn(HIDDEN, 2 * HIDDEN) * 0.5, torch.randn(1, HIDDEN) * 2.0
    tensors = {f"pretrained_model.{k}": v for k, v in encoder.state_dict().items()}
    tensors.update({"head_layer.1.weight": first, "head_layer.1.bias": torch.randn(HIDDEN),
                    "head_layer.4.weight": last, "head_layer.4.bias": torch.randn(1)})
    save_tensors(path, tensors)
    config.save_pretrained(path)
    tokenizer.save_pretrained(path)
    head = [(tensors["head_layer.1.weight"], tensors["head_layer.1.bias"]),
            (tensors["head_layer.4.weight"], tensors["head_layer.4.bias"])]
    return {"encoder": encoder, "head": head, "tokenizer": tokenizer}


def build_t5_model(path: Path, seed: int = 0) -> Any:
    """A tiny random FLAN-T5-shaped seq2seq LM (SteamSHP's architecture) and a tokenizer; returns the model."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = build_tokenizer(chat_template=None)
    config = T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
                      decoder_start_token_id=tokenizer.pad_token_id, pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return model
