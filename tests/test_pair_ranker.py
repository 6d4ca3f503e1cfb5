"""`--scorer pair-ranker` on a tiny checkpoint in PairRM-hf's layout: both orders of every pair are read, each equal
to the comparison head applied by hand at the markers, combined by PairRM's logit rule, consistency counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import StatelessFake, random_word_pairs
from model_shapes import PAIRRM_MARKERS, build_pairrm_model
from rmeval.inference.pairwise import OrderedPair
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message

OPTIONS: dict[str, Any] = {"backbone_prefix": "pretrained_model", "head_activation": "tanh"}


@pytest.fixture(scope="module")
def pairrm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("pairrm")
    return path, build_pairrm_model(path)


def examples() -> list[Example]:
    texts = ["Paris is the capital of France.", "The answer is four.", "I cannot help with that request.",
             "def add(a, b): return a + b", "The quick brown fox jumps over the lazy dog."]
    return [Example("s", i, (Message("user", texts[i % 5]),), (texts[(i + 1) % 5] * (1 + i % 3),),
                    (texts[(i + 3) % 5],)) for i in range(6)]


def by_hand(built: dict[str, Any], tokenizer: Any, ids: tuple[int, ...]) -> float:
    """PairRM's forward pass written out: states at the three markers, the head on [source; answer] twice."""
    marks = [tokenizer.convert_tokens_to_ids(m) for m in PAIRRM_MARKERS]
    with torch.no_grad():
        h = built["encoder"](input_ids=torch.tensor([ids])).last_hidden_state[0]
        (w1, b1), (w2, b2) = built["head"]
        src, one, two = (h[ids.index(m)] for m in marks)
        left = w2 @ torch.tanh(w1 @ torch.cat([src, one]) + b1) + b2
        right = w2 @ torch.tanh(w1 @ torch.cat([src, two]) + b1) + b2
        return float((left - right).mean())


def test_both_orders_equal_the_hand_computation_and_combine_by_the_logit_rule(
        pairrm: tuple[Path, dict[str, Any]]) -> None:
    path, built = pairrm
    scorer = build_scorer("pair-ranker", str(path), **OPTIONS, batch_size=4)
    exs = examples()
    scored = scorer.score(exs)
    ranker = scorer.model
    for ex, s in zip(exs, scored, strict=True):
        c, r = ex.chosen[0], ex.rejected[0]
        [ab, ba] = ranker.encode([OrderedPair(ex.prompt, c, r), OrderedPair(ex.prompt, r, c)])
        l_ab, l_ba = by_hand(built, ranker.tokenizer, ab.ids), by_hand(built, ranker.tokenizer, ba.ids)
        assert s.details["pairwise"]["logits"] == [[None, pytest.approx(l_ab, abs=1e-4)],
                                                   [pytest.approx(l_ba, abs=1e-4), None]]
        assert s.chosen_scores[0] == pytest.approx((l_ab - l_ba) / 2, abs=1e-4)
        assert s.rejected_scores[0] == pytest.approx(-s.chosen_scores[0])
        assert s.details["counts"] == {"comparisons": 1, "inconsistent": int((l_ab > 0) == (l_ba > 0))}
    described = scorer.describe()
    assert described["kind"] == "pair-ranker" and described["combine"] == "logit"
    assert described["batching"]["ordered_pairs"] == 2 * len(exs)
    inconsistent = sum(s.details["counts"]["inconsistent"] for s in scored)
    assert described["order_consistency"] == pytest.approx(1 - inconsistent / len(exs))
    assert scorer.conventions()["pairwise"]["orders"].startswith("both")


def test_batching_does_not_change_a_preference(pairrm: tuple[Path, dict[str, Any]]) -> None:
    path, _ = pairrm
    one = build_scorer("pair-ranker", str(path), **OPTIONS, batch_size=1, max_tokens_per_batch=None)
    wide = build_scorer("pair-ranker", str(path), **OPTIONS, max_tokens_per_batch=100_000)
    a = [s.chosen_scores[0] for s in one.score(examples())]
    b = [s.chosen_scores[0] for s in wide.score(examples())]
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-4
    assert len(set(a)) == len(a)


def test_best_of_n_scores_each_answer_by_its_mean_preference(pairrm: tuple[Path, dict[str, Any]]) -> None:
    path, _ = pairrm
    scorer = build_scorer("pair-ranker", str(path), **OPTIONS)
    ex = Example("s", 0, (Message("user", "What is the capital of France?"),), ("Paris.",),
                 ("Berlin.", "I cannot help with that request.", "Lyon, probably."))
    [s] = scorer.score([ex])
    table = s.details["pairwise"]["logits"]
    prefs = [(table[0][j] - table[j][0]) / 2 for j in (1, 2, 3)]
    assert s.chosen_scores[0] == pytest.approx(sum(prefs) / 3, abs=1e-6)
    assert s.details["counts"]["comparisons"] == 6
    assert sum(s.chosen_scores) + sum(s.rejected_scores) == pytest.approx(0.0, abs=1e-6)


def test_a_checkpoint_without_the_comparison_head_is_refused(tmp_path: Path,
                                                             bert_classifier: Path) -> None:
    with pytest.raises(ValueError, match="holds no head 'head_layer'"):
        build_scorer("pair-ranker", str(bert_classifier))


class KnownPairError(StatelessFake):
    """A fake pairwise model: each ordered pair's exact log-odds is given; under autocast it is off by a known
    error (the pass has no weights to cast, so it runs autocast)."""

    def __init__(self, exact: dict[OrderedPair, float], error: dict[OrderedPair, float]) -> None:
        self.exact, self.error, self.order = exact, error, list(exact)

    def encode(self, pairs: Any) -> list[Any]:
        from rmeval.inference.encoding import EncodedText

        return [EncodedText((self.order.index(p),), False) for p in pairs]

    def preferences(self, batch: Any) -> list[float]:
        pairs = [self.order[e.ids[0]] for e in batch]
        off = torch.is_autocast_enabled("cpu")
        return [self.exact[p] + (self.error[p] if off else 0.0) for p in pairs]


def test_fast_exact_rescores_exactly_the_pairs_whose_combined_preference_is_close() -> None:
    import random

    from rmeval.benchmarks import custom_benchmark
    from rmeval.inference.batching import batching_for
    from rmeval.inference.pairwise import PairwiseScorer
    from rmeval.inference.precision import FastExact

    rng = random.Random(0)
    exs, exact, error = [], {}, {}
    for i in range(300):
        ex = Example("s", i, (Message("user", f"q{i}"),), (f"c{i}",), (f"r{i}",))
        for a, b in ((f"c{i}", f"r{i}"), (f"r{i}", f"c{i}")):
            exact[OrderedPair(ex.prompt, a, b)] = rng.uniform(-0.5, 0.5)
            error[OrderedPair(ex.prompt, a, b)] = rng.uniform(-0.01, 0.01)
        exs.append(ex)
    plan = FastExact("cpu")
    scorer = PairwiseScorer(KnownPairError(exact, error), batching_for(None, 16, "cpu"), "logit", fast_exact=plan)
    scorer.prepare(custom_benchmark())
    scored = scorer.score(exs)
    found = plan.found
    assert found["mode"] == "fast-exact" and found["fast_pass"] == "bf16 autocast"
    rescored = 0
    for ex, s in zip(exs, scored, strict=True):
        ab = OrderedPair(ex.prompt, ex.chosen[0], ex.rejected[0])
        ba = OrderedPair(ex.prompt, ex.rejected[0], ex.chosen[0])
        true = (exact[ab] - exact[ba]) / 2
        fast = (exact[ab] + error[ab] - (exact[ba] + error[ba])) / 2
        assert (s.chosen_scores[0] > 0) == (true > 0)  # every decision is fp32's
        if abs(2 * fast) <= found["threshold"]:  # a close call: the gap (chosen minus rejected) is twice it
            rescored += 1
            assert s.chosen_scores[0] == pytest.approx(true, abs=1e-12)
        else:
            assert s.chosen_scores[0] == pytest.approx(fast, abs=1e-12)
    assert found["rescored_examples"] == rescored and 0 < rescored < len(exs)


@pytest.mark.usefixtures("rescore_however_close")
def test_fast_exact_on_a_real_encoder_decides_as_fp32(pairrm: tuple[Path, dict[str, Any]]) -> None:
    path, _ = pairrm
    exs = random_word_pairs(300, 12)
    runs = {}
    for precision in ("fp32", "fast-exact"):
        scorer = build_scorer("pair-ranker", str(path), **OPTIONS, precision=precision, use_score_cache=False)
        with scorer:
            runs[precision] = (scorer.score(exs), scorer.describe()["precision"])
    (exact, _), (fast, found) = runs["fp32"], runs["fast-exact"]
    assert found["mode"] == "fast-exact" and found["fast_pass"] == "bf16 weights"  # the encoder's weights cast
    assert [e.chosen_scores[0] > e.rejected_scores[0] for e in exact] == \
        [f.chosen_scores[0] > f.rejected_scores[0] for f in fast]
