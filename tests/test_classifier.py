"""The sequence-classifier scorer on tiny real transformers models built at test time."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import build_llama_classifier
from rmeval.inference.encoding import truncate_left
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Paris is the capital of France.",
    "def add(a, b):\n    return a + b\n",
    "I cannot help with that request.",
    "Write a function that returns the sum of a list of numbers, please, and explain it.",
]


def examples(n: int = 12) -> list[Example]:
    """Pairs of varied lengths, some sharing a prompt, one multi-turn (written for the test)."""
    out = []
    for i in range(n):
        prompt: tuple[Message, ...] = (Message("user", TEXTS[i % len(TEXTS)] * (1 + i % 3)),)
        if i % 4 == 3:
            prompt = (Message("system", "Be helpful."), Message("user", "Hello."), Message("assistant", "Hi!"),
                      *prompt)
        chosen = " ".join(TEXTS[(i + k) % len(TEXTS)] for k in range(1 + i % 5))
        rejected = TEXTS[(i + 2) % len(TEXTS)] + " </s> thanks"  # eos inside the text: pooling must not stop there
        out.append(Example("s", i, prompt, (chosen,), (rejected,)))
    return out


def scorer_for(path: Path, **options: Any) -> Any:
    """fp32 throughout: these tests compare scores with hand computations (fast-exact has its own tests)."""
    return build_scorer("classifier", str(path), **{"precision": "fp32", **options})


def flat_scores(scored: list[Any]) -> list[float]:
    return [x for s in scored for x in (*s.chosen_scores, *s.rejected_scores)]


def reference_reward(path: Path, ids: list[int]) -> float:
    """The head applied by hand to the backbone's state at the last token of one unpadded sequence."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    with torch.no_grad():
        hidden = model.model(input_ids=torch.tensor([ids])).last_hidden_state
        return float(model.score(hidden[0, -1]).squeeze())


def test_batch_size_one_equals_a_large_token_budget(llama_classifier: Path) -> None:
    exs = examples()
    one = scorer_for(llama_classifier, batch_size=1, max_tokens_per_batch=None).score(exs)
    big = scorer_for(llama_classifier, max_tokens_per_batch=100_000).score(exs)
    a, b = flat_scores(one), flat_scores(big)
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-5
    assert [s.chosen_scores > s.rejected_scores for s in one] == [s.chosen_scores > s.rejected_scores for s in big]
    assert len(set(a)) > len(a) // 2  # the rewards really vary: the comparison is not vacuous


def test_left_and_right_padding_give_the_same_scores(llama_classifier: Path) -> None:
    exs = examples()
    right = flat_scores(scorer_for(llama_classifier, padding_side="right").score(exs))
    left = flat_scores(scorer_for(llama_classifier, padding_side="left").score(exs))
    assert max(abs(x - y) for x, y in zip(left, right, strict=True)) < 1e-5


def test_score_is_read_at_the_last_real_token_even_when_pad_is_eos(tmp_path: Path) -> None:
    path = build_llama_classifier(tmp_path / "rm", pad_is_eos=True)
    scorer = scorer_for(path, max_tokens_per_batch=100_000)
    exs = examples(6)
    scored = scorer.score(exs)
    encoder = scorer.model.inner.encoder
    for ex, s in zip(exs, scored, strict=True):
        [(ids, _)] = encoder.encode([encoder.render(type(scorer.unique_candidates([ex])[0])(ex.prompt,
                                                                                            ex.rejected[0]))])
        assert abs(reference_reward(path, ids) - s.rejected_scores[0]) < 1e-4


def test_no_double_bos(llama_classifier: Path) -> None:
    scorer = scorer_for(llama_classifier)
    tok = scorer.model.inner.tokenizer
    encoder = scorer.model.inner.encoder
    candidate = scorer.unique_candidates(examples(1))[0]
    rendered = encoder.render(candidate)
    assert rendered.startswith("<s>")  # the template writes BOS itself ...
    [(ids, _)] = encoder.encode([rendered])
    assert ids[0] == tok.bos_token_id and ids[1] != tok.bos_token_id  # ... so the tokenizer must not add one
    assert ids.count(tok.bos_token_id) == 1
    assert scorer.describe()["add_special_tokens"] is False


def test_truncation_keeps_the_end_of_the_response(llama_classifier: Path) -> None:
    long_prompt = (Message("user", " ".join(TEXTS) * 6),)
    response = "The answer ends exactly here: Berlin is the capital of Germany."
    ex = Example("s", 0, long_prompt, (response,), ("short",))
    scorer = scorer_for(llama_classifier, max_length=32)
    encoder = scorer.model.inner.encoder
    full_text = encoder.render(scorer.unique_candidates([ex])[0])
    full = scorer.model.inner.tokenizer(full_text, add_special_tokens=False)["input_ids"]
    [(cut, truncated)] = encoder.encode([full_text])
    assert truncated and len(cut) == 32 and len(full) > 32
    assert cut[0] == full[0]  # BOS stays
    assert cut[1:] == full[-31:]  # the prompt lost its start; the response's end is intact
    scored = scorer.score([ex])
    assert scorer.describe()["truncated"] == 2  # chosen and rejected share the long prompt
    assert all(v == v for v in scored[0].chosen_scores)  # a real number, not NaN


def test_truncate_left_keeps_head_and_tail() -> None:
    assert truncate_left(list(range(10)), 4, keep_head=1) == [0, 7, 8, 9]
    assert truncate_left(list(range(10)), 4, keep_head=0) == [6, 7, 8, 9]
    assert truncate_left([1, 2], 4, keep_head=1) == [1, 2]


def test_multi_logit_head_needs_a_score_index(tmp_path: Path) -> None:
    path = build_llama_classifier(tmp_path / "rm3", num_labels=3)
    with pytest.raises(ValueError, match="3-logit head: pass --score-index"):
        scorer_for(path)
    with pytest.raises(ValueError, match="out of range"):
        scorer_for(path, score_index=3)
    exs = examples(4)
    s0 = flat_scores(scorer_for(path, score_index=0).score(exs))
    s2 = flat_scores(scorer_for(path, score_index=2).score(exs))
    assert s0 != s2
    assert scorer_for(path, score_index=2).describe()["score_index"] == 2


def test_encoder_classifier_needs_an_explicit_template(bert_classifier: Path) -> None:
    with pytest.raises(ValueError, match="has no chat template; pass --chat-template"):
        scorer_for(bert_classifier)
    scorer = scorer_for(bert_classifier, chat_template="raw")
    scored = scorer.score(examples(4))
    info = scorer.describe()
    assert info["chat_template"] == "builtin:raw" and info["pooling"].startswith("model's own")
    assert info["add_special_tokens"] is True  # encoders keep their [CLS] ... [SEP] frame
    assert len(flat_scores(scored)) == 8
    with pytest.raises(ValueError, match="needs right padding"):
        scorer_for(bert_classifier, chat_template="raw", padding_side="left")


def test_template_from_a_jinja_file_is_recorded(bert_classifier: Path, tmp_path: Path) -> None:
    template = tmp_path / "t.jinja"
    template.write_text("{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}", encoding="utf-8")
    info = scorer_for(bert_classifier, chat_template=str(template)).describe()
    assert info["chat_template"].startswith(f"file:{template}")
    assert info["rendered_example"].startswith("[user] ")
    with pytest.raises(ValueError, match="neither a built-in"):
        scorer_for(bert_classifier, chat_template=str(tmp_path / "missing.jinja"))


def test_duplicate_candidates_are_scored_once(llama_classifier: Path) -> None:
    ex = examples(2)
    twice = [*ex, dataclasses.replace(ex[0], id=99)]
    scorer = scorer_for(llama_classifier)
    scored = scorer.score(twice)
    assert scorer.stats["candidates"] == 6 and scorer.stats["unique_candidates"] == 4
    assert scored[2].chosen_scores == scored[0].chosen_scores


def test_describe_records_what_decides_the_numbers(llama_classifier: Path) -> None:
    scorer = scorer_for(llama_classifier, batch_size=4)
    scorer.score(examples(3))
    info = scorer.describe()
    for key in ("model", "revision", "tokenizer", "dtype", "device", "attn_implementation", "max_length",
                "chat_template", "rendered_example", "truncated", "batching"):
        assert key in info, key
    assert info["dtype"] == "float32" and info["device"] == "cpu" and info["max_length"] == 128
    assert info["batching"]["batch_size"] == 4 and info["batching"]["real_tokens"] > 0


def test_texts_equal_after_truncation_are_scored_once_and_alike(llama_classifier: Path) -> None:
    body = " ".join(TEXTS) * 6
    exs = [Example("s", i, (Message("user", f"Variant {i}. {body}"),), ("Berlin.",), (f"Rome, {i}.",))
           for i in range(3)]
    scorer = scorer_for(llama_classifier, max_length=24, max_tokens_per_batch=100_000)
    scored = scorer.score(exs)
    # The prompts differ only where truncation cuts, so the three chosen texts become one token sequence.
    assert scored[0].chosen_scores == scored[1].chosen_scores == scored[2].chosen_scores
    assert len({s.rejected_scores for s in scored}) == 3
    stats = scorer.describe()["batching"]
    assert stats["unique_candidates"] == 6 and stats["unique_encodings"] == 4
