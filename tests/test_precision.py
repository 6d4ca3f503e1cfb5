"""`--precision fast-exact`: every answer scored in bf16 (the weights cast on a CPU), the close calls again in fp32,
so every decision and metric is fp32's. Tiny models built here (one constructed so that bf16 flips decisions), a
fake model whose bf16 error is known (the re-scored set is exactly the close calls), and real RewardBench v1 rows
end to end."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import REAL_DATA, StatelessFake, build_llama_causal_lm, build_llama_classifier
from rmeval.benchmarks import custom_benchmark, get_benchmark
from rmeval.cli import main
from rmeval.inference.batching import batching_for
from rmeval.inference.calibration import DEFAULT_SAFETY, calibration_sample, close_calls
from rmeval.inference.fast_pass import FastPass, active_fast_pass, join_fast_pass
from rmeval.inference.pointwise import PointwiseScorer
from rmeval.inference.precision import FastExact, resolve_precision
from rmeval.scorers import build_scorer
from rmeval.scorers.classifier import ClassifierOptions
from rmeval.types import Candidate, Example, Message, Scored

WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "ran", "far", "near", "blue", "red", "big", "small"]


def similar_pairs(n: int, seed: int = 0) -> list[Example]:
    """Short answers of the same words: a random model gives them rewards close together, so bf16 flips some."""
    rng = random.Random(seed)
    return [Example("s", i, (Message("user", " ".join(rng.choices(WORDS, k=5))),),
                    (" ".join(rng.choices(WORDS, k=8)),), (" ".join(rng.choices(WORDS, k=8)),)) for i in range(n)]


def decisions(scored: Sequence[Scored]) -> list[int]:
    return [(s.chosen_scores[0] > s.rejected_scores[0]) - (s.chosen_scores[0] < s.rejected_scores[0]) for s in scored]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_classifier(tmp_path_factory.mktemp("rm"))


def score(model: Path, examples: list[Example], precision: str, **options: Any) -> tuple[list[Scored], Any]:
    scorer = build_scorer("classifier", str(model), precision=precision, use_score_cache=False, **options)
    with scorer:
        scorer.prepare(custom_benchmark())
        return scorer.score(examples), scorer.describe()


@pytest.mark.usefixtures("rescore_however_close")
def test_bf16_flips_decisions_and_fast_exact_restores_every_fp32_one(classifier: Path) -> None:
    exs = similar_pairs(300)
    exact, _ = score(classifier, exs, "fp32", batch_size=1)
    plain = build_scorer("classifier", str(classifier), precision="fp32", use_score_cache=False, batch_size=1)
    with plain, torch.autocast("cpu", dtype=torch.bfloat16):  # the fast pass alone
        fast = plain.score(exs)
    flipped = [i for i, (a, b) in enumerate(zip(decisions(exact), decisions(fast), strict=True)) if a != b]
    assert flipped, "the construction must make bf16 flip decisions"
    restored, described = score(classifier, exs, "fast-exact", batch_size=1)
    assert decisions(restored) == decisions(exact)
    found = described["precision"]
    assert found["mode"] == "fast-exact" and found["fast_pass"] == "bf16 weights" and found["max_margin_error"] > 0
    assert found["threshold"] == pytest.approx(found["safety"] * found["max_margin_error"])
    assert 0 < found["rescored_examples"] < len(exs) and described["dtype"] == "float32"
    for i in flipped:  # a flipped pair is a close call: its recorded scores are the fp32 ones, to the last bit
        assert restored[i].chosen_scores == exact[i].chosen_scores
        assert restored[i].rejected_scores == exact[i].rejected_scores


def test_a_run_whose_calibration_sample_is_mostly_close_calls_goes_on_in_fp32(classifier: Path) -> None:
    exs = similar_pairs(300)  # the tiny random model's rewards: most pairs within bf16's error
    exact, _ = score(classifier, exs, "fp32", batch_size=1)
    found_scores, described = score(classifier, exs, "fast-exact", batch_size=1)
    found = described["precision"]
    assert found["mode"] == "fp32" and found["sample_close_share"] > 0.5 and "close calls hold" in found["why"]
    assert found["threshold"] == pytest.approx(found["safety"] * found["max_margin_error"])
    # every answer in fp32 (the sample's from the calibration, the rest after it), one at a time as in the fp32 run
    assert [(s.chosen_scores, s.rejected_scores) for s in found_scores] == \
        [(s.chosen_scores, s.rejected_scores) for s in exact]
    # the main pass reads every answer once: the sample's in bf16 (to calibrate), every other one in fp32
    assert described["batching"]["forward_batches"] == 600


class KnownError(StatelessFake):
    """A fake pointwise model: each text's exact reward is given; under autocast it is off by a known error."""

    def __init__(self, exact: dict[str, float], error: dict[str, float]) -> None:
        self.exact, self.error = exact, error
        self.exact_calls: list[str] = []

    def encode(self, candidates: Sequence[Candidate]) -> list[Any]:
        from rmeval.inference.encoding import EncodedText

        return [EncodedText((sorted(self.exact).index(c.response),), False) for c in candidates]

    def rewards(self, batch: Sequence[Any]) -> list[float]:
        texts = [sorted(self.exact)[e.ids[0]] for e in batch]
        if torch.is_autocast_enabled("cpu"):
            return [self.exact[t] + self.error[t] for t in texts]
        self.exact_calls += texts
        return [self.exact[t] for t in texts]


def test_the_rescored_set_is_exactly_the_close_calls() -> None:
    rng = random.Random(1)
    exs, exact, error = [], {}, {}
    for i in range(400):
        c, r = f"c{i}", f"r{i}"
        exact[c], exact[r] = rng.uniform(-1, 1), rng.uniform(-1, 1)
        error[c], error[r] = rng.uniform(-0.004, 0.004), rng.uniform(-0.004, 0.004)
        exs.append(Example("s", i, (Message("user", "q"),), (c,), (r,)))
    model = KnownError(exact, error)
    plan = FastExact("cpu")
    scorer = PointwiseScorer(model, batching_for(None, 16, "cpu"), None, None, plan)
    scorer.prepare(custom_benchmark())
    scored = scorer.score(exs)
    first_seen = [t for ex in exs for t in ex.candidates]  # the order the scorer numbers distinct encodings
    sampled, slots = calibration_sample([[2 * i, 2 * i + 1] for i in range(len(exs))], len(first_seen), 0)
    sample = {first_seen[i] for i in slots}
    assert sample == {t for i in sampled for t in exs[i].candidates}  # whole examples
    worst = max(abs(error[exs[i].chosen[0]] - error[exs[i].rejected[0]]) for i in sampled)  # a margin's error
    threshold = DEFAULT_SAFETY * worst
    close = [i for i, ex in enumerate(exs) if abs(exact[ex.chosen[0]] + error[ex.chosen[0]]
                                                  - exact[ex.rejected[0]] - error[ex.rejected[0]]) <= threshold]
    found = plan.found
    assert found["max_margin_error"] == pytest.approx(worst) and found["threshold"] == pytest.approx(threshold)
    assert found["fast_pass"] == "bf16 autocast"  # a model that holds no torch module has no weights to cast
    assert found["rescored_examples"] == len(close) > 0
    close_texts = {t for i in close for t in exs[i].candidates}
    assert set(model.exact_calls) == sample | close_texts  # nothing else is scored twice
    assert found["rescored_candidates"] == len(close_texts)
    for i, (ex, s) in enumerate(zip(exs, scored, strict=True)):
        c, r = ex.chosen[0], ex.rejected[0]
        if i in close:
            assert (s.chosen_scores[0], s.rejected_scores[0]) == (exact[c], exact[r])
        else:
            assert s.chosen_scores[0] == exact[c] + error[c]
        assert decisions([s]) == [(exact[c] > exact[r]) - (exact[c] < exact[r])]


def test_a_tail_the_calibration_missed_widens_the_threshold_through_the_rescored() -> None:
    rng = random.Random(2)
    n = 400
    sampled, _ = calibration_sample([[2 * i, 2 * i + 1] for i in range(n)], 2 * n, 0)
    outside = [i for i in range(n) if i not in sampled]
    seen_tail, hidden_tail = outside[:5], outside[5:10]  # bf16 errors 15x any the sample holds
    exs, exact, error = [], {}, {}
    for i in range(n):
        c, r = f"c{i}", f"r{i}"
        exact[c], exact[r] = rng.uniform(-1, 1), rng.uniform(-1, 1)
        error[c], error[r] = rng.uniform(-0.001, 0.001), 0.0
        if i in seen_tail:  # a close call in bf16 (margin 0.001), so re-scored: its error of 0.03 shows
            exact[r], error[c] = exact[c] + 0.029, 0.03
        if i in hidden_tail:  # bf16 margin 0.02: beyond the sample's threshold, and its decision is flipped
            exact[r], error[c] = exact[c] + 0.02, 0.04
        exs.append(Example("s", i, (Message("user", "q"),), (c,), (r,)))
    plan = FastExact("cpu")
    scorer = PointwiseScorer(KnownError(exact, error), batching_for(None, 16, "cpu"), None, None, plan)
    scorer.prepare(custom_benchmark())
    scored = scorer.score(exs)
    found = plan.found
    assert found["calibration_threshold"] < 0.005 and found["widened"] >= 1
    assert found["max_rescored_error"] == pytest.approx(0.04) and found["threshold"] > 0.04
    for i in hidden_tail:  # without the widening these would keep bf16's (wrong) decision
        assert scored[i].chosen_scores[0] < scored[i].rejected_scores[0]
        assert scored[i].chosen_scores == (exact[exs[i].chosen[0]],)
    truth = [(exact[e.chosen[0]], exact[e.rejected[0]]) for e in exs]
    assert decisions(scored) == [(c > r) - (c < r) for c, r in truth]


def test_the_cpu_fast_pass_casts_the_weights_and_puts_them_back_bit_for_bit(classifier: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(classifier)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    late = torch.nn.Linear(4, 4)

    class Holder:  # the pass finds torch modules through the attributes of rmeval's wrappers
        __module__ = "rmeval.scorers.test_holder"

        def __init__(self) -> None:
            self.inner = model

    with FastPass("cpu", Holder()) as fast_pass:
        assert fast_pass.kind == "bf16 weights" and active_fast_pass() == "bf16 weights"
        assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
        join_fast_pass(late)  # a model loaded during the pass (a reference on first use) is computed in bf16 too
        assert late.weight.dtype == torch.bfloat16
    assert active_fast_pass() == "" and late.weight.dtype == torch.float32
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) and before[k].dtype == after[k].dtype for k in before)


def test_a_reference_cache_keeps_bf16_pass_numbers_apart_from_fp32_ones(tmp_path: Path) -> None:
    from rmeval.inference.logprobs import EncodedResponse
    from rmeval.inference.refcache import ReferenceCache

    cache = ReferenceCache(tmp_path / "ref.sqlite", {"model": "m"})
    item = EncodedResponse((1, 2, 3), 1, False)
    plain = cache.key(item)
    with FastPass("cpu", object()):  # nothing to cast: autocast
        assert cache.key(item) != plain
    assert cache.key(item) == plain
    cache.close()


def test_a_run_too_small_to_calibrate_is_scored_in_fp32_alone(classifier: Path) -> None:
    exs = similar_pairs(100)  # 200 answers: the calibration sample alone would be most of them
    exact, _ = score(classifier, exs, "fp32", batch_size=1)
    small, described = score(classifier, exs, "fast-exact", batch_size=1)
    assert described["precision"]["mode"] == "fp32" and "fewer than 512" in described["precision"]["why"]
    assert [s.chosen_scores for s in small] == [s.chosen_scores for s in exact]


def test_close_calls_follow_what_decides_each_rule() -> None:
    spec = get_benchmark("rewardbench2")
    subsets = ["Factuality", "Ties"]
    # best-of-4: only the chosen answer against the best rejected one decides; Ties is always re-scored.
    chosen = [[1.0], [5.0]]
    rejected = [[0.95, 0.2, 0.21], [1.0, 2.0, 3.0]]
    assert close_calls(spec, subsets, chosen, rejected, 0.1) == [0, 1]
    assert close_calls(spec, subsets, [[1.0], [5.0]], [[0.5, 0.51, 0.2], [1.0, 2.0, 3.0]], 0.1) == [1]
    nan = [[math.nan], [5.0]]
    assert close_calls(spec, ["Factuality", "Factuality"], nan, [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], 0.1) == [0]


def test_auto_is_fast_exact_only_on_a_bf16_gpu_and_when_nothing_else_decides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a CPU fast-exact gained less than 1.5x over fp32 in the recorded benchmark, so `auto` is --dtype there
    (fp32), whatever bf16 support the CPU has; on a CUDA GPU with bf16 it is fast-exact."""
    import rmeval.inference.precision as precision

    assert max(precision.AUTO_ON_CPU_SPEEDUP.values()) < 1.5
    for native in (True, False):
        monkeypatch.setattr(precision, "native_bf16", lambda device, native=native: native)
        options, fast = resolve_precision(ClassifierOptions(), "cpu")
        assert (fast, options.dtype) == (False, "auto")
        options, fast = resolve_precision(ClassifierOptions(), "cuda")
        assert (fast, options.dtype) == ((True, "float32") if native else (False, "auto"))
        options, fast = resolve_precision(ClassifierOptions(dtype="bfloat16"), "cuda")
        assert (fast, options.dtype) == (False, "bfloat16")
        assert resolve_precision(ClassifierOptions(precision="bf16"), "cpu")[0].dtype == "bfloat16"
        assert resolve_precision(ClassifierOptions(precision="fp32"), "cpu") == (
            ClassifierOptions(precision="fp32", dtype="float32"), False)
        assert resolve_precision(ClassifierOptions(precision="fast-exact"), "cpu") == (
            ClassifierOptions(precision="fast-exact", dtype="float32"), True)
    with pytest.raises(ValueError, match="--precision fp32 loads the weights in float32, not --dtype bfloat16"):
        ClassifierOptions(precision="fp32", dtype="bfloat16")
    with pytest.raises(ValueError, match="does not apply to weights quantized"):
        ClassifierOptions(precision="fast-exact", quantization="8bit")


def test_a_precision_that_contradicts_the_dtype_stops_in_one_line(classifier: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--model", str(classifier), "--precision", "fp32", "--dtype", "bfloat16"]) == 2
    err = capsys.readouterr().err
    assert "--precision fp32 loads the weights in float32, not --dtype bfloat16" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def run(tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    out = tmp_path / name
    assert main(["run", "--no-progress", "--data", str(REAL_DATA), "--limit", "14", "--no-score-cache",
                 "--output-dir", str(out), *args]) == 0
    result: dict[str, Any] = json.loads((out / "result.json").read_text())
    result["samples"] = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    return result


def same_decisions(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["metrics"] == b["metrics"]  # accuracies, sections, score, intervals, ties, counts
    assert [s["correct"] for s in a["samples"]] == [s["correct"] for s in b["samples"]]


@pytest.mark.slow
@pytest.mark.skipif(not REAL_DATA.is_file(), reason="the RewardBench v1 file is not in ../shared/data")
@pytest.mark.parametrize("kind", ["classifier", "implicit"])
@pytest.mark.usefixtures("rescore_however_close")
def test_fast_exact_metrics_equal_fp32_on_real_rows(tmp_path: Path, kind: str) -> None:
    if kind == "classifier":
        args = ["--model", str(build_llama_classifier(tmp_path / "rm"))]
    else:  # a log-probability ratio: its own error scale, measured the same way
        args = ["--scorer", "implicit", "--model", str(build_llama_causal_lm(tmp_path / "lm")),
                "--ref-model", str(build_llama_causal_lm(tmp_path / "ref", seed=1)), "--no-ref-cache"]
    args += ["--max-length", "512", "--allow-longer"]  # real texts, whole; the tiny models' rope takes any length
    exact = run(tmp_path, "fp32", *args, "--precision", "fp32")
    fast = run(tmp_path, "fast", *args, "--precision", "fast-exact")
    assert len(exact["samples"]) > 300
    same_decisions(fast, exact)
    found = fast["spec"]["scorer"]["precision"]
    assert found["mode"] == "fast-exact" and 0 < found["share_rescored"] < 1
    assert exact["spec"]["scorer"]["precision"] == {"mode": "one dtype"}
    assert fast["spec"]["scorer"]["options"]["precision"] == "fast-exact"
