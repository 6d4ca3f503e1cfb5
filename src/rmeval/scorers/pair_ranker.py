"""`--scorer pair-ranker`: an encoder that reads the conversation and two answers in one input and compares them
(the PairRM family: llm-blender/PairRM-hf, mightbe/Better-PairRM), on the pairwise path.

The input is `[CLS] <|source|> conversation [SEP] [CLS] <|candidate1|> first [SEP] [CLS] <|candidate2|> second [SEP]`
(each part truncated to its budget as the model was trained, the markers always kept). With `h` the encoder's last
hidden states and `head` the stack stored in the checkpoint (`head_layer.1`, tanh, `head_layer.4`):

    l(first, second) = mean over the head's outputs of head([h_source; h_first]) - head([h_source; h_second])

where `h_x` is the state at marker x. Both orders are read and combined by the `logit` rule (PairRM's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.inference.assemble import decoded, pairwise_scorer, place
from rmeval.inference.encoding import EncodedText
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.guards import RewardGuard
from rmeval.inference.options import BatchingOptions, PrecisionOptions
from rmeval.inference.padding import pad_batch, pad_id_of
from rmeval.inference.pairwise import OrderedPair, PairwiseScorer
from rmeval.models.checkpoint import LinearStack
from rmeval.models.heads import load_with_stored_head
from rmeval.models.loading import LoadReport, input_device
from rmeval.models.options import StoredHeadOptions
from rmeval.presets import resolve_model_path
from rmeval.scorers.registry import register_scorer
from rmeval.types import Message

__all__ = ["PAIR_FORMATS", "PairRanker", "PairRankerOptions", "load_pair_ranker", "pair_texts", "special_frame"]

PAIR_FORMATS = ("pairrm", "better-pairrm")
INSTRUCTION = "Finish the following coversation in each i-th turn by filling in <Response i> with your response."
"""PairRM-hf's instruction, spelled as its card and training data spell it."""


@dataclass(frozen=True)
class PairRankerOptions(PrecisionOptions, BatchingOptions, StoredHeadOptions):
    """Options of `--scorer pair-ranker`."""

    cli_group: ClassVar[str] = "pairwise ranker (--scorer pair-ranker)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "pair_format", "source_max_tokens", "candidate_max_tokens")

    pair_format: Literal["pairrm", "better-pairrm"] = option(
        "pairrm", "how the conversation and the answers are written: pairrm (PairRM-hf's USER / Assistant / "
                  "<Response i> layout) or better-pairrm (USER: / ASSISTANT: turns)")
    source_max_tokens: int = option(1224, "tokens for the conversation (its start is cut first)")
    candidate_max_tokens: int = option(412, "tokens for each answer, plus what the conversation leaves unused")
    markers: tuple[str, ...] = option(("<|source|>", "<|candidate1|>", "<|candidate2|>"),
                                      "the three marker tokens, where the head reads", flag="--marker")

    def check(self) -> None:
        """Three markers, room for each part."""
        if len(self.markers) != 3:
            raise ValueError(f"a pair ranker needs three markers (source, first, second), got {len(self.markers)}")
        if min(self.source_max_tokens, self.candidate_max_tokens) < 8:
            raise ValueError("--source-max-tokens and --candidate-max-tokens must be at least 8")


def pair_texts(fmt: str, prompt: Sequence[Message], answer: str) -> tuple[str, str]:
    """The conversation's text and one answer's text as the pair format writes them.

    >>> source, answer = pair_texts("pairrm", [Message("user", "Hi")], "Hello")
    >>> source.removeprefix(INSTRUCTION), answer
    ('USER: Hi\\nAssistant: <Response 1>', '<Response 1>: Hello')
    >>> pair_texts("better-pairrm", [Message("user", " Hi ")], "Hello")
    ('USER: Hi\\n\\nASSISTANT: ', 'Hello')
    """
    roles = [m.role for m in prompt]
    if fmt == "better-pairrm":
        names = {"user": "USER", "assistant": "ASSISTANT", "system": "SYSTEM MESSAGE"}
        if any(r not in names for r in roles):
            raise ValueError(f"the better-pairrm format writes user, assistant and system turns, got {roles}")
        turns = [f"{names[m.role]}: {m.content.strip()}" for m in prompt]
        return "\n\n".join([*turns, "ASSISTANT: "]), answer
    if fmt != "pairrm":
        raise ValueError(f"--pair-format must be one of {', '.join(PAIR_FORMATS)}, got {fmt!r}")
    if roles != ["user", "assistant"] * (len(roles) // 2) + ["user"]:
        raise ValueError(f"the pairrm format compares conversations of alternating user and assistant turns, got "
                         f"{roles}")
    users = [m.content for m in prompt if m.role == "user"]
    replies = [m.content for m in prompt if m.role == "assistant"] + [answer]
    source = "\n".join(f"USER: {u}\nAssistant: <Response {k}>" for k, u in enumerate(users, start=1))
    return INSTRUCTION + source, "\n".join(f"<Response {k}>: {r}" for k, r in enumerate(replies, start=1))


def special_frame(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text (`[CLS]` and `[SEP]` for DeBERTa)."""
    bare = list(tokenizer("a", add_special_tokens=False)["input_ids"])
    framed = list(tokenizer("a")["input_ids"])
    at = next((i for i in range(len(framed) - len(bare) + 1) if framed[i : i + len(bare)] == bare), None)
    if at is None:
        raise ValueError("the tokenizer frames a text in a way rmeval cannot split into head and tail tokens")
    return framed[:at], framed[at + len(bare):]


class PairRanker:
    """An encoder and the comparison head stored beside it: a pairwise model."""

    def __init__(self, name: str, options: PairRankerOptions, encoder: Any, head: LinearStack, tokenizer: Any,
                 load: LoadReport) -> None:
        hidden = int(encoder.config.hidden_size)
        if head.in_features != 2 * hidden:
            raise ValueError(f"{name}: a pair ranker's head reads two states ({2 * hidden} inputs); head "
                             f"{head.prefix!r} takes {head.in_features}")
        self.name, self.options, self.encoder, self.head, self.tokenizer, self.load = (
            name, options, encoder, head, tokenizer, load)
        self.marker_ids = [int(tokenizer.convert_tokens_to_ids(m)) for m in options.markers]
        unknown = [m for m, i in zip(options.markers, self.marker_ids, strict=True) if i == tokenizer.unk_token_id]
        if unknown:
            raise ValueError(f"{name}: the tokenizer has no marker token {unknown[0]!r} (--marker)")
        self.frame = special_frame(tokenizer)
        self.truncated = 0

    def _part(self, marker: int, ids: list[int], budget: int, keep_end: bool) -> tuple[list[int], bool]:
        """`[CLS] marker ids [SEP]` within `budget` tokens, and whether `ids` had to be cut."""
        head, tail = self.frame
        room = max(budget - len(head) - len(tail) - 1, 1)
        cut = ids[-room:] if keep_end else ids[:room]
        return [*head, marker, *cut, *tail], len(cut) < len(ids)

    def encode(self, pairs: Sequence[OrderedPair]) -> list[EncodedText]:
        """One input per ordered pair: the conversation, then the first answer, then the second."""
        cfg = self.options
        out = []
        for pair in pairs:
            source, first = pair_texts(cfg.pair_format, pair.prompt, pair.first)
            _, second = pair_texts(cfg.pair_format, pair.prompt, pair.second)
            # verbose=False: texts longer than the model's limit are expected; they are cut to their budgets below.
            tok = [self.tokenizer(t, add_special_tokens=False, verbose=False)["input_ids"]
                   for t in (source, first, second)]
            # As each model was trained: PairRM keeps the start of the conversation (its instruction), Better-PairRM
            # the end (the last question); both keep the start of each answer, which gets what the conversation
            # leaves of its budget.
            better = cfg.pair_format == "better-pairrm"
            src, cut = self._part(self.marker_ids[0], tok[0], cfg.source_max_tokens, keep_end=better)
            room = (cfg.source_max_tokens + 2 * cfg.candidate_max_tokens - len(src)) // 2
            if better:  # each answer is first cut to its own budget
                tok[1], tok[2] = tok[1][: cfg.candidate_max_tokens], tok[2][: cfg.candidate_max_tokens]
            one, cut1 = self._part(self.marker_ids[1], tok[1], room, False)
            two, cut2 = self._part(self.marker_ids[2], tok[2], room, False)
            out.append(EncodedText(tuple(src + one + two), cut or cut1 or cut2))
        self.truncated += sum(e.truncated for e in out)
        return out

    def preferences(self, batch: Sequence[EncodedText]) -> list[float]:
        """The head's comparison of the two answers, read at the markers, for each input."""
        import torch

        padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), "right", input_device(self.encoder),
                           False)
        with torch.inference_mode():
            hidden = self.encoder(**padded.inputs).last_hidden_state
            ids = padded.inputs["input_ids"].to(hidden.device)
            states = [hidden[ids == m] for m in self.marker_ids]  # one state per row, in row order
            if any(s.shape[0] != len(batch) for s in states):
                raise ValueError(f"{self.name}: an input holds a marker token ({', '.join(self.options.markers)}) "
                                 "other than once; its text contains one")
            if self.head.layers[0][0].device != hidden.device:
                self.head = self.head.to(hidden.device)
            first = self.head(torch.cat([states[0], states[1]], dim=-1))
            second = self.head(torch.cat([states[0], states[2]], dim=-1))
            values = (first - second).mean(dim=-1)
        return [float(v) for v in values.cpu().tolist()]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a preference besides the token ids: the checkpoint, its head, where the head reads."""
        return model_fingerprint("pair-ranker", resolve_model_path(self.name), self.options, self.encoder, None,
                                 head=self.head.describe(), marker_ids=self.marker_ids)

    def describe(self) -> dict[str, Any]:
        """The pair ranker's part of result.json."""
        cfg = self.options
        return {"kind": "pair-ranker", "model": self.name, "revision": cfg.revision,
                "tokenizer": cfg.tokenizer or self.name, "dtype": str(self.encoder.dtype).removeprefix("torch."),
                "device": str(input_device(self.encoder)), "encoder": type(self.encoder).__name__,
                "head": self.head.describe(), "pair_format": cfg.pair_format, "markers": list(cfg.markers),
                "source_max_tokens": cfg.source_max_tokens, "candidate_max_tokens": cfg.candidate_max_tokens,
                "preference": "mean(head([h_source; h_first]) - head([h_source; h_second]))",
                "truncated": self.truncated, "load": self.load.describe()}

    def close(self) -> None:
        """Drop the model."""
        self.encoder = None


@register_scorer("pair-ranker", PairRankerOptions, "an encoder that compares two answers in one input (PairRM), "
                                                   "read in both orders")
def load_pair_ranker(models: Sequence[str], options: PairRankerOptions, seed: int) -> PairwiseScorer[EncodedText]:
    """Read the comparison head, load the encoder, and put both on the pairwise path."""
    require("torch", "transformers", "safetensors", extra="hf", purpose="--scorer pair-ranker")
    (name,) = models
    where = place(options)
    encoder, head, tokenizer, report = load_with_stored_head(name, where.options, "head_layer", where.device,
                                                             "encoder")
    ranker = PairRanker(name, where.options, encoder, head, tokenizer, report)
    guard = RewardGuard(name, decoded(tokenizer), "preference")
    return pairwise_scorer(ranker, where, seed, guard, rule="logit", tie_credit=0.0)
