"""Published layouts read through a column map alone: two answers and a which-is-better label (LLMBar, arena battles,
Stanford SHP), and prompt / chosen / rejected columns in their published shapes (UltraFeedback-binarized, Anthropic
HH-RLHF transcripts, TRL's explicit and implicit prompt formats). The facts come from the authors' files, cited at
each layout; what could not be checked there is marked unverified.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmeval.data.columns import ColumnMap
from rmeval.data.published import Published, register_published
from rmeval.data.transcripts import parse_hh

__all__ = ["ARENA", "HH_RLHF", "LLMBAR", "SHP", "TRL_EXPLICIT", "TRL_IMPLICIT", "ULTRAFEEDBACK"]

LLMBAR = register_published(Published(
    "llmbar", "LLMBar", frozenset({"input", "output_1", "output_2", "label"}),
    ColumnMap(prompt="input", answers=("output_1", "output_2"), label="label",
              label_map=(("1", "first"), ("2", "second"))),
))
"""github.com/princeton-nlp/LLMBar @6d20c7d, `Dataset/<set>/dataset.json`: a JSON array of objects with `input` (the
instruction), `output_1`, `output_2` and `label`, 1 or 2: the better output."""


def _multi_turn_battle(row: Mapping[str, Any]) -> str | None:
    """Why an arena row has no shared prompt: its two conversations part before their last answer (a battle of
    several turns, where each model saw its own earlier answers)."""
    a, b = row.get("conversation_a"), row.get("conversation_b")
    if not (isinstance(a, list) and isinstance(b, list)) or len(a) <= 2 or len(a) != len(b):
        return None
    def turn(m: Any) -> Any:
        return (m.get("role"), m.get("content")) if isinstance(m, Mapping) else m
    return "multi-turn battle" if [turn(m) for m in a[:-1]] != [turn(m) for m in b[:-1]] else None


ARENA = register_published(Published(
    "arena", "arena battles", frozenset({"conversation_a", "conversation_b", "winner"}),
    ColumnMap(answers=("conversation_a", "conversation_b"), label="winner",
              label_map=(("model_a", "first"), ("model_b", "second"), ("tie", "skip"), ("tie (bothbad)", "skip"))),
    exclude=_multi_turn_battle,
))
"""Chatbot Arena and MT-Bench judgments (hub `lmsys/mt_bench_human_judgments` @eee87ec, README.md `dataset_info`:
`question_id`, `model_a`, `model_b`, `winner`, `judge`, `conversation_a` / `conversation_b` as `{role, content}`
lists, `turn`; `lmsys/chatbot_arena_conversations` adds `anony`, `language`, `tstamp`). `winner` is `model_a`,
`model_b`, `tie` or `tie (bothbad)` (github.com/lm-sys/FastChat @bb24800,
fastchat/serve/monitor/clean_battle_data.py, `convert_type`). Ties name no better answer and are left out, counted;
so are battles of several turns whose earlier answers differ (no prompt both answers share). A `question_id` repeats
across judgments of one question, so examples are numbered by their row."""

SHP = register_published(Published(
    "shp", "Stanford SHP", frozenset({"history", "human_ref_A", "human_ref_B", "labels"}),
    ColumnMap(prompt="history", answers=("human_ref_A", "human_ref_B"), label="labels",
              label_map=(("1", "first"), ("0", "second"))),
))
"""Stanford Human Preferences (hub `stanfordnlp/SHP`, one folder per subreddit holding `train.json`,
`validation.json`, `test.json` written as JSON Lines; its README.md: `history` is the post, `human_ref_A` /
`human_ref_B` two top-level comments, `labels` 1 when A is preferred, 0 when B is; `post_id`, `domain`,
`score_A`, `score_B`, `score_ratio` and the rest stay with each example)."""

ULTRAFEEDBACK = register_published(Published(
    "ultrafeedback-binarized", "UltraFeedback binarized",
    frozenset({"prompt", "chosen", "rejected", "score_chosen", "score_rejected"}),
))
"""hub `HuggingFaceH4/ultrafeedback_binarized` (splits `train_prefs`, `test_prefs`, ...): `prompt` (text),
`prompt_id`, `chosen` and `rejected` as message lists (the user's prompt, then the assistant's answer), `messages`,
`score_chosen`, `score_rejected`. Read as prompt / chosen / rejected; the scores stay with each example. The columns
were checked on the hub viewer and on derived datasets' cards, which copy its schema (its own card: unverified)."""


def _hh_text(row: Mapping[str, Any]) -> bool:
    return isinstance(row.get("chosen"), str) and parse_hh(row["chosen"]) is not None


HH_RLHF = register_published(Published(
    "hh-rlhf", "Anthropic HH-RLHF", frozenset({"chosen", "rejected"}), absent=frozenset({"prompt"}), when=_hh_text,
))
"""github.com/anthropics/hh-rlhf, README.md: `<subset>/{train,test}.jsonl.gz` (harmless-base, helpful-base,
helpful-online, helpful-rejection-sampled), each line `{"chosen": ..., "rejected": ...}`, two whole transcripts of
`Human:` / `Assistant:` turns that share all but the last answer (rmeval.data.transcripts splits them)."""

TRL_EXPLICIT = register_published(Published("trl-explicit", "TRL preference, explicit prompt",
                                            frozenset({"prompt", "chosen", "rejected"})))
"""huggingface/trl docs/source/dataset_formats.md, "Preference": `prompt`, `chosen`, `rejected`, each text
(standard) or messages (conversational: the answers then hold the assistant's turn alone)."""

TRL_IMPLICIT = register_published(Published("trl-implicit", "TRL preference, implicit prompt",
                                            frozenset({"chosen", "rejected"}), absent=frozenset({"prompt"})))
"""The same, "with implicit prompt": `chosen` and `rejected` only, each the whole conversation (messages) or text
whose shared beginning is the prompt (trl/data_utils.py, `extract_prompt`)."""
