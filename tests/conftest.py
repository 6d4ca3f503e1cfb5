"""Shared fixtures: tiny real transformers models and tokenizers built at test time (no hub, no download)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _isolated_cache() -> None:
    """The tests' own $RMEVAL_CACHE (scores, references, judge answers start empty every session), sharing only the
    converted weights folder, which costs a conversion to build."""
    real = Path(os.environ.get("RMEVAL_CACHE", Path.home() / ".cache" / "rmeval")).expanduser()
    (real / "models").mkdir(parents=True, exist_ok=True)
    mine = Path(tempfile.mkdtemp(prefix="rmeval-test-cache-"))
    (mine / "models").symlink_to(real / "models", target_is_directory=True)
    os.environ["RMEVAL_CACHE"] = str(mine)
    atexit.register(shutil.rmtree, mine, ignore_errors=True)


_isolated_cache()

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Write a function that returns the sum of a list of numbers.",
    "I cannot help with that request, but here is a safer alternative.",
    "Paris is the capital of France; Berlin is the capital of Germany.",
    "def add(a, b):\n    return a + b\n",
    "user assistant system hello thanks please answer question",
] * 20

# Starts with the BOS token, as many real templates do: tokenizing it with special tokens would double BOS.
BOS_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_tokenizer(chat_template: str | None = BOS_TEMPLATE, pad_is_eos: bool = False) -> Any:
    """A small byte-level BPE tokenizer that adds BOS like Llama's, trained on a fixed corpus."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", bos)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                   pad_token="</s>" if pad_is_eos else "<pad>", model_max_length=128)
    if chat_template:
        fast.chat_template = chat_template
    return fast


def build_llama_classifier(path: Path, num_labels: int = 1, pad_is_eos: bool = False, seed: int = 0) -> Path:
    """A 2-layer random Llama sequence classifier and its tokenizer, saved to `path`."""
    import torch
    from transformers import LlamaConfig, LlamaForSequenceClassification

    tokenizer = build_tokenizer(pad_is_eos=pad_is_eos)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         num_labels=num_labels, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    model = LlamaForSequenceClassification(config)
    with torch.no_grad():  # a random head on a random model gives tiny logits: widen them so order is stable
        model.score.weight.mul_(50.0)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def build_llama_causal_lm(path: Path, seed: int = 0, chat_template: str | None = BOS_TEMPLATE) -> Path:
    """A 2-layer random Llama causal LM and its tokenizer, saved to `path` (weights widened so that next-token
    distributions are far from uniform and rewards differ clearly between answers)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = build_tokenizer(chat_template)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         initializer_range=0.2, tie_word_embeddings=False, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


class StatelessFake:
    """What a fake pointwise or pairwise model holds of the protocol's bookkeeping: nothing (no fingerprint, so no
    score store; nothing to describe or release)."""

    def fingerprint(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


def build_wordpiece_tokenizer(model_max_length: int = 64, extra_tokens: tuple[str, ...] = ()) -> Any:
    """A lower-casing WordPiece tokenizer that frames texts as `[CLS] ... [SEP]`, without a chat template; any
    `extra_tokens` are added as special tokens.

    Its vocabulary is written out, not trained: `tokenizers`' WordPiece trainer breaks frequency ties in the order
    of a Rust hash map, which changes from process to process, so a trained vocabulary gave every test process other
    token ids (and a tiny random model other numbers: the fast-exact pair-ranker test passed or failed by chance)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    normalizer, splitter = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = sorted({w for text in CORPUS for w, _ in splitter.pre_tokenize_str(normalizer.normalize_str(text))})
    chars = sorted({c for w in words for c in w})
    tokens = dict.fromkeys([*specials, *chars, *(f"##{c}" for c in chars), *words])  # a one-letter word is a char
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizer
    tok.pre_tokenizer = splitter
    tok.post_processor = processors.BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", model_max_length=model_max_length)
    if extra_tokens:
        fast.add_special_tokens({"additional_special_tokens": list(extra_tokens)})
    return fast


def build_bert_classifier(path: Path, seed: int = 0) -> Path:
    """A 2-layer random BERT classifier (pools [CLS] itself) with a tokenizer that has no chat template."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    fast = build_wordpiece_tokenizer()
    config = BertConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=4, max_position_embeddings=64, num_labels=1)
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(path)
    fast.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def llama_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny random Llama classifier whose tokenizer has a BOS-writing chat template."""
    return build_llama_classifier(tmp_path_factory.mktemp("llama-rm"))


@pytest.fixture(scope="session")
def bert_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny random BERT classifier whose tokenizer has no chat template."""
    return build_bert_classifier(tmp_path_factory.mktemp("bert-rm"))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as JSON Lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def preference_rows(n_per_subset: int = 3, subsets: tuple[str, ...] = ("alpha", "beta")) -> list[dict[str, Any]]:
    """Small synthetic preference rows (texts written here, not taken from any dataset)."""
    rows = []
    for s in subsets:
        for i in range(n_per_subset):
            rows.append({
                "subset": s,
                "id": i,
                "prompt": f"Question {i} about {s}: what is {i} plus {i}?",
                "chosen": f"The answer is {2 * i}. " + "Here is why: adding a number to itself doubles it. " * (i % 3),
                "rejected": f"The answer is {2 * i + 1}.",
            })
    return rows


def interruptible() -> None:
    """A child process's Ctrl-C as a terminal delivers it (`preexec_fn`): a shell starts background jobs with
    SIGINT ignored, and an ignored signal stays ignored in every process started from them, so a test of Ctrl-C
    launched from such a job would see it do nothing."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def random_word_pairs(count: int, longest: int, seed: int = 0) -> list[Any]:
    """Pairs of short answers made of the same few words (a four-word question, answers of 2 to `longest` words):
    a tiny random model's preferences between them are close, so a fast-exact run has close calls."""
    import random

    from rmeval.types import Example, Message

    words = ["paris", "capital", "france", "answer", "four", "help", "request", "quick", "brown", "fox", "lazy"]
    rng = random.Random(seed)
    return [Example("s", i, (Message("user", " ".join(rng.choices(words, k=4))),),
                    (" ".join(rng.choices(words, k=rng.randint(2, longest))),),
                    (" ".join(rng.choices(words, k=rng.randint(2, longest))),)) for i in range(count)]


@pytest.fixture
def rescore_however_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast-exact re-scores its close calls however many they are, instead of going on in fp32 once they are most
    of the calibration sample: for tests of the re-scoring on tiny random models, whose rewards mostly sit within
    bf16's error of each other."""
    from rmeval.inference import precision

    monkeypatch.setattr(precision, "MOSTLY_CLOSE", 1.0)


TEST_THREADS = 2
"""Threads of every in-process forward pass: a bf16 matrix product rounds in another order on another number of
threads (a tiny DeBERTa's calibration error moved from 0.033 to 0.035 between 1 and 2), so a fast-exact test's
numbers would depend on the machine's cores; CI and this project's machine have 2."""


@pytest.fixture(autouse=True)
def _fixed_threads() -> Iterator[None]:
    """Every test runs its models on `TEST_THREADS` threads, whatever the machine (and whatever a test before it
    set)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(TEST_THREADS)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own folder: a run's default `results/` never meets another test's."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium driven by Playwright, for the site's browser tests (see browser_support.py)."""
    from browser_support import CHROMIUM, LAUNCH_ARGS, sync_api

    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Any]:
    """A new page of `browser` recording console messages, page errors, dialogs and failed requests."""
    from browser_support import Watched

    w = Watched(browser)
    yield w
    w.page.close()


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on loopback (reachable from the test, not from inside the audit's sandbox): its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()
