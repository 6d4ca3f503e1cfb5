"""Reading a verdict out of a judge's answer by its format's rules: patterns, which match counts, and what the
matched text means. The patterns are rmeval's own, written to accept what each format's authors' parser accepts
(their published examples are the tests); the answer is the part after any thinking (`engines.thinking`).

A verdict is one of:
- `choice`: a letter of the answers shown (`A`, `B`, ...) or `tie`;
- `five-way`: a choice with a strength (Arena-Hard's `A>>B` is A, strongly; `A=B` a tie);
- `rating`: one number for the one answer shown;
- `scores`: one number per answer shown (JudgeLM's `8 6`, DeepSeek-GRM's `\\boxed{8, 6}`).

Rules are tried in order; the first that matches decides: its first match, its last, `only` (every match must say
the same, or there is no verdict) or `all` (each match holds one number: JudgeLRM's `<answer>8</answer>`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rmeval.scorers.judge.parsers import TIE, parse_label, parse_pairwise, parse_rating
from rmeval.scorers.judge.templates import LABELS

__all__ = ["KINDS", "Parsed", "Rule", "VerdictSpec", "verdict_spec"]

Kind = Literal["choice", "five-way", "rating", "scores"]
KINDS: tuple[str, ...] = ("choice", "five-way", "rating", "scores")
_FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL, "VERBOSE": re.VERBOSE}
_PICKS = ("first", "last", "only", "all")


@dataclass(frozen=True)
class Parsed:
    """A verdict: a label (`A`, ... or `tie`), a rating, or one score per answer shown; `strength` 2 for a
    five-way verdict's "much better"."""

    value: str | float | tuple[float, ...]
    strength: int = 1


@dataclass(frozen=True)
class Rule:
    """A pattern, which of its matches decides, and the verdict it gives when it captures nothing."""

    regex: re.Pattern[str]
    pick: str = "first"
    value: str | None = None

    def capture(self, text: str) -> list[str] | None:
        """The captured texts of the deciding match (`all`: group 1 of every match); None without a match."""
        matches = list(self.regex.finditer(text))
        if not matches:
            return None
        if self.value is not None:
            return [self.value]
        if self.pick == "all":
            return [m.group(1) for m in matches]
        groups = [list(m.groups()) or [m.group(0)] for m in matches]
        if self.pick == "only":
            return groups[0] if all(g == groups[0] for g in groups) else []
        return groups[0] if self.pick == "first" else groups[-1]


def _number(text: str, integer: bool) -> float | None:
    try:
        value = float(int(text.strip())) if integer else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class VerdictSpec:
    """How a format's verdict is read: its kind, its rules (or rmeval's own parser, `builtin`: the mode it reads, or
    `rmeval` for any), where to look
    (`answer`, or its `first-line`), whether to upper-case first, what captured texts mean, and for numbers how
    they are found (`groups` of one match, `split` from one capture, `all` matches), whether they are integers and
    their scale."""

    kind: str
    rules: tuple[Rule, ...] = ()
    builtin: str = ""
    scope: str = "answer"
    uppercase: bool = False
    labels: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    numbers: str = "groups"
    integer: bool = False
    scale: tuple[float, float] | None = None

    def parse(self, answer: str, shown: int) -> Parsed | None:
        """The verdict in `answer` about `shown` answers, or None when there is no clear one."""
        if self.builtin:
            return self._builtin(answer, shown)
        text = answer.strip()
        if self.scope == "first-line":
            text = text.split("\n", 1)[0]
        if self.uppercase:
            text = text.upper()
        captured = next((c for c in (r.capture(text) for r in self.rules) if c is not None), None)
        if not captured:
            return None
        if self.kind in ("choice", "five-way"):
            return self._label(captured[0], shown)
        numbers = [_number(x, self.integer) for x in
                   (re.split(r"[,\s]+", captured[0].strip()) if self.numbers == "split" else captured)]
        want = 1 if self.kind == "rating" else shown
        numbers = numbers[:want] if self.numbers == "all" else numbers
        if len(numbers) != want or any(x is None for x in numbers):
            return None
        values = tuple(float(x) for x in numbers if x is not None)
        if self.scale and not all(self.scale[0] <= x <= self.scale[1] for x in values):
            return None
        return Parsed(values[0] if self.kind == "rating" else values)

    def _label(self, text: str, shown: int) -> Parsed | None:
        key = text.strip().casefold()
        if self.labels:
            hit = self.labels.get(key)
            return None if hit is None else Parsed(hit[0], hit[1])
        upper = text.strip().upper()
        if upper == "TIE":
            return Parsed(TIE)
        return Parsed(upper) if len(upper) == 1 and upper in LABELS[:shown] else None

    def _builtin(self, answer: str, shown: int) -> Parsed | None:
        """rmeval's own: the final `[[X]]` of the answer (`engines.thinking` already cut any thought off)."""
        value: str | float | None
        if self.kind == "rating":
            value = parse_rating(answer)
        elif self.builtin == "pairwise" or (self.builtin == "rmeval" and shown == 2):
            value = parse_pairwise(answer)
        else:
            value = parse_label(answer, LABELS[:shown])
        return None if value is None else Parsed(value)


def _rules(raw: Any, where: str) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: verdict.rules must be a non-empty list")
    out = []
    for i, r in enumerate(raw):
        here = f"{where}: verdict.rules[{i}]"
        if not isinstance(r, dict) or not isinstance(r.get("pattern"), str):
            raise ValueError(f"{here}: expected an object with a pattern")
        flags = 0
        for name in r.get("flags", []):
            if name not in _FLAGS:
                raise ValueError(f"{here}: unknown flag {name!r}; known: {', '.join(_FLAGS)}")
            flags |= _FLAGS[name]
        pick = r.get("pick", "first")
        if pick not in _PICKS:
            raise ValueError(f"{here}: pick must be one of {', '.join(_PICKS)}, got {pick!r}")
        try:
            regex = re.compile(r["pattern"], flags)
        except re.error as e:
            raise ValueError(f"{here}: pattern does not compile ({e})") from None
        value = r.get("value")
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{here}: value must be a verdict text")
        out.append(Rule(regex, pick, value))
    return tuple(out)


def _labels(raw: Any, where: str) -> dict[str, tuple[str, int]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: verdict.labels must map texts to verdicts")
    out = {}
    for text, verdict in raw.items():
        label, strength = (verdict, 1) if isinstance(verdict, str) else (verdict[0], int(verdict[1])) \
            if isinstance(verdict, list) and len(verdict) == 2 else (None, 0)
        if label != TIE and not (isinstance(label, str) and len(label) == 1 and label in LABELS):
            raise ValueError(f"{where}: verdict.labels[{text!r}] must be a letter or 'tie' (with a strength: "
                             f"[\"A\", 2]), got {verdict!r}")
        out[str(text).strip().casefold()] = (str(label), strength)
    return out


def verdict_spec(raw: Any, where: str) -> VerdictSpec:
    """A verdict spec from a format file's `verdict` object; errors name `where` and the field."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: verdict must be an object")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: verdict.kind must be one of {', '.join(KINDS)}, got {kind!r}")
    scale = raw.get("scale")
    if scale is not None and not (isinstance(scale, list) and len(scale) == 2 and scale[0] < scale[1]):
        raise ValueError(f"{where}: verdict.scale must be [low, high]")
    numbers = raw.get("numbers", "groups")
    if numbers not in ("groups", "split", "all"):
        raise ValueError(f"{where}: verdict.numbers must be groups, split or all, got {numbers!r}")
    scope = raw.get("scope", "answer")
    if scope not in ("answer", "first-line"):
        raise ValueError(f"{where}: verdict.scope must be answer or first-line, got {scope!r}")
    if numbers == "all" and not all(r.get("pick") == "all" for r in raw.get("rules") or [{}]):
        raise ValueError(f"{where}: verdict.numbers all reads one number per match: every rule needs pick all")
    if raw.get("builtin") == "rmeval":
        return VerdictSpec(kind, builtin="rmeval")
    labels = _labels(raw.get("labels"), where)
    if kind == "five-way" and not labels:
        raise ValueError(f"{where}: a five-way verdict needs labels (which text means which answer, how strongly)")
    return VerdictSpec(kind, _rules(raw.get("rules"), where), "", scope, bool(raw.get("uppercase", False)),
                       labels, numbers, bool(raw.get("integer", False)),
                       (float(scale[0]), float(scale[1])) if scale else None)


