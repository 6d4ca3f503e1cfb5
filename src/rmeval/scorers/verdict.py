"""`--scorer verdict`: a language model's preference read as the probability of its verdict token, from one forward
pass and no generation (SteamSHP, RLHFlow's pair-preference model, and any local judge through `--scorer judge
--verdict logprob`), on the pairwise path: both orders of every pair.

The prompt shows the conversation and two answers (A first, B second); `l(A, B)` is the log-odds of the verdict
tokens at the position where the verdict comes:

    l(A, B) = log p(token_A | prompt) - log p(token_B | prompt) = logit_A - logit_B

read from the LM head at the prompt's last token (a causal LM), or at the decoder's first step (a seq2seq LM). The
LM head is applied at that one position only, never over the whole sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.common.runtime import model_max_length
from rmeval.data.chat import ChatTemplate, add_special_tokens_for, resolve_template
from rmeval.inference.assemble import decoded, pairwise_scorer, place
from rmeval.inference.encoding import EncodedText, truncate_left
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.guards import RewardGuard
from rmeval.inference.logprobs import check_head, head_logits
from rmeval.inference.options import BatchingOptions, PrecisionOptions
from rmeval.inference.padding import pad_batch, pad_id_of
from rmeval.inference.pairwise import OrderedPair, PairwiseScorer
from rmeval.models.loading import LoadReport, input_device, load_checkpoint
from rmeval.presets import resolve_model_path
from rmeval.scorers.judge.templates import JudgeTemplate
from rmeval.scorers.registry import register_scorer
from rmeval.scorers.verdict_prompt import VerdictPrompt, context_template
from rmeval.types import Message

__all__ = ["VerdictModel", "VerdictOptions", "build_verdict_scorer", "load_verdict"]

@dataclass(frozen=True)
class VerdictOptions(PrecisionOptions, BatchingOptions):
    """Options of `--scorer verdict`."""

    cli_group: ClassVar[str] = "verdict probability (--scorer verdict)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "verdict_prompt", "verdict_wrap")

    verdict_prompt: str = option("judge", "the prompt: a built-in (judge, steamshp, pair-pm) or a file with "
                                          "{answer_a}, {answer_b} and {question}, {conversation}, {history} or "
                                          "{context}")
    verdict_wrap: Literal["chat", "chat-no-generation-prompt", "raw"] = option(
        "chat", "how the filled prompt reaches the model: as a conversation in its chat template with the "
                "assistant header, the same without the header, or as plain text")
    verdict_prefix: str = option("", "text after the prompt, right before the verdict (the judge prompt: [[)")
    verdict_tokens: tuple[str, ...] = option(("A", "B"), "the verdict tokens naming the first and the second "
                                                         "answer", flag="--verdict-token")
    context_template: str | None = option(None, "Jinja template that writes {context} from the conversation "
                                                "(built-in: pair-pm-context; or a file)")
    strip_bos: bool = option(False, "remove the BOS token's text from the rendered prompt and add no special "
                                    "tokens (the pair-preference model's own usage)")
    combine: Literal["logit", "probability"] = option("logit", "how the two orders make one preference")

    def check(self) -> None:
        """Two different verdict tokens."""
        if len(self.verdict_tokens) != 2 or len(set(self.verdict_tokens)) != 2:
            raise ValueError(f"--verdict-token takes two different tokens (first, second), got "
                             f"{list(self.verdict_tokens)}")


class VerdictModel:
    """A causal or seq2seq LM read at its verdict position: a pairwise model."""

    def __init__(self, name: str, options: VerdictOptions, model: Any, tokenizer: Any, prompt: VerdictPrompt,
                 template: ChatTemplate | None, max_length: int, load: LoadReport) -> None:
        self.name, self.options, self.model, self.tokenizer, self.prompt, self.template, self.load = (
            name, options, model, tokenizer, prompt, template, load)
        self.max_length = max_length
        self.seq2seq = bool(getattr(model.config, "is_encoder_decoder", False))
        self.truncated = 0
        probe = self.text(OrderedPair((Message("user", "Hello."),), "Hi!", "Hello! How can I help?"))
        self.example = probe
        self.special = False if options.strip_bos else add_special_tokens_for(tokenizer, probe)
        self.token_ids = [self._verdict_id(probe, t) for t in options.verdict_tokens]

    def _verdict_id(self, probe: str, token: str) -> int:
        """The id of `token` as the model would write it right after the prompt: one token, or an error."""
        tok = self.tokenizer
        if self.seq2seq:
            ids = tok(token, add_special_tokens=False)["input_ids"]
            if len(ids) != 1:
                raise ValueError(f"verdict token {token!r} is {len(ids)} tokens for {self.name}; give one token")
            return int(ids[0])
        base = tok(probe, add_special_tokens=False)["input_ids"]
        ids = tok(probe + token, add_special_tokens=False)["input_ids"]
        if len(ids) != len(base) + 1 or ids[: len(base)] != base:
            raise ValueError(f"verdict token {token!r} does not follow the prompt as one token of its own for "
                             f"{self.name}: change --verdict-token or --verdict-prefix")
        return int(ids[-1])

    def text(self, pair: OrderedPair) -> str:
        """The model's input for one ordered pair, as text."""
        messages = self.prompt.messages(self.tokenizer, pair)
        wrap = self.options.verdict_wrap
        if wrap == "raw":
            text = "\n\n".join(m.content for m in messages)
        else:
            assert self.template is not None
            text = self.tokenizer.apply_chat_template([m.as_dict() for m in messages],
                                                      chat_template=self.template.text, tokenize=False,
                                                      add_generation_prompt=wrap == "chat")
        if self.options.strip_bos and self.tokenizer.bos_token:
            text = text.replace(self.tokenizer.bos_token, "")
        return str(text) + self.options.verdict_prefix

    def encode(self, pairs: Sequence[OrderedPair]) -> list[EncodedText]:
        """Token ids of every input; a too-long input loses its start, never the end where the verdict comes."""
        head = 1 if self.special and self.tokenizer.bos_token_id is not None else 0
        out = []
        for pair in pairs:
            ids = list(self.tokenizer(self.text(pair), add_special_tokens=self.special, verbose=False)["input_ids"])
            cut = truncate_left(ids, self.max_length, head)
            out.append(EncodedText(tuple(cut), len(cut) < len(ids)))
        self.truncated += sum(e.truncated for e in out)
        return out

    def preferences(self, batch: Sequence[EncodedText]) -> list[float]:
        """`logit_A - logit_B` at the verdict position of each input."""
        import torch

        device = input_device(self.model)
        with torch.inference_mode():
            if self.seq2seq:
                padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), "right", device, False)
                start = int(self.model.config.decoder_start_token_id)
                decoder = torch.full((len(batch), 1), start, dtype=torch.long, device=device)
                logits = self.model(**padded.inputs, decoder_input_ids=decoder).logits[:, 0].float()
            else:
                states = self._last_states([e.ids for e in batch], device)
                logits = head_logits(self.model, states)
            a, b = self.token_ids
            values = logits[:, a] - logits[:, b]
        return [float(v) for v in values.cpu().tolist()]

    def _last_states(self, seqs: list[tuple[int, ...]], device: Any) -> Any:
        """A causal LM's last hidden state at each sequence's last token.

        Batches are right-padded and run without an attention mask: in a causal model no real token attends to the
        padding after it, so its states are the same, and attention takes its unmasked causal path (20 % faster on
        this project's CPU than with a padding mask, measured on SmolLM2)."""
        import torch

        padded = pad_batch(seqs, pad_id_of(self.tokenizer), "right", device, False)
        hidden = self.model.base_model(input_ids=padded.inputs["input_ids"], use_cache=False).last_hidden_state
        return hidden[torch.arange(len(seqs), device=hidden.device), padded.last.to(hidden.device)]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a verdict besides the token ids (which hold the prompt): the checkpoint, the tokens read."""
        return model_fingerprint("verdict", resolve_model_path(self.name), self.options, self.model, None,
                                 verdict_token_ids=self.token_ids, seq2seq=self.seq2seq)

    def describe(self) -> dict[str, Any]:
        """The verdict scorer's part of result.json."""
        cfg = self.options
        return {"kind": "verdict", "model": self.name, "revision": cfg.revision,
                "dtype": str(self.model.dtype).removeprefix("torch."), "device": str(input_device(self.model)),
                "architecture": "seq2seq" if self.seq2seq else "causal", "prompt": self.prompt.source,
                "wrap": cfg.verdict_wrap, "chat_template": self.template.source if self.template else None,
                "context_template": self.prompt.context.source if self.prompt.context else None,
                "verdict_prefix": cfg.verdict_prefix, "verdict_tokens": list(cfg.verdict_tokens),
                "verdict_token_ids": self.token_ids, "strip_bos": cfg.strip_bos,
                "add_special_tokens": self.special, "preference": "logit(first token) - logit(second token)",
                "max_length": self.max_length, "truncated": self.truncated, "rendered_example": self.example,
                "load": self.load.describe()}

    def close(self) -> None:
        """Drop the model."""
        self.model = None


def build_verdict_scorer(name: str, options: VerdictOptions, judge: JudgeTemplate | None = None,
                         seed: int = 0) -> PairwiseScorer[EncodedText]:
    """Load a causal or seq2seq LM (by its config) and put it on the pairwise path; `judge` is a pairwise judge
    prompt to use instead of `--verdict-prompt` (`--scorer judge --verdict logprob`); `seed` draws a fast-exact
    run's calibration sample."""
    require("torch", "transformers", extra="hf", purpose="a verdict-probability scorer")
    import transformers

    where = place(options)
    options = where.options
    prompt = VerdictPrompt(options.verdict_prompt, context_template(options.context_template), judge)
    config = transformers.AutoConfig.from_pretrained(resolve_model_path(name), revision=options.revision,
                                                     trust_remote_code=options.trust_remote_code)
    auto = transformers.AutoModelForSeq2SeqLM if config.is_encoder_decoder else transformers.AutoModelForCausalLM
    loaded = load_checkpoint(auto, name, options, where.device, "language-model head")
    tokenizer, model = loaded.tokenizer, loaded.model
    if not config.is_encoder_decoder:
        check_head(model)  # the verdict is read from the LM head rmeval applies itself
    template = None if options.verdict_wrap == "raw" else resolve_template(tokenizer, options.chat_template, name)
    limit = options.max_length or model_max_length(model.config, tokenizer)
    verdict = VerdictModel(name, options, model, tokenizer, prompt, template, limit, loaded.report)
    guard = RewardGuard(name, decoded(tokenizer), "verdict log-odds")
    return pairwise_scorer(verdict, where, seed, guard, rule=options.combine, tie_credit=0.5)


@register_scorer("verdict", VerdictOptions, "a language model's verdict-token probability (A or B) after a pair "
                                            "prompt, read in both orders, no generation")
def load_verdict(models: Sequence[str], options: VerdictOptions, seed: int) -> PairwiseScorer[EncodedText]:
    """`--scorer verdict`: one model, its prompt format and verdict tokens from the options (or a preset)."""
    (name,) = models
    return build_verdict_scorer(name, options, seed=seed)
