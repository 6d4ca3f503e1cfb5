"""Tiny random process reward models in the exact shapes of the public families, built at test time.

Each builder saves a folder laid out as the family's hub checkpoint (tensor names, config, the tokenizer's extra
token) and returns the modules, so a test computes each step's score by hand the way the authors' code does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import build_tokenizer
from model_shapes import HIDDEN, llama_config, save_tensors

CHATML_SYSTEM = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""Qwen's ChatML without a BOS (its tokenizer adds none; the tiny one adds `<s>` when asked to)."""

HEADER_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}<|im_end|>\n\n{{ m['content'] }}</s>"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant<|im_end|>\n\n{% endif %}"
)
"""Llama 3's layout in the tiny tokenizer's tokens: BOS, then each turn a role header, a blank line, the text and
an end-of-turn token; the generation prompt ends on the header's blank line, where the judgment is predicted."""


def _qwen_config(tokenizer: Any, **extra: Any) -> Any:
    from transformers import Qwen2Config

    return Qwen2Config(vocab_size=len(tokenizer), hidden_size=HIDDEN, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                       pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, **extra)


def build_qwen_prm(path: Path, seed: int = 0) -> dict[str, Any]:
    """Qwen2.5-Math-PRM's layout: `Qwen2ForProcessRewardModel` stores a Qwen2 model under `model.` and a head
    `score` (Linear(H, H), ReLU, Linear(H, 2)) beside it; the tokenizer has the separator `<extra_0>`."""
    import torch
    from transformers import Qwen2Model

    tokenizer = build_tokenizer(CHATML_SYSTEM)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<extra_0>"]})
    tokenizer.model_max_length = 256
    config = _qwen_config(tokenizer, architectures=["Qwen2ForProcessRewardModel"], num_labels=2)
    # the checkpoint's own class is remote code (absent here: rmeval must never need it)
    config.auto_map = {"AutoModel": "modeling_qwen2_rm.Qwen2ForProcessRewardModel"}
    torch.manual_seed(seed)
    backbone = Qwen2Model(config).eval()
    tensors = {f"model.{k}": v for k, v in backbone.state_dict().items()}
    head = [(torch.randn(HIDDEN, HIDDEN), torch.randn(HIDDEN)), (torch.randn(2, HIDDEN) * 2.0, torch.randn(2))]
    tensors.update({"score.0.weight": head[0][0], "score.0.bias": head[0][1], "score.2.weight": head[1][0],
                    "score.2.bias": head[1][1]})
    save_tensors(path, tensors)
    config.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return {"backbone": backbone, "head": head, "tokenizer": tokenizer}


def build_shepherd_prm(path: Path, seed: int = 0, chat_template: str | None = None) -> dict[str, Any]:
    """Math-Shepherd's layout: a causal LM (a Mistral-like Llama here) whose tokenizer adds BOS; the step tag
    `ки` is one token of the tiny tokenizer. With `chat_template`, RLHFlow's shape: the same causal LM with a chat
    template."""
    import torch
    from transformers import LlamaForCausalLM

    tokenizer = build_tokenizer(chat_template)
    # as in Mistral's vocabulary, "+ -" is two tokens (the card's candidate tokens) and the tag one
    tokenizer.add_tokens(["ки", " -"])
    tokenizer.model_max_length = 256
    config = llama_config(tokenizer, tie_word_embeddings=False, initializer_range=0.3)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return {"model": model, "tokenizer": tokenizer}


def build_skywork_prm(path: Path, seed: int = 0) -> dict[str, Any]:
    """Skywork-o1-Open-PRM's layout: its wrapper saves the causal LM's weights (`model.`, `lm_head.`) and the value
    head `v_head.summary` (Linear(H, 1)) in one checkpoint; the tokenizer adds no special token by itself."""
    import torch
    from tokenizers import processors
    from transformers import Qwen2ForCausalLM

    tokenizer = build_tokenizer(None)
    tokenizer.backend_tokenizer.post_processor = processors.TemplateProcessing(single="$A", pair="$A $B")
    tokenizer.model_max_length = 256
    config = _qwen_config(tokenizer, architectures=["Qwen2ForCausalLM"], bos_token_id=tokenizer.bos_token_id)
    torch.manual_seed(seed)
    lm = Qwen2ForCausalLM(config).eval()
    tensors = dict(lm.state_dict())
    tensors.pop("lm_head.weight", None)
    tensors["lm_head.weight"] = lm.lm_head.weight.detach().clone()  # kept even when tied, as the wrapper saves it
    head = (torch.randn(1, HIDDEN) * 2.0, torch.randn(1))
    tensors.update({"v_head.summary.weight": head[0], "v_head.summary.bias": head[1]})
    save_tensors(path, tensors)
    config.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return {"backbone": lm.model, "head": head, "tokenizer": tokenizer}
