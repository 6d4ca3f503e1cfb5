"""A reasoning judge's thinking part, kept apart from its answer: the verdict is read from the answer alone.

The thinking part is what a server returned apart (vLLM's reasoning parser, Anthropic's thinking blocks), or the
text before the last closing tag (`</think>`). A model whose chat template opens the thinking part in the prompt
(DeepSeek-R1's distillations, JudgeLRM's prompt) writes no opening tag, only the closing one. A thinking part that
never closes (the budget ran out mid-thought) leaves no answer at all, so no verdict is ever read from a thought.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Split", "split_thinking", "thinking_tokens"]


@dataclass(frozen=True)
class Split:
    """An output cut in two: the answer (where the verdict is read), the thinking part (None: there was none), and
    whether the thinking part was closed (an unclosed one leaves an empty answer)."""

    answer: str
    thinking: str | None
    closed: bool = True


def split_thinking(text: str, reasoning: str | None = None, tags: tuple[str, str] = ("<think>", "</think>"),
                   opened: bool = False) -> Split:
    """The answer and the thinking part of one output.

    >>> split_thinking("<think>A? maybe [[A]]</think>\\nFinal: [[B]]")
    Split(answer='Final: [[B]]', thinking='A? maybe [[A]]', closed=True)
    >>> split_thinking("weighing both...</think>[[A]]", opened=True).answer   # the template opened the thought
    '[[A]]'
    >>> split_thinking("<think>still weighing [[A]] against", tags=("<think>", "</think>"))
    Split(answer='', thinking='still weighing [[A]] against', closed=False)
    >>> split_thinking("[[B]]", reasoning="the server kept this apart")
    Split(answer='[[B]]', thinking='the server kept this apart', closed=True)
    >>> split_thinking("Plain verdict: [[A]]")
    Split(answer='Plain verdict: [[A]]', thinking=None, closed=True)
    """
    if reasoning is not None:
        return Split(text.strip(), reasoning.strip())
    open_tag, close_tag = tags
    cut = text.rfind(close_tag) if close_tag else -1
    if cut >= 0:
        thought = text[:cut].strip()
        thought = thought.removeprefix(open_tag).strip() if open_tag else thought
        return Split(text[cut + len(close_tag):].strip(), thought)
    stripped = text.strip()
    if opened or (open_tag and stripped.startswith(open_tag)):
        thought = stripped.removeprefix(open_tag).strip() if open_tag else stripped
        return Split("", thought, closed=False)
    return Split(stripped, None)


def thinking_tokens(text: str, tags: tuple[str, str], opened: bool, generated: int,
                    count: Callable[[str], int]) -> int:
    """How many of the `generated` tokens of `text` a local model spent thinking: the tokens up to and with the
    closing tag (`count` tokenizes a text), all of them when the thought never closed, none without one.

    >>> thinking_tokens("a b </think> c", ("<think>", "</think>"), True, 4, lambda t: len(t.split()))
    3
    >>> thinking_tokens("<think>a b c", ("<think>", "</think>"), False, 4, lambda t: len(t.split()))
    4
    """
    split = split_thinking(text, None, tags, opened)
    if split.thinking is None:
        return 0
    if not split.closed:
        return generated
    cut = text.rfind(tags[1]) + len(tags[1])
    return min(generated, count(text[:cut]))
