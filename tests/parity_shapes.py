"""Tiny checkpoints in the published shapes of the kinds the parity tests cover (written for rmeval's tests):
OpenAssistant's GPTNeoXRewardModel, an ArmoRM-style remote-code model, a DeBERTa-v3 SentencePiece tokenizer, a
state dict over a base model (Starling-RM-7B-alpha), a side-file head (Skywork-VL-Reward)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import CORPUS, build_tokenizer
from model_shapes import HIDDEN, llama_config, load_code, save_tensors, save_widened


def gpt_neox_tokenizer() -> Any:
    """A byte-level BPE with GPT-NeoX's and OpenAssistant's special tokens, adding none itself (as GPT-NeoX's)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|padding|>", "<|prompter|>", "<|assistant|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=400, special_tokens=specials, show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   unk_token="<|endoftext|>", pad_token="<|padding|>", model_max_length=256)


def build_oasst_pythia(path: Path, pooling: str = "last", seed: int = 0) -> dict[str, Any]:
    """GPTNeoXRewardModel's checkpoint: config model_type gpt_neox_reward_model with `pooling`, a GPTNeoXModel under
    `gpt_neox.`, a Linear `out_proj` (with bias) to one logit."""
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXModel

    tokenizer = gpt_neox_tokenizer()
    config = GPTNeoXConfig(vocab_size=len(tokenizer), hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=64, max_position_embeddings=256, rotary_pct=0.25,
                           bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    backbone = GPTNeoXModel(config).eval()
    weight, bias = torch.randn(1, HIDDEN) * 2.0, torch.randn(1)
    save_tensors(path, {**{f"gpt_neox.{k}": v for k, v in backbone.state_dict().items()},
                        "out_proj.weight": weight, "out_proj.bias": bias})
    raw = {**config.to_dict(), "model_type": "gpt_neox_reward_model", "architectures": ["GPTNeoXRewardModel"],
           "pooling": pooling}
    (path / "config.json").write_text(json.dumps(raw, indent=2), encoding="utf-8")
    tokenizer.save_pretrained(path)
    return {"backbone": backbone, "layers": [(weight, bias)], "tokenizer": tokenizer}


ARMO_STYLE = '''"""A tiny reward model in ArmoRM's style, written for rmeval's tests: a Llama backbone, a
regression layer over several objectives, a gating network mixing them, the state read before the first pad."""

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn
from transformers import LlamaModel, LlamaPreTrainedModel
{import_line}
from transformers.utils import ModelOutput


@dataclass
class GatedOutput(ModelOutput):
    rewards: Optional[torch.FloatTensor] = None
    score: Optional[torch.FloatTensor] = None


class TinyGatedRewardModel(LlamaPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.model = LlamaModel(config)
        self.regression_layer = nn.Linear(config.hidden_size, config.num_objectives, bias=False)
        self.gating = nn.Linear(config.hidden_size, config.num_objectives)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, **kwargs):
        states = self.model(input_ids, attention_mask=attention_mask).last_hidden_state
        last = (torch.eq(input_ids, self.config.pad_token_id).int().argmax(-1) - 1) % input_ids.shape[-1]
        h = states[torch.arange(input_ids.shape[0], device=states.device), last]
        rewards = self.regression_layer(h)
        gate = torch.softmax(self.gating(h), dim=-1)
        return GatedOutput(rewards=rewards, score=(gate * rewards).sum(-1))
'''
REMOVED_IMPORT = "from transformers.models.llama.modeling_llama import LLAMA_INPUTS_DOCSTRING"
"""The import of ArmoRM's modeling_custom.py that transformers 4.52 broke."""


def build_armo_style(path: Path, written_for_4x: bool, seed: int = 0) -> Any:
    """A folder whose model is code inside it (auto_map, config model_type llama as ArmoRM's); with
    `written_for_4x` the code imports what transformers 4.52 removed. Returns the loaded model (built from the
    code without that import, which changes nothing else)."""
    import torch

    module = load_code(path, "modeling_armo.py", ARMO_STYLE.format(import_line=""),
                       f"modeling_armo_{seed}_{written_for_4x}")
    tokenizer = build_tokenizer()
    config = llama_config(tokenizer, num_objectives=3)
    config.auto_map = {"AutoModelForSequenceClassification": "modeling_armo.TinyGatedRewardModel"}
    torch.manual_seed(seed)
    model = save_widened(module.TinyGatedRewardModel(config).eval(), tokenizer, path, 0.5)
    (path / "modeling_armo.py").write_text(ARMO_STYLE.format(import_line=REMOVED_IMPORT if written_for_4x else ""),
                                           encoding="utf-8")
    return model


def build_spm_folder(path: Path) -> Any:
    """A DeBERTa-v3-style tokenizer folder holding only `spm.model`, trained here with SentencePiece's `nmt_nfkc`
    normalisation ([PAD] 0, [CLS] 1, [SEP] 2, [UNK] 3 as DeBERTa-v3's); returns the SentencePiece processor."""
    import sentencepiece as spm

    path.mkdir(parents=True, exist_ok=True)
    text = ["The quick brown fox jumps over the lazy dog.", "fine fish find five fifty", "ABC abc 123"] * 30
    spm.SentencePieceTrainer.train(sentence_iterator=iter(text), model_prefix=str(path / "spm"), vocab_size=45,
                                   model_type="unigram", normalization_rule_name="nmt_nfkc", pad_id=0, bos_id=1,
                                   eos_id=2, unk_id=3, pad_piece="[PAD]", bos_piece="[CLS]", eos_piece="[SEP]",
                                   unk_piece="[UNK]", user_defined_symbols=["[MASK]"], minloglevel=2)
    (path / "spm.vocab").unlink()
    (path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "DebertaV2Tokenizer"}),
                                                encoding="utf-8")
    return spm.SentencePieceProcessor(model_file=str(path / "spm.model"))


def build_starling_7b(root: Path, seed: int = 0) -> dict[str, Any]:
    """Starling-RM-7B-alpha's layout: a base causal LM folder (Llama-2-7b-chat's role) and a model folder holding
    only a state dict `model.pt` of GPTRewardModel (the fine-tuned backbone under `transformer.` and `model.model.`,
    `v_head.weight`)."""
    import torch
    from transformers import LlamaForCausalLM

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    base = LlamaForCausalLM(llama_config(tokenizer)).eval()
    base.save_pretrained(root / "base")
    tokenizer.save_pretrained(root / "base")
    tuned = LlamaForCausalLM(llama_config(tokenizer)).eval()  # other weights: the fine-tuned backbone
    head = torch.randn(1, HIDDEN) * 2.0
    state = {**{f"model.{k}": v for k, v in tuned.state_dict().items()},
             **{f"transformer.{k}": v for k, v in tuned.model.state_dict().items()}, "v_head.weight": head}
    (root / "rm").mkdir(parents=True, exist_ok=True)
    torch.save(state, root / "rm" / "model.pt")
    return {"backbone": tuned.model, "layers": [(head, None)], "tokenizer": tokenizer}


def build_side_file_head(path: Path, seed: int = 0) -> dict[str, Any]:
    """A backbone saved as a causal LM and a trl value head (`v_head.summary`, with bias) in the side file
    `value_head.safetensors`, as Skywork-VL-Reward ships its head."""
    import torch
    from safetensors.torch import save_file
    from transformers import LlamaForCausalLM

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    lm = LlamaForCausalLM(llama_config(tokenizer)).eval()
    lm.save_pretrained(path)
    tokenizer.save_pretrained(path)
    weight, bias = torch.randn(1, HIDDEN) * 2.0, torch.randn(1)
    save_file({"v_head.summary.weight": weight, "v_head.summary.bias": bias}, str(path / "value_head.safetensors"))
    return {"backbone": lm.model, "layers": [(weight, bias)], "tokenizer": tokenizer}


EURUS_STYLE = '''"""A tiny reward model in Eurus-RM's style, written for rmeval's tests: a Llama backbone, a
regression head on every position, the reward gathered at the last masked-in position, returned as a tensor."""

import torch
from torch import nn
from transformers import LlamaModel, LlamaPreTrainedModel


class TinyEurusRewardModel(LlamaPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.model = LlamaModel(config)
        self.regression_head = nn.Linear(config.hidden_size, 1, bias=False)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, **kwargs):
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        states = self.model(input_ids, attention_mask=mask).last_hidden_state
        rewards = self.regression_head(states).squeeze(-1)
        ends = mask.cumsum(dim=1).argmax(dim=1).view(-1, 1)
        return torch.gather(rewards, 1, ends)
'''


def build_eurus_style(path: Path, seed: int = 0) -> Any:
    """A folder whose model is code inside it (auto_map AutoModel, as Eurus-RM-7b's), with a tokenizer without a
    chat template; returns the loaded model."""
    import torch

    module = load_code(path, "modeling_eurus.py", EURUS_STYLE, f"modeling_eurus_{seed}")
    tokenizer = build_tokenizer(chat_template=None)
    config = llama_config(tokenizer)
    config.auto_map = {"AutoModel": "modeling_eurus.TinyEurusRewardModel"}
    torch.manual_seed(seed)
    model = module.TinyEurusRewardModel(config).eval()
    with torch.no_grad():
        model.regression_head.weight.normal_(0.0, 2.0)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return model


def build_qwen2_5_vl_with_side_head(path: Path, seed: int = 0) -> dict[str, Any]:
    """Skywork-VL-Reward's shape: a Qwen2.5-VL (a vision tower beside a Qwen2 text model, saved as
    Qwen2_5_VLForConditionalGeneration, transformers 5's configuration layout) and a trl value head in the side file
    `value_head.safetensors`. Returns the text model the reward is read from."""
    import torch
    from safetensors.torch import save_file
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    tokenizer = build_tokenizer()
    text = {"vocab_size": len(tokenizer), "hidden_size": HIDDEN, "intermediate_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
            "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 2]}}
    vision = {"depth": 1, "hidden_size": 16, "intermediate_size": 32, "num_heads": 2, "out_hidden_size": HIDDEN,
              "fullatt_block_indexes": [0]}
    config = Qwen2_5_VLConfig(text_config=text, vision_config=vision, vocab_size=len(tokenizer), hidden_size=HIDDEN,
                              pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    weight, bias = torch.randn(1, HIDDEN) * 2.0, torch.randn(1)
    save_file({"v_head.summary.weight": weight, "v_head.summary.bias": bias}, str(path / "value_head.safetensors"))

    class TextStates(torch.nn.Module):
        def forward(self, input_ids: Any) -> Any:
            out = model(input_ids=input_ids, output_hidden_states=True)
            return type("Out", (), {"last_hidden_state": out.hidden_states[-1]})()

    return {"backbone": TextStates(), "layers": [(weight, bias)], "tokenizer": tokenizer}
