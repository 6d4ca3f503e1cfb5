"""`--scorer value-head` on tiny checkpoints in the shapes of Starling-RM-34B, UltraRM, GRM and beaver-cost: the
reward equals the head applied by hand to the backbone's last hidden state at the last token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import build_llama_causal_lm
from model_shapes import build_value_head_model
from rmeval.scorers import build_scorer
from rmeval.types import Candidate, Example, Message

TEXTS = ["The quick brown fox jumps over the lazy dog.", "Paris is the capital of France.",
         "def add(a, b):\n    return a + b\n", "I cannot help with that request.",
         "Write a function that returns the sum of a list of numbers, please."]


def examples(n: int = 10) -> list[Example]:
    """Pairs of varied lengths (written for the test)."""
    return [Example("s", i, (Message("user", TEXTS[i % 5] * (1 + i % 2)),),
                    (" ".join(TEXTS[(i + k) % 5] for k in range(1 + i % 3)),), (TEXTS[(i + 2) % 5],))
            for i in range(n)]


def by_hand(scorer: Any, built: dict[str, Any], candidate: Candidate, activation: Any = None,
            sign: float = 1.0, index: int = 0) -> float:
    """The head of `built` applied by hand to the backbone's state at the last token of the unpadded text."""
    model = scorer.model.inner
    [encoded] = model.encode([candidate])
    with torch.no_grad():
        h = built["backbone"](input_ids=torch.tensor([encoded.ids])).last_hidden_state[0, -1]
        for n, (w, b) in enumerate(built["layers"]):
            h = w @ h + (b if b is not None else 0)
            if n < len(built["layers"]) - 1:
                h = activation(h)
    return sign * float(h[index])


def flat(scored: list[Any]) -> list[float]:
    return [x for s in scored for x in (*s.chosen_scores, *s.rejected_scores)]


@pytest.mark.parametrize(("prefix", "head"), [("transformer", "v_head"), ("model", "regression_head")],
                         ids=["starling-34b", "ultrarm"])
def test_a_linear_head_beside_the_backbone_equals_the_hand_computation(tmp_path: Path, prefix: str,
                                                                       head: str) -> None:
    built = build_value_head_model(tmp_path / "rm", prefix=prefix, head=head)
    options: dict[str, Any] = {"head": head, "backbone_prefix": prefix if prefix == "transformer" else None}
    scorer = build_scorer("value-head", str(tmp_path / "rm"), **options, batch_size=3)
    exs = examples()
    scored = scorer.score(exs)
    for ex, s in zip(exs, scored, strict=True):
        assert s.chosen_scores[0] == pytest.approx(by_hand(scorer, built, Candidate(ex.prompt, ex.chosen[0])),
                                                   abs=1e-4)
        assert s.rejected_scores[0] == pytest.approx(by_hand(scorer, built, Candidate(ex.prompt, ex.rejected[0])),
                                                     abs=1e-4)
    assert len(set(flat(scored))) > len(flat(scored)) // 2  # rewards really vary
    described = scorer.describe()
    assert described["kind"] == "value-head" and described["head"]["prefix"] == head
    assert described["load"]["newly_initialised"]["count"] == 0
    assert described["load"]["unused_weights"]["count"] == 0  # the head is read by rmeval, so it is used
    left = flat(build_scorer("value-head", str(tmp_path / "rm"), **options, padding_side="left",
                             max_tokens_per_batch=100_000).score(exs))
    assert max(abs(a - b) for a, b in zip(left, flat(scored), strict=True)) < 1e-4


def test_a_grm_mlp_head_and_a_cost_sign(tmp_path: Path) -> None:
    built = build_value_head_model(tmp_path / "grm", prefix="model", head="v_head.summary", widths=(16, 1),
                                   bias=True)
    scorer = build_scorer("value-head", str(tmp_path / "grm"), head="v_head.summary", head_activation="relu",
                          sign=-1)
    ex = examples(1)[0]
    [s] = scorer.score([ex])
    expected = by_hand(scorer, built, Candidate(ex.prompt, ex.chosen[0]), torch.relu, sign=-1.0)
    assert s.chosen_scores[0] == pytest.approx(expected, abs=1e-4)
    assert scorer.describe()["head"]["layers"] == [[16, 32], [1, 16]]


def test_a_stacked_head_needs_its_activation_and_a_wide_head_its_index(tmp_path: Path) -> None:
    build_value_head_model(tmp_path / "grm", prefix="model", head="v_head.summary", widths=(16, 1))
    with pytest.raises(ValueError, match="--head-activation"):
        build_scorer("value-head", str(tmp_path / "grm"), head="v_head.summary")
    built = build_value_head_model(tmp_path / "beaver", prefix="model", head="score_head", widths=(3,))
    with pytest.raises(ValueError, match="3 outputs: pass --score-index"):
        build_scorer("value-head", str(tmp_path / "beaver"), head="score_head")
    scorer = build_scorer("value-head", str(tmp_path / "beaver"), head="score_head", score_index=2)
    ex = examples(1)[0]
    assert scorer.score([ex])[0].chosen_scores[0] == pytest.approx(
        by_hand(scorer, built, Candidate(ex.prompt, ex.chosen[0]), index=2), abs=1e-4)


def test_a_causal_lm_has_no_value_head_and_a_wrong_prefix_leaves_the_backbone_new(tmp_path: Path) -> None:
    build_llama_causal_lm(tmp_path / "lm")
    with pytest.raises(ValueError, match=r"holds no head .v_head.*start with lm_head, model"):
        build_scorer("value-head", str(tmp_path / "lm"))
    build_value_head_model(tmp_path / "rm", prefix="transformer")
    with pytest.raises(ValueError, match=r"weights of its backbone are not in the checkpoint.*--allow-new-head"):
        build_scorer("value-head", str(tmp_path / "rm"))  # the prefix is not the one transformers expects


def test_a_head_that_ignores_the_text_stops_the_run_with_examples(tmp_path: Path) -> None:
    built = build_value_head_model(tmp_path / "rm", prefix="model", bias=True)
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(tmp_path / "rm" / "model.safetensors"))
    tensors["v_head.weight"] = torch.zeros_like(built["layers"][0][0])  # only the bias is left: a constant reward
    save_file(tensors, str(tmp_path / "rm" / "model.safetensors"), metadata={"format": "pt"})
    scorer = build_scorer("value-head", str(tmp_path / "rm"), batch_size=16)
    with pytest.raises(ValueError, match=r"the same reward.*e\.g\. '.*' and '.*'"):
        scorer.score(examples(6))
