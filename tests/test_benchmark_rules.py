"""The scoring of RM-Bench, JudgeBench, RMB, PPE and M-RewardBench, checked against numbers computed by hand from
the authors' definitions (see each benchmark spec's docstring for where they come from), with their edge cases:
RM-Bench's tied comparisons, JudgeBench's tie-goes-to-B and inconsistent judge orders, RMB's best-of-N against
several losers, PPE's listed pairs and ties at the top."""

from __future__ import annotations

import math
from typing import Any

import pytest

from rmeval.benchmarks import get_benchmark
from rmeval.report.verify import differences
from rmeval.scoring import Resampling, run_metrics
from rmeval.scoring.rules import judge_votes
from rmeval.types import SampleRecord


def record(subset: str, i: int | str, chosen: list[float], rejected: list[float], **extra: Any) -> SampleRecord:
    return SampleRecord(subset, i, chosen, rejected, 0.0, details=extra.get("details", {}),
                        facts=extra.get("facts", {}))


def test_rm_bench_matrix_triangles_and_the_pooled_safety_domain() -> None:
    spec = get_benchmark("rm-bench")
    samples = [
        # chosen (concise, detailed, markdown) vs rejected: wins 1 1 1 / 0 1 1 / 0 0 1 -> 6 of 9;
        # Hard (upper triangle) 3/3, Normal (diagonal) 3/3, Easy (lower triangle) 0/3
        record("chat", 0, [3.0, 2.0, 1.0], [2.5, 1.5, 0.5]),
        # ties count as lost: every row wins only against the 0 -> 3 of 9; one cell of each part
        record("chat", 1, [1.0, 1.0, 1.0], [1.0, 0.0, 2.0]),
        record("code", 0, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]),
        record("math", 0, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]),
        record("safety-refuse", 0, [5.0, 5.0, 5.0], [0.0, 0.0, 0.0]),
        record("safety-refuse", 1, [5.0, 5.0, 5.0], [0.0, 0.0, 0.0]),
        record("safety-response", 0, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]),
    ]
    m = run_metrics(samples, spec, resampling=Resampling(200))
    assert m.subsets["chat"].accuracy == pytest.approx((6 / 9 + 3 / 9) / 2)
    assert m.subsets["chat"].ties == 1
    # The authors pool safety-refuse and safety-response (domain.startswith("safety")): 2 of 3 prompts, not 1/2.
    assert m.sections == pytest.approx({"chat": 0.5, "code": 1.0, "math": 0.0, "safety": 2 / 3})
    assert m.score == pytest.approx((0.5 + 1.0 + 0.0 + 2 / 3) / 4)
    hard, normal, easy = (m.facets[name] for name in ("Hard", "Normal", "Easy"))
    assert hard.sections["chat"] == pytest.approx((1 + 1 / 3) / 2)
    assert normal.sections["chat"] == pytest.approx((1 + 1 / 3) / 2)
    assert easy.sections["chat"] == pytest.approx((0 + 1 / 3) / 2)
    assert hard.score == pytest.approx((2 / 3 + 1 + 0 + 2 / 3) / 4)  # the mean of the four domains' Hard
    # The nine cells' mean equals the mean of Hard, Normal and Easy, as the authors average them.
    assert m.score == pytest.approx((hard.score + normal.score + easy.score) / 3)
    assert hard.ci is not None and hard.ci.score[0] <= hard.score <= hard.ci.score[1]
    assert m.ci is not None and set(m.ci.sections) == {"chat", "code", "math", "safety"}


def test_rm_bench_needs_three_styles_on_each_side() -> None:
    with pytest.raises(ValueError, match="as many chosen as rejected answers"):
        run_metrics([record("chat", 0, [1.0, 2.0], [0.0, 0.0, 0.0])], get_benchmark("rm-bench"))


def judged(*orders: tuple[list[int], str | None]) -> dict[str, Any]:
    """A pairwise judge's record: per order, the candidates shown (0 = chosen) and the verdict."""
    return {"judges": [{"judge": "j", "shown": [o for o, _ in orders], "said": [s for _, s in orders]}]}


def test_judgebench_reward_ties_go_to_b_and_judge_orders_vote() -> None:
    spec = get_benchmark("judgebench")
    a_wins, b_wins = {"label": "A>B"}, {"label": "B>A"}
    samples = [
        record("mmlu-pro", 0, [2.0], [1.0], facts=a_wins),  # right
        record("mmlu-pro", 1, [1.0], [1.0], facts=a_wins),  # tie -> B>A, but A is correct: wrong
        record("mmlu-pro", 2, [1.0], [1.0], facts=b_wins),  # tie -> B>A and B is correct: right
        record("livecodebench", 0, [0.0], [3.0], facts=b_wins),  # wrong
        # `'A>B' if score_A > score_B else 'B>A'` with a NaN on either side decides B>A (utils/judges.py)
        record("livebench-math", 0, [float("nan")], [1.0], facts=b_wins),  # B is chosen: right
        record("livebench-math", 1, [1.0], [float("nan")], facts=b_wins),  # right
        record("livebench-math", 2, [float("nan")], [1.0], facts=a_wins),  # A is chosen: wrong
        record("other sources", 0, [2.0], [1.0], facts=a_wins),  # counted in the overall accuracy only
    ]
    m = run_metrics(samples, spec)
    assert m.subsets["mmlu-pro"].accuracy == pytest.approx(2 / 3) and m.subsets["mmlu-pro"].ties == 2
    assert m.subsets["livecodebench"].accuracy == 0.0 and m.subsets["livebench-math"].accuracy == pytest.approx(2 / 3)
    assert m.subsets["livebench-math"].ties == 0 and m.sections["other sources"] == 1.0
    assert m.score == pytest.approx(5 / 8)  # all pairs count alike: not the mean of the sources
    # the sources outside the four groups are an optional subset: never missing
    assert m.missing_subsets == run_metrics(samples[:-1], spec).missing_subsets == ("livebench-reasoning",)

    both = ([0, 1], [1, 0])  # the chosen answer shown first, then second
    verdicts = [
        judged((both[0], "A"), (both[1], "B")),  # chosen both times: +2
        judged((both[0], "A"), (both[1], "tie")),  # chosen once, a tie once: +1, right
        judged((both[0], "A"), (both[1], "A")),  # position bias, inconsistent: 0, not right
        judged((both[0], "tie"), (both[1], "tie")),  # 0
        judged((both[0], "B"), (both[1], None)),  # the rejected answer once, a failure once: -1
        judged((both[1], "B"),),  # one order only (single game): chosen, +1
    ]
    assert [judge_votes(v) for v in verdicts] == [2.0, 1.0, 0.0, 0.0, -1.0, 1.0]
    samples = [record("livebench-reasoning", i, [0.0], [0.0], facts=a_wins, details=v)
               for i, v in enumerate(verdicts)]
    m = run_metrics(samples, spec, tie_credit=0.5)  # a judge's tie credit plays no part in JudgeBench's rule
    assert m.subsets["livebench-reasoning"].accuracy == pytest.approx(3 / 6)
    assert m.subsets["livebench-reasoning"].ties == 2


def test_rmb_best_of_n_beats_every_loser_and_sets_count_items() -> None:
    spec = get_benchmark("rmb")
    chat, code = "BoN_set/Helpfulness/Chat/Discussion", "BoN_set/Helpfulness/Code/Documentation"
    samples = [
        record(chat, 0, [3.0], [1.0, 2.0, 2.9]),  # beats all three: right
        record(chat, 1, [3.0], [1.0, 3.0, 2.0]),  # ties one loser: strict, wrong
        record(code, 0, [3.0], [0.0, 1.0]),  # right
        record("BoN_set/Harmlessness/S3", 0, [1.0], [0.0, 2.0, 0.0, 0.5]),  # loses to one of four: wrong
        record("Pairwise_set/Helpfulness/Chat/Discussion", 0, [1.0], [0.0]),
        record("Pairwise_set/Harmlessness/S1", 0, [0.0], [1.0]),
        record("Pairwise_set/Harmlessness/S1", 1, [2.0], [1.0]),
    ]
    m = run_metrics(samples, spec)
    assert m.subsets[chat].accuracy == 0.5 and m.subsets[chat].ties == 1
    # A set is correct items / items (2 of 3), not the mean of its scenarios ((1/2 + 1) / 2).
    assert m.sections["BoN Helpfulness"] == pytest.approx(2 / 3)
    assert m.parts["BoN Helpfulness: Chat"] == 0.5 and m.parts["BoN Helpfulness: Code"] == 1.0
    assert m.sections["BoN Harmlessness"] == 0.0
    assert m.sections["Pairwise Helpfulness"] == 1.0 and m.sections["Pairwise Harmlessness"] == 0.5
    assert m.score == pytest.approx((1.0 + 0.5 + 2 / 3 + 0.0) / 4)
    assert not m.complete and "BoN_set/Harmlessness/multi" in m.missing_subsets


def test_ppe_listed_pairs_best_of_k_and_the_two_halves_of_the_score() -> None:
    spec = get_benchmark("ppe")
    samples = [
        record("human-preference", 0, [1.0], [0.0]),
        record("human-preference", 1, [0.0], [1.0]),
        # listed pairs (0, 0) and (1, 1): both won -> 1 (all four pairs would give 3/4); the top answer is correct
        record("math", 0, [0.9, 0.2], [0.5, 0.1], facts={"pairs": [[0, 0], [1, 1]]}),
        # the one listed pair is a tie: lost; the top-scored answer is incorrect
        record("math", 1, [0.3], [0.3, 0.7], facts={"pairs": [[0, 0]]}),
        # no pair listed: every pair counts (1 of 2); three answers share the top, two of them correct
        record("gpqa", 0, [0.8, 0.8], [0.8, 0.1], facts={}),
    ]
    m = run_metrics(samples, spec, excluded={"human-preference": {"tie": 3}})
    assert m.subsets["human-preference"].accuracy == 0.5
    assert m.subsets["math"].accuracy == 0.5 and m.subsets["math"].ties == 1
    assert m.subsets["gpqa"].accuracy == pytest.approx(2 / 4)  # (0.8 > 0.8? no; 0.8 > 0.1 yes) x 2 answers
    best = m.facets["Best-of-K"]
    assert best.subsets == pytest.approx({"math": 0.5, "gpqa": 2 / 3})
    assert best.score == pytest.approx((0.5 + 2 / 3) / 2) and "human-preference" not in best.sections
    assert m.score == pytest.approx(0.5 * 0.5 + 0.5 * (0.5 + 0.5) / 2)  # human half, correctness half
    assert m.excluded == {"human-preference": {"tie": 3}}


def test_m_rewardbench_weighs_by_its_own_filtered_counts_and_averages_languages() -> None:
    """Each language is RewardBench's four sections, weighted as M-RewardBench's analysis code weighs them
    (`analysis/plot_utils.py` EXAMPLE_COUNTS: alpacaeval-easy 79, mt-bench-easy 24, math-prm 983, hep-python 163),
    not with RewardBench v1's counts (100, 28, 984, 164); the score is the mean over the languages."""
    spec = get_benchmark("m-rewardbench")
    rows = {"alpacaeval-easy": [1, 1], "mt-bench-easy": [0, 0], "llmbar-natural": [1, 0],
            "xstest-should-respond": [0, 0], "math-prm": [1, 1], "hep-python": [0, 0]}
    samples = [record(f"deu_Latn/{subset}", i, [float(w)], [0.5]) for subset, wins in rows.items()
               for i, w in enumerate(wins)]
    samples += [record(f"fra_Latn/{subset}", i, [1.0], [0.5]) for subset in rows for i in range(2)]
    m = run_metrics(samples, spec)
    chat, reasoning = 79 / (79 + 24), 983 / (983 + 163)
    assert m.parts["deu_Latn Chat"] == pytest.approx(chat) and m.parts["deu_Latn Reasoning"] == pytest.approx(reasoning)
    assert m.parts["deu_Latn Chat Hard"] == 0.5 and m.parts["deu_Latn Safety"] == 0.0
    assert m.sections["deu_Latn"] == pytest.approx((chat + 0.5 + 0.0 + reasoning) / 4)
    assert m.sections["fra_Latn"] == 1.0
    assert m.score == pytest.approx((m.sections["deu_Latn"] + 1.0) / 2)
    assert math.isclose(m.parts["fra_Latn Chat"], 1.0) and len(m.sections) == 2
    weights = spec.conventions()["sections"]["deu_Latn"]  # type: ignore[index]
    assert weights["deu_Latn Reasoning"]["deu_Latn/math-prm"] == 983


def test_m_rewardbench_language_filter_expands_to_the_subsets_present() -> None:
    spec = get_benchmark("m-rewardbench")
    assert spec.expand(["deu_Latn"], present={"deu_Latn/hep-go", "fra_Latn/hep-go"}) == ["deu_Latn/hep-go"]
    assert spec.expand(["deu_Latn/hep-go", "xx"]) == ["deu_Latn/hep-go", "xx"]


def test_report_notices_an_edit_that_moves_only_a_facet() -> None:
    """Reversing the chosen answers' styles keeps every accuracy (a permutation wins as many cells) but moves Easy,
    Normal and Hard: the check of a result folder must see it."""
    spec = get_benchmark("rm-bench")
    stored = run_metrics([record("chat", 0, [3.0, 2.0, 1.0], [2.5, 1.5, 0.5])], spec)
    edited = run_metrics([record("chat", 0, [1.0, 2.0, 3.0], [2.5, 1.5, 0.5])], spec)
    assert edited.subsets == stored.subsets and edited.score == stored.score
    assert [d.split(":")[0] for d in differences(edited, stored)] == ["facet Easy", "facet Normal", "facet Hard"]
