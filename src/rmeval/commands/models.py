"""`rmeval models`: the known models (presets), with their kind and what each needs."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rmeval.presets import Preset, presets

__all__ = ["add_parser", "main", "reads"]


def add_parser(sub: Any) -> None:
    """Register `models`."""
    p: argparse.ArgumentParser = sub.add_parser("models", help="list the known reward models (presets)",
                                                description="List the presets: known reward models, their scorer "
                                                            "kind and what each needs.")
    p.add_argument("--json", action="store_true", help="every field of every preset, as JSON")
    p.add_argument("--kind", metavar="SCORER", help="only presets of this scorer kind")
    p.add_argument("--formats", action="store_true", help="the judge formats (--judge-format NAME) instead: each "
                                                          "one's modes, verdict and sources")
    p.add_argument("--check", action="store_true", help="check every preset's facts that need no network (exit 1 "
                                                         "when one fails)")
    p.set_defaults(handler=main)


def reads(preset: Preset) -> str:
    """What the preset reads as the reward, in a few words."""
    o = preset.options
    if preset.scorer == "implicit":
        return f"ref {o['ref_model']}" if o.get("ref_model") else f"ref-free {o.get('ref_free')}"
    if preset.scorer == "value-head":
        return f"{o['head']}{' (cost)' if o.get('sign') == -1 else ''}"
    if preset.scorer == "remote-code":
        if o.get("score_method"):
            return f"{o['score_method']}()"
        field = o.get("output_field", "logits")
        return f".{field}" if field else "returned tensor"
    if preset.scorer == "pair-ranker":
        return f"pairs: {o['pair_format']}"
    if preset.scorer == "verdict":
        return f"verdict: {o['verdict_prompt']}"
    if preset.scorer == "judge":
        return f"format: {', '.join(o.get('judge_formats', ['rmeval']))}"
    if preset.scorer == "prm-chat":  # process reward models: where each step is read
        return f"steps: {o.get('good_token')} vs {o.get('bad_token')} per turn"
    if preset.scorer.startswith("prm-"):
        where = o.get("step_separator") or o.get("step_tag")
        return "steps at newline" if where == "\n" else f"steps at {where}"
    return f"logit {o.get('score_index') or 0}"


def _row(p: Preset) -> list[str]:
    o = p.options
    templated = "chat_template" in o or o.get("verdict_wrap", "raw") != "raw"
    template = o.get("chat_template") or ("tokenizer's" if templated else "-")
    length = o.get("max_length", o.get("source_max_tokens"))
    boards = ",".join({"rewardbench": "v1", "rewardbench2": "v2"}.get(b, b) for b in p.leaderboards) or "-"
    return [p.name, p.scorer, reads(p), str(o.get("dtype", "auto")), str(template),
            str(length) if length is not None else "model's", "yes" if p.remote_code else "no", boards]


def _formats(as_json: bool) -> int:
    """The judge formats: name, modes, verdict kind, prompt kind and description (JSON: with their sources)."""
    from rmeval.scorers.judge.formats import format_names, load_format

    formats = [load_format(n) for n in format_names()]
    if as_json:
        json.dump([{**f.describe(), "description": f.description, "notes": list(f.notes)} for f in formats],
                  sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    rows = [["format", "modes", "verdict", "prompt", "description"]]
    rows += [[f.name, ",".join(f.modes), f.verdict.kind, "raw" if f.raw else "chat", f.description] for f in formats]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    print(f"\n{len(formats)} formats. `rmeval run --scorer judge --judge-format NAME` (one per mode) uses one; "
          "`--json` shows where each fact comes from.")
    return 0


def main(args: argparse.Namespace) -> int:
    """Print the presets as a table, or as JSON with every field (or the judge formats, with --formats); or check
    them (--check)."""
    if getattr(args, "formats", False):
        return _formats(args.json)
    if args.check:
        from rmeval.commands.preset_checks import check_presets

        problems = check_presets()
        for name, found in problems.items():
            for problem in found:
                print(f"{name}: {problem}")
        print(f"{len(presets())} presets checked: " + (f"{len(problems)} with problems" if problems else
                                                        "every offline-checkable fact holds"))
        return 1 if problems else 0
    table = [p for p in presets().values() if args.kind is None or p.scorer == args.kind]
    if args.kind is not None and not table:
        kinds = sorted({p.scorer for p in presets().values()})
        raise ValueError(f"--kind {args.kind!r}: no preset of that kind; kinds with presets: {', '.join(kinds)}")
    if args.json:
        json.dump([p.as_dict() for p in table], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    header = ["name", "kind", "reads", "dtype", "template", "max len", "remote code", "boards"]
    rows = [header, *(_row(p) for p in table)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"\n{len(table)} presets. `rmeval run --model NAME` (or the model's hub id) uses one; `--preset NAME "
          "--model ./folder` applies one to a local copy; `--json` shows every field with its sources.")
    return 0
