"""Judge prompt templates: files with placeholders, shipped in the package (rmeval's own, and each judge format's
published prompt) or given with `--judge-prompt FILE`.

A template is plain text. In a user's file, a line `### system` starts the system message and a line `### user` the
user message; a file without these lines is one user message. A format's prompt is one text per message, kept
byte for byte as its authors wrote it (a raw one is sent as plain text, no chat template). Placeholders (anything
else in braces is left alone):

- `{conversation}`: every turn before the answers, each as `[Role]` and its text (multi-turn prompts stay turns);
- `{question}`: the last user message alone (for single-turn protocols such as MT-Bench's judge prompts);
- `{query}`: the user's message when the prompt is one turn, the whole conversation (as `{conversation}`) when it
  has several (the published single-question prompts of the judge formats);
- `{answer_a}`, `{answer_b}` (pairwise; `{answer_c}` ... for a fixed number of answers); rating `{answer}`;
  ranking `{answers}` (each answer in its block, `[Answer X]` ... `[End of Answer X]` unless the format says
  otherwise), `{labels}` ("A, B, C or D"), `{verdicts}` ("[[A]], [[B]], [[C]] or [[D]]") and `{count}`;
- a format's own constants (Prometheus 2's `{rubric}`).
- steps (step-level benchmarks): `{steps}` (each step between `<step_N>` and `</step_N>`, from 0); verdict
  `[[N]]`, the earliest wrong step or -1 (`rmeval.scorers.judge.steps`);

The mode of a user's file is read from its answer placeholders, so one `--judge-prompt` per mode can be given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from rmeval.engines.base import RAW_ROLE
from rmeval.types import Message

__all__ = ["LABELS", "MODES", "JudgeMode", "JudgeTemplate", "builtin_template", "load_template", "parse_template",
           "render_conversation", "resolve_templates", "slots_of"]

JudgeMode = Literal["pairwise", "rating", "ranking", "steps"]
MODES: tuple[str, ...] = get_args(JudgeMode)
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DEFAULT_BLOCK = "[Answer {label}]\n{answer}\n[End of Answer {label}]"

_LETTERS = {f"answer_{x.lower()}" for x in LABELS}
_CONTEXT_SLOTS = {"conversation", "question", "query"}
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


def slots_of(text: str) -> set[str]:
    """The placeholders a template text uses."""
    return set(_PLACEHOLDER.findall(text))


def _arity(used: set[str]) -> int | None:
    """How many answers the letter placeholders show (answer_a, answer_b, ... with none skipped), or None."""
    letters = sorted(s for s in used if s in _LETTERS)
    if not letters:
        return None
    expected = [f"answer_{x.lower()}" for x in LABELS[: len(letters)]]
    if letters != expected:
        raise ValueError(f"answer placeholders must run from {{answer_a}} without a gap, got {letters}")
    return len(letters)


@dataclass(frozen=True)
class JudgeTemplate:
    """One mode's prompt: an optional system message and a user message (or one raw text), with placeholders."""

    mode: JudgeMode
    system: str | None
    user: str
    source: str
    raw: bool = False
    values: Mapping[str, str] = field(default_factory=dict)
    block: str = DEFAULT_BLOCK
    separator: str = "\n\n"

    @property
    def sha256(self) -> str:
        """Hash of the template's text (recorded; the cache keys hold the rendered prompts themselves)."""
        return hashlib.sha256(f"{self.system}\x1f{self.user}".encode()).hexdigest()

    @property
    def arity(self) -> int | None:
        """How many answers one prompt shows: fixed by letter placeholders, any number (None) with `{answers}`."""
        used = slots_of(f"{self.system or ''}\n{self.user}")
        return 1 if "answer" in used else _arity(used)

    def render(self, prompt: Sequence[Message], answers: Sequence[str]) -> tuple[Message, ...]:
        """The judge's messages for `answers` (in the order shown; steps: the solution's steps) to `prompt`."""
        users = [m for m in prompt if m.role == "user"]
        conversation = render_conversation(prompt)
        values = {**self.values, "conversation": conversation,
                  "question": users[-1].content if users else "",
                  "query": prompt[0].content if len(prompt) == 1 else conversation}
        if self.mode == "steps":  # the answers are one solution's steps
            values["steps"] = "\n\n".join(f"<step_{i}>\n{s}\n</step_{i}>" for i, s in enumerate(answers))
            return self._filled(values)
        arity = self.arity
        if arity is not None and len(answers) != arity:
            kind = "rates 1 answer at a time" if self.mode == "rating" else f"compares {arity} answers"
            raise ValueError(f"a {self.mode} judge ({self.source}) {kind}, got {len(answers)}")
        if not 1 <= len(answers) <= len(LABELS):
            raise ValueError(f"a judge shows 1 to {len(LABELS)} answers, got {len(answers)}")
        labels = LABELS[: len(answers)]
        values.update({f"answer_{x.lower()}": a for x, a in zip(labels, answers, strict=True)})
        if self.mode == "rating":
            values["answer"] = answers[0]
        values["answers"] = self.separator.join(
            self.block.replace("{label}", x).replace("{number}", str(k + 1)).replace("{answer}", a)
            for k, (x, a) in enumerate(zip(labels, answers, strict=True)))
        values.update(labels=_join_labels(labels), verdicts=_join_labels([f"[[{x}]]" for x in labels]),
                      count=str(len(answers)))

        return self._filled(values)

    def _filled(self, values: Mapping[str, str]) -> tuple[Message, ...]:
        """The template with `values` filled in, in one pass (an answer that contains "{answer_b}" is never filled
        in again)."""
        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

        if self.raw:
            return (Message(RAW_ROLE, fill(self.user)),)
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


def mode_of(used: set[str], source: str) -> JudgeMode:
    """The mode a template's answer placeholders imply (a user's file: exactly one kind)."""
    if _arity(used) == 1:
        raise ValueError(f"{source}: a pairwise template needs {{answer_b}} beside {{answer_a}}")
    modes = [m for m, hit in (("pairwise", _arity(used) == 2), ("rating", "answer" in used),
                              ("ranking", "answers" in used or (_arity(used) or 0) > 2), ("steps", "steps" in used))
             if hit]
    if len(modes) != 1:
        raise ValueError(f"{source}: cannot tell the judge mode: use {{answer_a}} and {{answer_b}} (pairwise), "
                         f"{{answer}} (rating), {{answers}} (ranking) or {{steps}} (steps), exactly one kind; found "
                         f"{sorted(used)}")
    return modes[0]  # type: ignore[return-value]


def check_slots(used: set[str], mode: str, source: str, constants: Iterable[str] = ()) -> None:
    """A clear error for a template that never shows the conversation or uses placeholders nobody fills."""
    if not used & _CONTEXT_SLOTS:
        raise ValueError(f"{source}: the judge never sees the conversation: use {{conversation}}, {{question}} or "
                         "{query}")
    answers = {"rating": {"answer"}, "pairwise": _LETTERS | {"answers"}, "ranking": _LETTERS | {"answers"},
               "steps": {"steps"}}[mode]
    known = answers | _CONTEXT_SLOTS | set(constants) | (_RANKING_EXTRAS if mode in ("pairwise", "ranking") else set())
    unknown = used - known
    if unknown:
        raise ValueError(f"{source}: unknown placeholders {sorted(unknown)} for a {mode} template; "
                         f"known: {[*sorted(known - _LETTERS), 'answer_a', 'answer_b', '...']}")


def parse_template(text: str, source: str) -> JudgeTemplate:
    """A user's template from its text; the mode comes from its answer placeholders. Errors name `source`."""
    system, user = _sections(text, source)
    used = slots_of(f"{system or ''}\n{user}")
    mode = mode_of(used, source)
    check_slots(used, mode, source)
    return JudgeTemplate(mode, system, user, source)


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
