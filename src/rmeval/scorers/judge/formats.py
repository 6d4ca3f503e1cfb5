"""Judge formats as data: a published judge's prompt, how its verdict is read and what the verdict means, with where
each fact comes from. `--judge-format NAME|FILE` picks one per mode it serves.

A format is a JSON file beside its prompt files (`rmeval/templates/judge/formats/NAME.json`, or your own FILE):

    {"description": "...", "modes": ["pairwise"],
     "prompt": {"system": "NAME.system.txt", "user": "NAME.user.txt", "raw": false},
     "sha256": {"system": "...", "user": "..."},          # the prompt files' hashes, checked (shipped formats)
     "values": {"rubric": "..."},                          # the format's constants
     "answer_block": "...{number}...{answer}...",           # how {answers} shows each answer
     "verdict": {"kind": "choice", "rules": [{"pattern": "...", "flags": ["IGNORECASE"], "pick": "last"}],
                 "labels": {"response 1": "A", "tie": "tie"}},   # see `parsing`
     "thinking": {"open": "<think>", "close": "</think>", "opened_by_prompt": false},
     "stop": [], "local_stop": [],
     "sources": [{"repo": "...", "commit": "...", "file": "...", "lines": "...", "what": "..."}],
     "notes": ["where rmeval differs from the authors' pipeline"]}

A raw prompt is one text sent as it is (the authors' own wrapper included); a chat prompt goes through the engine's
chat template. rmeval's own formats (`rmeval-pairwise`, `rmeval-rating`, `rmeval-ranking`) are the shipped
templates read by rmeval's final-verdict parser; `--judge-prompt FILE` is such a format with your template.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rmeval.scorers.judge.parsing import VerdictSpec, verdict_spec
from rmeval.scorers.judge.templates import (
    DEFAULT_BLOCK,
    MODES,
    JudgeTemplate,
    builtin_template,
    check_slots,
    load_template,
    slots_of,
)

__all__ = ["RMEVAL_FORMATS", "JudgeFormat", "format_names", "load_format", "resolve_formats", "rmeval_format"]

RMEVAL_FORMATS = {f"rmeval-{m}": m for m in MODES}
_KIND_OF_MODE = {"rating": ("rating",), "pairwise": ("choice", "five-way", "scores"),
                 "ranking": ("choice", "scores")}


@dataclass(frozen=True)
class JudgeFormat:
    """A judge format: a template per mode it serves, its verdict spec, its thinking tags and stop strings, and
    where its facts come from."""

    name: str
    description: str
    templates: Mapping[str, JudgeTemplate]
    verdict: VerdictSpec
    think: tuple[str, str] = ("<think>", "</think>")
    think_opened: bool = False
    stop: tuple[str, ...] = ()
    local_stop: tuple[str, ...] = ()
    sources: tuple[Mapping[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    origin: str = ""
    raw: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def modes(self) -> tuple[str, ...]:
        """The modes the format serves."""
        return tuple(self.templates)

    def describe(self) -> dict[str, Any]:
        """What result.json records of the format."""
        template = next(iter(self.templates.values()))
        return {"name": self.name, "origin": self.origin, "modes": list(self.modes), "verdict": self.verdict.kind,
                "raw": self.raw, "template_sha256": template.sha256, "sources": [dict(s) for s in self.sources]}


def rmeval_format(template: JudgeTemplate, name: str | None = None) -> JudgeFormat:
    """rmeval's own format for `template` (a shipped one, or a user's `--judge-prompt` file)."""
    kind = "rating" if template.mode == "rating" else "choice"
    return JudgeFormat(name or f"rmeval-{template.mode}", "rmeval's own prompt, its final [[verdict]] read",
                       {template.mode: template}, VerdictSpec(kind, builtin=template.mode), local_stop=("]]",),
                       origin=template.source)


def _read(folder: Path, name: Any, where: str, field_name: str) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: prompt.{field_name} must name a text file beside the format")
    path = folder / name
    if not path.is_file():
        raise ValueError(f"{where}: prompt.{field_name}: no file {path}")
    return path.read_bytes().decode("utf-8")  # byte for byte: a prompt's trailing space or newline is part of it


def _strings(raw: Any, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _modes(raw: Any, template: JudgeTemplate, kind: str, where: str) -> tuple[str, ...]:
    modes = raw.get("modes")
    if not isinstance(modes, list) or not modes or not set(modes) <= set(MODES):
        raise ValueError(f"{where}: modes must list some of {', '.join(MODES)}")
    arity = template.arity
    for mode in modes:
        fits = {"rating": arity == 1, "pairwise": arity in (2, None), "ranking": arity is None or arity > 2}[mode]
        if not fits:
            raise ValueError(f"{where}: its prompt shows {arity or 'any number of'} answers, not what a {mode} judge "
                             "shows")
        if kind not in _KIND_OF_MODE[mode]:
            raise ValueError(f"{where}: a {kind} verdict does not decide a {mode} judgement")
    return tuple(modes)


def parse_format(raw: Any, name: str, folder: Path, origin: str, check_hashes: bool) -> JudgeFormat:
    """A format from its parsed JSON; errors name the format and the field."""
    where = f"judge format {origin}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a JSON object")
    prompt = raw.get("prompt")
    if not isinstance(prompt, dict):
        raise ValueError(f"{where}: prompt must be an object naming its text files")
    texts = {"user": _read(folder, prompt.get("user"), where, "user")}
    if prompt.get("system") is not None:
        texts["system"] = _read(folder, prompt["system"], where, "system")
    hashes = raw.get("sha256", {})
    for part, text in texts.items():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if (check_hashes or part in hashes) and hashes.get(part) != digest:
            raise ValueError(f"{where}: prompt.{part} has sha256 {digest}, the format records {hashes.get(part)}: "
                             "the published prompt must stay as its authors wrote it")
    raw_prompt = bool(prompt.get("raw", False))
    if raw_prompt and "system" in texts:
        raise ValueError(f"{where}: a raw prompt is one text: give prompt.user only")
    values = raw.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise ValueError(f"{where}: values must map names to texts")
    verdict = verdict_spec(raw.get("verdict"), where)
    probe = JudgeTemplate("pairwise", texts.get("system"), texts["user"], origin, raw_prompt, values,
                          str(raw.get("answer_block", DEFAULT_BLOCK)), str(raw.get("answer_separator", "\n\n")))
    modes = _modes(raw, probe, verdict.kind, where)
    used = slots_of(f"{texts.get('system', '')}\n{texts['user']}")
    templates = {}
    for mode in modes:
        check_slots(used, mode, where, values)
        templates[mode] = JudgeTemplate(mode, probe.system, probe.user, origin, raw_prompt, values, probe.block,  # type: ignore[arg-type]
                                        probe.separator)
    thinking = raw.get("thinking", {})
    if not isinstance(thinking, dict):
        raise ValueError(f"{where}: thinking must be an object (open, close, opened_by_prompt)")
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise ValueError(f"{where}: sources must be a list of objects (repo, commit, file, lines, what)")
    return JudgeFormat(name, str(raw.get("description", "")), templates, verdict,
                       (str(thinking.get("open", "<think>")), str(thinking.get("close", "</think>"))),
                       bool(thinking.get("opened_by_prompt", False)), _strings(raw, "stop", where),
                       _strings(raw, "local_stop", where), tuple({str(k): str(v) for k, v in s.items()}
                                                                 for s in sources),
                       _strings(raw, "notes", where), origin, raw_prompt)


def _shipped() -> Path:
    return Path(str(resources.files("rmeval") / "templates" / "judge" / "formats"))


def format_names() -> list[str]:
    """Every shipped format, rmeval's own first."""
    return [*RMEVAL_FORMATS, *sorted(p.stem for p in _shipped().glob("*.json"))]


def load_format(spec: str) -> JudgeFormat:
    """The format `spec` names: a shipped one, or a format FILE (JSON)."""
    if spec in RMEVAL_FORMATS:
        return rmeval_format(builtin_template(RMEVAL_FORMATS[spec]), spec)
    shipped = _shipped() / f"{spec}.json"
    path, check = (shipped, True) if shipped.is_file() else (Path(spec), False)
    if not path.is_file():
        raise ValueError(f"--judge-format {spec!r} is neither a shipped format ({', '.join(format_names())}) nor a "
                         "file")
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"--judge-format {path}: not valid JSON ({e})") from None
    origin = f"builtin:{spec}" if check else f"file:{path} (sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]})"
    return parse_format(raw, spec if check else path.stem, path.parent, origin, check)


def resolve_formats(specs: Iterable[str], prompt_files: Iterable[Path] = ()) -> dict[str, JudgeFormat]:
    """The format of each mode: the `--judge-format`s and `--judge-prompt`s given (one per mode), and rmeval's own
    for the other modes only when no `--judge-format` was given (a published judge is not silently prompted with
    another format)."""
    chosen: dict[str, JudgeFormat] = {}

    def take(fmt: JudgeFormat, flag: str) -> None:
        for mode in fmt.modes:
            if mode in chosen:
                raise ValueError(f"{flag}: two formats for {mode} judgements ({chosen[mode].origin} and "
                                 f"{fmt.origin}); give one per mode")
            chosen[mode] = fmt

    specs = list(specs)
    for spec in specs:
        take(load_format(spec), "--judge-format")
    for path in prompt_files:
        take(rmeval_format(load_template(path)), "--judge-prompt")
    if not specs:
        for mode in MODES:
            chosen.setdefault(mode, rmeval_format(builtin_template(mode)))
    return chosen
