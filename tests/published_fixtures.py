"""Preference data written for the tests in the layouts their authors publish, with the quirks real files hold (an
empty turn, single-newline HH transcripts, `tie (bothbad)`, a generic `dataset.json` in two folders, JSON Lines under
a .json name). Every text here is written for the tests; none is taken from a dataset.

Each writer returns the file and the same pairs as plain prompt / chosen / rejected rows (`CANONICAL`), so a test can
check that the layout reads to exactly those examples.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Row = dict[str, Any]
QUESTIONS = ["Name a primary colour.", "What is two plus two?", "Suggest a name for a cat.", "Is ice cold?"]
GOOD = ["Red is a primary colour.", "Two plus two is four.", "Whiskers is a fine name.", "Yes, ice is cold."]
BAD = ["A fish.", "It is five.", "Cats cannot have names.", "No, it is hot."]


def canonical(prompts: list[Any], chosen: list[str], rejected: list[str]) -> list[Row]:
    """The pairs as plain rows."""
    return [{"prompt": p, "chosen": c, "rejected": r} for p, c, r in zip(prompts, chosen, rejected, strict=True)]


def write_json(path: Path, value: Any, indent: int | None = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=indent), encoding="utf-8")
    return path


def write_lines(path: Path, rows: list[Row], gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if gz:
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def llmbar(folder: Path, flip: bool = False) -> tuple[Path, list[Row]]:
    """LLMBar's `dataset.json`: a pretty-printed array of {input, output_1, output_2, label}."""
    rows, pairs = [], []
    for i, (q, g, b) in enumerate(zip(QUESTIONS, GOOD, BAD, strict=True)):
        first_is_good = (i % 2 == 0) != flip
        rows.append({"input": q, "output_1": g if first_is_good else b, "output_2": b if first_is_good else g,
                     "label": 1 if first_is_good else 2})
        pairs.append((q, g, b))
    return write_json(folder / "dataset.json", rows), canonical(*map(list, zip(*pairs, strict=True)))


def _conversation(question: str, answer: str, history: Sequence[tuple[str, str]] = ()) -> list[Row]:
    turns: list[Row] = []
    for q, a in history:
        turns += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def arena(folder: Path) -> tuple[Path, list[Row]]:
    """Arena battles: winner model_a / model_b / tie / tie (bothbad), and one multi-turn battle whose first answers
    differ (no shared prompt: left out)."""
    rows, kept = [], []
    winners = ["model_a", "model_b", "tie", "tie (bothbad)"]
    for i, (q, g, b, w) in enumerate(zip(QUESTIONS, GOOD, BAD, winners, strict=True)):
        a_answer, b_answer = (g, b) if w == "model_a" else (b, g)
        rows.append({"question_id": f"q{i}", "model_a": "m1", "model_b": "m2", "winner": w, "judge": "human",
                     "conversation_a": _conversation(q, a_answer), "conversation_b": _conversation(q, b_answer),
                     "turn": 1, "anony": True, "language": "English"})
        if w in ("model_a", "model_b"):
            kept.append({"prompt": q, "chosen": g, "rejected": b})
    rows.append({"question_id": "q9", "model_a": "m1", "model_b": "m2", "winner": "model_a", "judge": "human",
                 "conversation_a": _conversation("And three?", "Five.", [(QUESTIONS[1], GOOD[1])]),
                 "conversation_b": _conversation("And three?", "Six.", [(QUESTIONS[1], BAD[1])]), "turn": 2})
    return write_lines(folder / "battles.jsonl", rows), kept


def bigbench(folder: Path, name: str = "harmless") -> tuple[Path, list[Row]]:
    """A BIG-bench task file: {canary, name, description, keywords, metrics, examples: [{input, target_scores}]}."""
    examples = [{"input": q, "target_scores": {b: 0, g: 1} if i % 2 else {g: 1, b: 0}}
                for i, (q, g, b) in enumerate(zip(QUESTIONS, GOOD, BAD, strict=True))]
    task = {"canary": "written for the rmeval tests", "name": name, "description": "a test task",
            "keywords": ["alignment"], "metrics": ["multiple_choice_grade"], "preferred_score": "multiple_choice_grade",
            "examples": examples}
    return write_json(folder / name / "task.json", task), canonical(QUESTIONS, GOOD, BAD)


def shp(folder: Path, domain: str = "askculinary") -> tuple[Path, list[Row]]:
    """Stanford SHP's `<domain>/test.json`: JSON Lines under a .json name; labels 1 (A better) or 0 (B better)."""
    rows = []
    for i, (q, g, b) in enumerate(zip(QUESTIONS, GOOD, BAD, strict=True)):
        a_good = i % 2 == 0
        rows.append({"post_id": f"p{i}", "domain": domain, "upvote_ratio": 0.9, "history": q,
                     "c_root_id_A": f"a{i}", "c_root_id_B": f"b{i}", "created_at_utc_A": 1, "created_at_utc_B": 2,
                     "score_A": 30 if a_good else 5, "score_B": 5 if a_good else 30,
                     "human_ref_A": g if a_good else b, "human_ref_B": b if a_good else g, "labels": 1 if a_good else 0,
                     "seconds_difference": 1.0, "score_ratio": 6.0})
    return write_lines(folder / domain / "test.json", rows), canonical(QUESTIONS, GOOD, BAD)


def summarize(folder: Path) -> tuple[Path, list[Row]]:
    """OpenAI summarize-from-feedback `comparisons/batch*.json`: JSON Lines; `choice` indexes the better summary."""
    rows = []
    for i, (q, g, b) in enumerate(zip(QUESTIONS, GOOD, BAD, strict=True)):
        choice = i % 2
        summaries = [{"text": g, "policy": "ref", "note": None}, {"text": b, "policy": "sup", "note": None}]
        if choice:
            summaries.reverse()
        rows.append({"info": {"id": f"t3_{i}", "post": q, "title": f"Title {i}", "subreddit": "test"},
                     "summaries": summaries, "choice": choice, "worker": "w", "batch": "batch1",
                     "split": "valid2" if i < 3 else "train", "extra": {"confidence": 7}})
    return write_lines(folder / "comparisons" / "batch1.json", rows), canonical(QUESTIONS, GOOD, BAD)


def ultrafeedback(folder: Path) -> tuple[Path, list[Row]]:
    """UltraFeedback-binarized: prompt text; chosen / rejected as [user, assistant] message lists; scores."""
    rows = [{"prompt": q, "prompt_id": f"id{i}", "chosen": _conversation(q, g), "rejected": _conversation(q, b),
             "messages": _conversation(q, g), "score_chosen": 8.0, "score_rejected": 3.0}
            for i, (q, g, b) in enumerate(zip(QUESTIONS, GOOD, BAD, strict=True))]
    return write_lines(folder / "test_prefs.jsonl", rows), canonical(QUESTIONS, GOOD, BAD)


def trl_explicit(folder: Path) -> tuple[Path, list[Row]]:
    """TRL's conversational preference rows with an explicit prompt: the answers hold the assistant's turn."""
    rows = [{"prompt": [{"role": "user", "content": q}], "chosen": [{"role": "assistant", "content": g}],
             "rejected": [{"role": "assistant", "content": b}]} for q, g, b in zip(QUESTIONS, GOOD, BAD, strict=True)]
    return write_lines(folder / "trl_explicit.jsonl", rows), canonical(QUESTIONS, GOOD, BAD)


def trl_implicit(folder: Path) -> tuple[Path, list[Row]]:
    """TRL's standard preference rows with an implicit prompt: two texts sharing their start."""
    rows = [{"chosen": f"Q: {q} A: {g}", "rejected": f"Q: {q} A: {b}"}
            for q, g, b in zip(QUESTIONS, GOOD, BAD, strict=True)]
    return (write_lines(folder / "trl_implicit.jsonl", rows),
            canonical([f"Q: {q} A:" for q in QUESTIONS], [f" {g}" for g in GOOD], [f" {b}" for b in BAD]))


def hh(*turns: str, sep: str = "\n\n") -> str:
    """An HH-RLHF transcript: alternating Human / Assistant turns, each after `sep`."""
    return "".join(f"{sep}{'Human' if i % 2 == 0 else 'Assistant'}: {t}" for i, t in enumerate(turns))


def hh_rlhf(folder: Path) -> tuple[Path, list[Row]]:
    """An HH-RLHF `helpful-base/test.jsonl.gz` with its quirks: an empty Assistant turn inside the prompt, a
    transcript whose turns follow a single newline, and a rejected side that repeats the shared turns with a
    whitespace difference."""
    rows = [
        {"chosen": hh(QUESTIONS[0], GOOD[0]), "rejected": hh(QUESTIONS[0], BAD[0])},
        {"chosen": hh("Hello", "", QUESTIONS[1], GOOD[1]), "rejected": hh("Hello", "", QUESTIONS[1], BAD[1])},
        {"chosen": hh(QUESTIONS[2], GOOD[2], sep="\n"), "rejected": hh(QUESTIONS[2], BAD[2], sep="\n")},
        {"chosen": hh(QUESTIONS[3], GOOD[3]), "rejected": hh(QUESTIONS[3] + " ", BAD[3]).replace("\n\nAssistant",
                                                                                                  "\nAssistant")},
    ]
    prompts: list[Any] = [QUESTIONS[0], [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": ""},
                                         {"role": "user", "content": QUESTIONS[1]}], QUESTIONS[2], QUESTIONS[3]]
    return write_lines(folder / "helpful-base" / "test.jsonl.gz", rows, gz=True), canonical(prompts, GOOD, BAD)
