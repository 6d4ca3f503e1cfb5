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


def main(args: argparse.Namespace) -> int:
    """Print the presets as a table, or as JSON with every field."""
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
