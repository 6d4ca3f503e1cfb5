"""Implicit (DPO) rewards on tiny random causal LMs built at test time, checked against a per-token loop."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import pytest

from conftest import BOS_TEMPLATE, build_llama_causal_lm
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message, Scored

EXAMPLES = (
    Example("s", 1, (Message("user", "What is two plus two?"),), ("The answer is 4.",), ("It is five, I think.",)),
    Example("s", 2, (Message("user", "Write a function that adds numbers."),),
            ("def add(a, b):\n    return a + b\n",), ("I cannot help with that request.",)),
    # Several answers per prompt (best-of-N shape), and an answer repeated from another example.
    Example("s", 3, (Message("user", "Name the capital of France."),),
            ("Paris is the capital of France.", "Paris."), ("Berlin is the capital of France.", "The answer is 4.")),
    Example("s", 4, (Message("system", "Answer briefly."), Message("user", "Which fox is quick?")),
            ("The quick brown fox.",), ("The lazy dog jumps over the quick brown fox again and again.",)),
)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random causal LM acting as the policy."""
    return build_llama_causal_lm(tmp_path_factory.mktemp("policy"), seed=1)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another random causal LM with the same tokenizer, acting as the reference."""
    return build_llama_causal_lm(tmp_path_factory.mktemp("reference"), seed=2)


@functools.cache
def load(model_dir: Path) -> tuple[Any, Any]:
    """Tokenizer and model of a folder, loaded once per test session."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    return AutoTokenizer.from_pretrained(model_dir), model


def token_logps(model_dir: Path, prompt: tuple[Message, ...], response: str) -> list[float]:
    """log p of each response token, one forward pass per token over everything before it (the definition)."""
    import torch

    tok, model = load(model_dir)
    messages = [m.as_dict() for m in prompt]
    prompt_text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    full = tok.apply_chat_template([*messages, {"role": "assistant", "content": response}], tokenize=False)
    ids = tok(full, add_special_tokens=False)["input_ids"]  # the template writes BOS itself
    prompt_ids = tok(prompt_text, add_special_tokens=False)["input_ids"]
    assert ids[: len(prompt_ids)] == prompt_ids  # these texts do not merge tokens across the boundary
    out = []
    with torch.no_grad():
        for t in range(len(prompt_ids), len(ids)):
            logits = model(input_ids=torch.tensor([ids[:t]])).logits[0, -1].double()
            out.append(float(logits.log_softmax(-1)[ids[t]]))
    return out


def expected_reward(policy: Path, reference: Path | None, mode: str | None, prompt: Any, response: str) -> float:
    """The reward SCORING.md defines, from the per-token loop."""
    logps = token_logps(policy, prompt, response)
    if reference is not None:
        return sum(logps) - sum(token_logps(reference, prompt, response))
    if mode == "sum":
        return sum(logps)
    if mode == "avg":
        return sum(logps) / len(logps)
    return -math.sqrt(sum(x * x for x in logps))


Config = tuple[str, dict[str, Any]]


def implicit_config(model: str, **options: Any) -> Config:
    """An implicit scorer's model and options; without the score store, so every test counts its own forward
    passes (the store has its own tests), in fp32 (fast-exact has its own tests)."""
    return model, {"use_score_cache": False, "precision": "fp32", **options}


def build_implicit(config: Config) -> Any:
    """The implicit scorer of `config`, loaded."""
    return build_scorer("implicit", config[0], **config[1])


def score(config: Config, examples: tuple[Example, ...] = EXAMPLES) -> tuple[list[Scored], Any]:
    """Build the scorer named by `config` and score `examples`."""
    scorer = build_implicit(config)
    return scorer.score(examples), scorer


def flat(scored: list[Scored]) -> list[float]:
    """Every score of every example, in order."""
    return [v for s in scored for v in (*s.chosen_scores, *s.rejected_scores)]


@pytest.mark.parametrize("mode", ["sum", "avg", "norm", "reference"])
def test_reward_equals_per_token_loop(policy: Path, reference: Path, tmp_path: Path, mode: str) -> None:
    ref = reference if mode == "reference" else None
    config = implicit_config(model=str(policy), ref_model=str(ref) if ref else None,
                       ref_free=None if ref else mode, ref_cache=tmp_path)
    scored, _ = score(config)
    for s in scored:
        ex = s.example
        for text, got in zip(ex.candidates, (*s.chosen_scores, *s.rejected_scores), strict=True):
            want = expected_reward(policy, ref, mode, ex.prompt, text)
            assert got == pytest.approx(want, rel=1e-5, abs=1e-4), (ex.id, text)
    assert len({round(v, 6) for v in flat(scored)}) > 4  # the random models really tell answers apart


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_scores_do_not_depend_on_batch_size_or_prompt_sharing(policy: Path, reference: Path, tmp_path: Path,
                                                              attention: str) -> None:
    runs = {}
    for share in (True, False):
        for batch_size, budget in ((1, None), (None, 100_000), (3, 200)):
            config = implicit_config(model=str(policy), ref_model=str(reference), use_ref_cache=False,
                               share_prompts=share, batch_size=batch_size, max_tokens_per_batch=budget,
                               attn_implementation=attention)
            scored, _ = score(config)
            runs[(share, batch_size)] = flat(scored)
    base = runs[(False, 1)]
    for key, values in runs.items():
        assert values == pytest.approx(base, rel=1e-5, abs=1e-5), key


def test_shared_rows_hold_a_prompt_once(policy: Path) -> None:
    shared, shared_scorer = score(implicit_config(model=str(policy), share_prompts=True))
    _, alone_scorer = score(implicit_config(model=str(policy), share_prompts=False))
    assert shared_scorer.stats["unique_candidates"] == alone_scorer.stats["unique_candidates"] == 10
    assert shared_scorer.stats["real_tokens"] < alone_scorer.stats["real_tokens"]
    assert shared[2].chosen_scores[0] != shared[2].rejected_scores[0]


def test_reference_cache_serves_a_second_policy(policy: Path, reference: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, first_scorer = score(implicit_config(model=str(policy), ref_model=str(reference),
                                          ref_cache=cache))
    ref_info = first_scorer.describe()["reference"]
    assert ref_info["forward_items"] == 10 and ref_info["cache"]["misses"] == 10
    second_policy = build_llama_causal_lm(tmp_path / "policy-2", seed=3)
    cached, scorer = score(implicit_config(model=str(second_policy), ref_model=str(reference),
                                     ref_cache=cache))
    info = scorer.describe()["reference"]
    assert info["forward_items"] == 0 and not info["loaded"]
    assert info["cache"]["hits"] == 10 and info["cache"]["misses"] == 0
    fresh, _ = score(implicit_config(model=str(second_policy), ref_model=str(reference),
                               use_ref_cache=False))
    assert flat(cached) == pytest.approx(flat(fresh), rel=1e-9, abs=1e-9)
    assert flat(cached) != pytest.approx(flat(first))


def test_reference_cache_misses_on_a_changed_template_or_model(policy: Path, reference: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    score(implicit_config(model=str(policy), ref_model=str(reference), ref_cache=cache))
    # The same template text plus a comment renders the same tokens, yet is another template: it must miss.
    template = tmp_path / "template.jinja"
    template.write_text("{# edited #}" + BOS_TEMPLATE, encoding="utf-8")
    _, scorer = score(implicit_config(model=str(policy), ref_model=str(reference), ref_cache=cache,
                                chat_template=str(template)))
    assert scorer.describe()["reference"]["cache"] == {"path": str(cache / "reference.sqlite"), "hits": 0,
                                                       "misses": 10}
    retrained = build_llama_causal_lm(tmp_path / "reference-2", seed=5)  # same config and size, other weights
    _, scorer = score(implicit_config(model=str(policy), ref_model=str(retrained), ref_cache=cache))
    assert scorer.describe()["reference"]["forward_items"] == 10
    copy = build_llama_causal_lm(tmp_path / "reference-copy", seed=2)  # new files, the same weights: the same model
    _, scorer = score(implicit_config(model=str(policy), ref_model=str(copy), ref_cache=cache))
    assert scorer.describe()["reference"]["forward_items"] == 0


def test_result_records_reference_or_mode(policy: Path, reference: Path, tmp_path: Path) -> None:
    _, with_ref = score(implicit_config(model=str(policy), ref_model=str(reference), ref_cache=tmp_path))
    spec = with_ref.describe()
    assert spec["kind"] == "implicit" and spec["ref_free"] is None
    assert spec["reference"]["model"] == str(reference) and spec["reference"]["identity"].startswith("local:")
    _, free = score(implicit_config(model=str(policy)))
    spec = free.describe()
    assert spec["reference"] is None and spec["ref_free"] == "avg" and spec["reward"] == "reference-free avg"


def test_reference_options_are_checked(policy: Path, reference: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exclude each other"):
        build_implicit(implicit_config(model=str(policy), ref_model=str(reference), ref_free="sum"))
    with pytest.raises(ValueError, match="ref_free must be one of"):
        build_implicit(implicit_config(model=str(policy), ref_free="mean"))
    from transformers import AutoTokenizer

    other = build_llama_causal_lm(tmp_path / "other-vocab", seed=4)
    tok = AutoTokenizer.from_pretrained(other)
    tok.add_tokens(["<extra>"])
    tok.save_pretrained(other)
    with pytest.raises(ValueError, match="another vocabulary"):
        build_implicit(implicit_config(model=str(policy), ref_model=str(other), ref_cache=tmp_path))


def test_answers_sharing_a_truncated_away_prompt_fill_rows_of_bounded_length() -> None:
    from rmeval.inference.logprobs import ROW_TOKENS, EncodedResponse, group_rows

    # Long answers whose prompt truncation cut down to the same two tokens: one row of them all would be huge.
    answers = [EncodedResponse((1, 2, *range(10 + i, 1010 + i)), 2, True) for i in range(9)]
    other = EncodedResponse((5, 6, 7, 8), 3, False)
    rows = group_rows([*answers, other], share_prompts=True)
    assert sorted(i for row in rows for i in row) == list(range(10))
    assert [len(r) for r in rows] == [4, 4, 1, 1]  # filled in order: 2 + 4 x 1000 tokens fit, a fifth does not
    assert all(2 + sum(answers[i].length - 2 for i in r) <= ROW_TOKENS for r in rows[:3])
    regrouped = group_rows([answers[i] for i in rows[0] + rows[1]], share_prompts=True)
    assert regrouped == [[0, 1, 2, 3], [4, 5, 6, 7]]  # a batch of such rows groups into the same rows
    assert group_rows(answers[:1], share_prompts=True) == [[0]]
