"""Judge templates (shipped and user files), the seeded order and its undoing, and the verdict parsers."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmeval.engines.wrapper import Answer
from rmeval.scorers.judge import (
    MODES,
    builtin_template,
    load_template,
    parse_label,
    parse_pairwise,
    presentations,
    resolve_templates,
)
from rmeval.scorers.judge.formats import rmeval_format
from rmeval.scorers.judge.reading import Reading, read
from rmeval.scorers.judge.verdicts import choice_verdict
from rmeval.types import Message

# A pair prompt in the style of MT-Bench's (written for this test): {question}, a system part, a tie verdict.
PAIR_STYLE = """### system
Compare the two answers. Output [[A]], [[B]] or [[C]] for a tie.
### user
[Question]
{question}
[Assistant A]
{answer_a}
[Assistant B]
{answer_b}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_templates_cover_every_mode_and_render() -> None:
    prompt = (Message("user", "What is 2+2?"),)
    for mode, answers in zip(MODES[:3], (["4", "5"], ["4"], ["4", "5", "22", "four"]), strict=True):
        template = builtin_template(mode)
        assert template.mode == mode and template.source == f"builtin:{mode}"
        system, user = template.render(prompt, answers)
        assert system.role == "system" and "[User]\nWhat is 2+2?" in user.content
        assert "{" not in system.content + user.content  # every placeholder filled
    ranking = builtin_template("ranking").render(prompt, ["w", "x", "y", "z"])
    assert "(A, B, C or D)" in ranking[1].content and "[[A]], [[B]], [[C]] or [[D]]" in ranking[0].content


def test_user_template_in_mt_bench_style(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, "pair.txt", PAIR_STYLE))
    assert template.mode == "pairwise" and template.source.startswith(f"file:{tmp_path / 'pair.txt'} (sha256 ")
    prompt = (Message("user", "Earlier"), Message("assistant", "Reply"), Message("user", "Last question"))
    system, user = template.render(prompt, ["first", "second {answer_b}"])
    assert system.content.startswith("Compare the two answers.")
    assert user.content == "[Question]\nLast question\n[Assistant A]\nfirst\n[Assistant B]\nsecond {answer_b}"
    chosen = resolve_templates([template_path := tmp_path / "pair.txt"])
    assert chosen["pairwise"].source.startswith(f"file:{template_path}") and chosen["rating"].source == "builtin:rating"


def test_a_file_without_sections_is_one_user_message(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, "rate.txt", "Rate {answer} to:\n{conversation}\nEnd with [[N]]."))
    assert template.mode == "rating"
    assert template.render((Message("user", "Hi"),), ["Hello"]) == (
        Message("user", "Rate Hello to:\n[User]\nHi\nEnd with [[N]]."),)


@pytest.mark.parametrize(("text", "error"), [
    ("Judge {answer_a} against {answer_b}.", "never sees the conversation"),
    ("{conversation} {answer_a} only", r"needs \{answer_b\}"),
    ("{conversation} {answer} or {answers}", "cannot tell the judge mode"),
    ("{conversation} nothing to judge", "cannot tell the judge mode"),
    ("{question} {answer} {reference}", r"unknown placeholders \['reference'\]"),
    ("preamble\n### user\n{question} {answer}", "text before the first"),
    ("### system\nBe fair {question} {answer}\n### user\n", "no '### user' section"),
])
def test_bad_templates_are_clear_errors(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(ValueError, match=error) as info:
        load_template(path)
    assert str(path) in str(info.value)


def test_one_template_per_mode(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.txt", PAIR_STYLE), write(tmp_path, "b.txt", PAIR_STYLE)
    with pytest.raises(ValueError, match="two pairwise templates"):
        resolve_templates([a, b])
    with pytest.raises(FileNotFoundError, match="no such file"):
        resolve_templates([tmp_path / "missing.txt"])


def test_seeded_order_round_trips_for_any_size_and_key() -> None:
    """A judge that always names the position of answer 0 must be read as picking answer 0, whatever the order."""
    for n in (2, 3, 4, 6):
        for i in range(50):
            key = ("subset", str(i))
            orders = presentations("both", n, seed=7, key=key)
            assert orders[1] == orders[0][::-1] and sorted(orders[0]) == list(range(n))
            readings = [Reading(shown.index(0)) for shown in orders]
            verdict = choice_verdict(n, orders, readings)
            assert verdict.votes == tuple(float(c == 0) for c in range(n)) and not verdict.inconsistent
    swaps = [presentations("seeded", 2, 0, ("s", str(i)))[0] == (1, 0) for i in range(400)]
    assert 150 < sum(swaps) < 250
    assert presentations("seeded", 2, 0, ("s", "1")) == presentations("seeded", 2, 0, ("s", "1"))


def test_reading_an_answer_maps_labels_ratings_and_failures() -> None:
    fmt = {mode: rmeval_format(builtin_template(mode)) for mode in MODES}

    def value(mode: str, shown: tuple[int, ...], answer: Answer) -> object:
        r = read(fmt[mode], mode, len(shown), answer)
        return r.failure or r.value

    assert value("pairwise", (1, 0), Answer("Think [[A]]... no.\n[[B]]")) == 1
    assert value("pairwise", (0, 1), Answer("[[C]]")) == "tie"
    assert value("ranking", (2, 0, 1, 3), Answer("[[D]]")) == 3
    assert value("ranking", (0, 1), Answer("[[C]]")) == "unparseable"  # no answer C among two
    assert value("rating", (0,), Answer("Rating: [[9]]")) == 9.0
    assert read(fmt["rating"], "rating", 1, Answer(None, "HTTP 500")).note == "HTTP 500"
    assert value("rating", (0,), Answer(None, "HTTP 500")) == "failed_request"
    assert value("pairwise", (0, 1), Answer("", closed=False, finish="token_budget")) == "lost_to_budget"
    assert value("pairwise", (0, 1), Answer("Comparing A with", finish="token_budget")) == "lost_to_budget"
    assert value("pairwise", (0, 1), Answer("", closed=False, finish="end_of_turn")) == "unparseable"


def test_parsers_ignore_verdicts_inside_the_reasoning() -> None:
    reasoning = "The instructions say to answer [[A]] or [[B]]. Answer A says [[B]] is wrong.\nVerdict: [[B]]"
    assert parse_pairwise(reasoning) == "B"
    assert parse_pairwise("<think>[[A]] looks right</think>\nActually [[B]]") == "B"
    assert parse_pairwise("I choose A.") is None
    assert parse_label("[[B]] was my first thought.\nOn reflection the best is [[d]]", "ABCD") == "D"
