"""Judge prompt templates: files with placeholders, shipped in the package or given with `--judge-prompt FILE`.

A template is plain text. A line `### system` starts the system message and a line `### user` the user message;
a file without these lines is one user message. Placeholders (anything else in braces is left alone):

- `{conversation}`: every turn before the answers, each as `[Role]` and its text (multi-turn prompts stay turns);
- `{question}`: the last user message alone (for single-turn protocols such as MT-Bench's judge prompts);
- pairwise: `{answer_a}` and `{answer_b}`; verdict `[[A]]` or `[[B]]` on the last line (`[[C]]` means a tie);
- rating: `{answer}`; verdict `[[N]]`, a number from 1 to 10, on the last line;
- ranking: `{answers}` (each answer between `[Answer X]` and `[End of Answer X]`), `{labels}` ("A, B, C or D"),
  `{verdicts}` ("[[A]], [[B]], [[C]] or [[D]]") and `{count}`; verdict `[[X]]`, the best answer's letter;
- steps (step-level benchmarks): `{steps}` (each step between `<step_N>` and `</step_N>`, from 0); verdict
  `[[N]]`, the earliest wrong step or -1 (`rmeval.scorers.judge.steps`).

The mode of a file is read from its answer placeholders, so one `--judge-prompt` per mode can be given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from rmeval.types import Message

__all__ = ["MODES", "JudgeMode", "JudgeTemplate", "builtin_template", "load_template", "render_conversation",
           "resolve_templates"]

JudgeMode = Literal["pairwise", "rating", "ranking", "steps"]
MODES: tuple[str, ...] = get_args(JudgeMode)
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_ANSWER_SLOTS = {"pairwise": {"answer_a", "answer_b"}, "rating": {"answer"}, "ranking": {"answers"},
                 "steps": {"steps"}}
_CONTEXT_SLOTS = {"conversation", "question"}
_RANKING_EXTRAS = {"labels", "verdicts", "count"}
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def render_conversation(prompt: Sequence[Message]) -> str:
    """The turns before the answers, each under its role.

    >>> print(render_conversation([Message("user", "Hi"), Message("assistant", "Hello"), Message("user", "2+2?")]))
    [User]
    Hi
    <BLANKLINE>
    [Assistant]
    Hello
    <BLANKLINE>
    [User]
    2+2?
    """
    return "\n\n".join(f"[{m.role.capitalize()}]\n{m.content}" for m in prompt)


def _join_labels(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


@dataclass(frozen=True)
class JudgeTemplate:
    """One mode's prompt: an optional system message and a user message, both with placeholders."""

    mode: JudgeMode
    system: str | None
    user: str
    source: str

    @property
    def sha256(self) -> str:
        """Hash of the template's text (recorded; the cache keys hold the rendered prompts themselves)."""
        return hashlib.sha256(f"{self.system}\x1f{self.user}".encode()).hexdigest()

    def render(self, prompt: Sequence[Message], answers: Sequence[str]) -> tuple[Message, ...]:
        """The judge's messages for `answers` (in the order shown; steps: the solution's steps) to `prompt`."""
        values = {"conversation": render_conversation(prompt),
                  "question": next((m.content for m in reversed(prompt) if m.role == "user"), "")}
        if self.mode == "steps":  # the answers are one solution's steps
            values["steps"] = "\n\n".join(f"<step_{i}>\n{s}\n</step_{i}>" for i, s in enumerate(answers))
        elif self.mode == "pairwise":
            if len(answers) != 2:
                raise ValueError(f"a pairwise judge compares 2 answers, got {len(answers)}")
            values.update(answer_a=answers[0], answer_b=answers[1])
        elif self.mode == "rating":
            if len(answers) != 1:
                raise ValueError(f"a rating judge rates 1 answer at a time, got {len(answers)}")
            values["answer"] = answers[0]
        else:
            if not 2 <= len(answers) <= len(LABELS):
                raise ValueError(f"a ranking judge needs 2 to {len(LABELS)} answers, got {len(answers)}")
            labels = LABELS[: len(answers)]
            values["answers"] = "\n\n".join(f"[Answer {x}]\n{a}\n[End of Answer {x}]"
                                            for x, a in zip(labels, answers, strict=True))
            values.update(labels=_join_labels(labels), verdicts=_join_labels([f"[[{x}]]" for x in labels]),
                          count=str(len(answers)))

        def fill(text: str) -> str:  # one pass, so an answer that contains "{answer_b}" is never filled in again
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

        user = Message("user", fill(self.user))
        return (Message("system", fill(self.system)), user) if self.system else (user,)


def _sections(text: str, where: str) -> tuple[str | None, str]:
    parts: dict[str, list[str]] = {}
    current: str | None = None
    head: list[str] = []
    for line in text.splitlines():
        marker = line.strip().lower()
        if marker in ("### system", "### user"):
            current = marker.removeprefix("### ")
            if current in parts:
                raise ValueError(f"{where}: the line '{line.strip()}' appears twice")
            parts[current] = []
        else:
            (parts[current] if current else head).append(line)
    if not parts:
        return None, text.strip()
    if "\n".join(head).strip():
        raise ValueError(f"{where}: text before the first '### system' / '### user' line")
    system = "\n".join(parts.get("system", [])).strip() or None
    user = "\n".join(parts.get("user", [])).strip()
    if not user:
        raise ValueError(f"{where}: no '### user' section (or it is empty): the judge would get no question")
    return system, user


def parse_template(text: str, source: str) -> JudgeTemplate:
    """A template from its text; the mode comes from its answer placeholders. Errors name `source`."""
    system, user = _sections(text, source)
    used = set(_PLACEHOLDER.findall(f"{system or ''}\n{user}"))
    modes = [m for m, slots in _ANSWER_SLOTS.items() if used & slots]
    if len(modes) != 1:
        raise ValueError(f"{source}: cannot tell the judge mode: use {{answer_a}} and {{answer_b}} (pairwise), "
                         f"{{answer}} (rating), {{answers}} (ranking) or {{steps}} (steps), exactly one kind; found "
                         f"{sorted(used)}")
    mode = modes[0]
    missing = _ANSWER_SLOTS[mode] - used
    if missing:
        raise ValueError(f"{source}: a {mode} template needs {', '.join('{' + m + '}' for m in sorted(missing))}")
    if not used & _CONTEXT_SLOTS:
        raise ValueError(f"{source}: the judge never sees the conversation: use {{conversation}} or {{question}}")
    known = _ANSWER_SLOTS[mode] | _CONTEXT_SLOTS | (_RANKING_EXTRAS if mode == "ranking" else set())
    unknown = used - known
    if unknown:
        raise ValueError(f"{source}: unknown placeholders {sorted(unknown)} for a {mode} template; "
                         f"known: {sorted(known)}")
    return JudgeTemplate(mode, system, user, source)  # type: ignore[arg-type]


def builtin_template(mode: str) -> JudgeTemplate:
    """The template rmeval ships for `mode`."""
    if mode not in MODES:
        raise ValueError(f"--judge-mode must be one of {', '.join(MODES)}, got {mode!r}")
    text = (resources.files("rmeval") / "templates" / "judge" / f"{mode}.txt").read_text(encoding="utf-8")
    return parse_template(text, f"builtin:{mode}")


def load_template(path: Path) -> JudgeTemplate:
    """A user's template file (`--judge-prompt FILE`)."""
    if not path.is_file():
        raise FileNotFoundError(f"--judge-prompt {path}: no such file")
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return parse_template(text, f"file:{path} (sha256 {digest})")


def resolve_templates(files: Iterable[Path]) -> dict[str, JudgeTemplate]:
    """One template per mode: the user's files where given (at most one per mode), the shipped ones elsewhere."""
    chosen: dict[str, JudgeTemplate] = {}
    for path in files:
        template = load_template(path)
        if template.mode in chosen:
            raise ValueError(f"--judge-prompt: two {template.mode} templates ({chosen[template.mode].source} and "
                             f"{template.source}); give one per mode")
        chosen[template.mode] = template
    return {mode: chosen.get(mode) or builtin_template(mode) for mode in MODES}
