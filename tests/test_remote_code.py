"""`--scorer remote-code` on a tiny model that exists only as code in its folder (`auto_map`): refused without
`--trust-remote-code`, and with it the reward is the named output field (or the scoring method) computed by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from model_shapes import build_remote_code_model
from rmeval.scorers import build_scorer
from rmeval.types import Candidate, Example, Message


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    path = tmp_path_factory.mktemp("remote-rm")
    return path, build_remote_code_model(path)


def examples() -> list[Example]:
    texts = ["Paris is the capital of France.", "The answer is 4.", "I cannot help with that request.",
             "def add(a, b):\n    return a + b\n", "The quick brown fox jumps over the lazy dog."]
    return [Example("s", i, (Message("user", texts[i % 5]),), (texts[(i + 1) % 5] * (1 + i % 3),),
                    (texts[(i + 3) % 5],)) for i in range(8)]


def by_hand(model: Any, ids: tuple[int, ...], column: int) -> float:
    """The model's own computation, written out: mean of tanh(mix(embed)) over the tokens, then its objectives."""
    with torch.no_grad():
        states = torch.tanh(model.mix(model.embed(torch.tensor([ids]))))
        return float(model.objectives(states.mean(1))[0, column])


def test_remote_code_is_refused_without_the_flag(remote: tuple[Path, Any]) -> None:
    with pytest.raises(ValueError, match="add --trust-remote-code"):
        build_scorer("remote-code", str(remote[0]), output_field="score")


@pytest.mark.parametrize(("field", "index"), [("score", None), ("rewards", 1)])
def test_the_named_output_field_equals_the_hand_computation(remote: tuple[Path, Any], field: str,
                                                            index: int | None) -> None:
    path, model = remote
    scorer = build_scorer("remote-code", str(path), trust_remote_code=True, output_field=field, score_index=index,
                          chat_template="chatml", batch_size=3)
    exs = examples()
    scored = scorer.score(exs)
    inner = scorer.model.inner
    for ex, s in zip(exs, scored, strict=True):
        [chosen] = inner.encode([Candidate(ex.prompt, ex.chosen[0])])
        assert s.chosen_scores[0] == pytest.approx(by_hand(model, chosen.ids, index or 0), abs=1e-5)
    described = scorer.describe()
    assert described["trust_remote_code"] is True
    assert described["code"]["AutoModelForSequenceClassification"].endswith("TinyRewardModel")
    assert described["load"]["newly_initialised"]["count"] == 0


def test_a_field_the_output_lacks_and_a_wide_output_without_index_are_clear_errors(remote: tuple[Path, Any]) -> None:
    path, _ = remote
    scorer = build_scorer("remote-code", str(path), trust_remote_code=True, output_field="end_scores",
                          chat_template="chatml")
    with pytest.raises(ValueError, match=r"no .end_scores.*--output-field"):
        scorer.score(examples()[:1])
    scorer = build_scorer("remote-code", str(path), trust_remote_code=True, output_field="rewards",
                          chat_template="chatml")
    with pytest.raises(ValueError, match="2 outputs: pass --score-index"):
        scorer.score(examples()[:1])


def test_a_scoring_method_of_the_model(remote: tuple[Path, Any]) -> None:
    path, model = remote
    scorer = build_scorer("remote-code", str(path), trust_remote_code=True, auto_class="base",
                          score_method="get_score")
    ex = examples()[0]
    [s] = scorer.score([ex])
    tok = scorer.model.inner.tokenizer
    text = tok.apply_chat_template([m.as_dict() for m in ex.prompt] + [{"role": "assistant", "content": ex.chosen[0]}],
                                   tokenize=False)
    assert s.chosen_scores[0] == pytest.approx(by_hand(model, tuple(tok(text, add_special_tokens=False)["input_ids"]),
                                                       0), abs=1e-5)
    assert scorer.describe()["reward"] == "model.get_score(tokenizer, messages)"
