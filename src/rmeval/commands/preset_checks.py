"""`rmeval models --check`: every fact of every preset that can be checked without the network.

Beyond what loading the table already validates (each key an option of its kind, the types, the kind's required
keys, both input conventions stated), it checks that the facts agree with each other: a built-in template exists,
the weights' hub id is the model card the preset cites first, the reference implementation is cited at a pinned
commit, a kind that runs the model's own code says so, the options of `--inputs reference` change something, a
head over a base model names its weights file, an implicit reward's reference model is another model.
"""

from __future__ import annotations

import re

from rmeval.data.chat import BUILTIN_TEMPLATES
from rmeval.presets import Preset, presets

__all__ = ["check_preset", "check_presets"]

PINNED = re.compile(r"github\.com/allenai/reward-bench/(blob|tree)/[0-9a-f]{40}/")
TEMPLATE_KEYS = ("chat_template", "context_template")


def _templates(values: dict[str, object]) -> list[str]:
    return [str(values[k]) for k in TEMPLATE_KEYS if isinstance(values.get(k), str)]


def check_preset(p: Preset) -> list[str]:
    """The problems of one preset (empty when every checkable fact holds)."""
    problems = []
    o, ref = p.options, p.reference_options
    for name in _templates(o) + _templates(ref):
        if p.scorer != "verdict" and name not in BUILTIN_TEMPLATES:
            problems.append(f"template {name!r} is not built in")
    card = [s for s in p.sources if p.hub_id and s.split(" ", 1)[0].rstrip("/").endswith("huggingface.co/" + p.hub_id)]
    code = [s for s in p.sources if s.startswith("https://github.com/")]
    if p.hub_id and not card and not (p.scorer.startswith("prm-") and code):  # a PRM's facts may be its authors' code
        problems.append(f"no source is the model card of {p.hub_id}")
    for s in p.sources:
        if not s.startswith("https://"):
            problems.append(f"source {s!r} is not an https address")
        elif "github.com/allenai/reward-bench/" in s and "/blob/" in s and not PINNED.search(s):
            problems.append(f"source {s!r} cites the reference implementation at no pinned commit")
    if (p.scorer == "remote-code") != p.remote_code and p.scorer in ("remote-code", "classifier", "value-head"):
        problems.append("remote_code must be true exactly for the remote-code kind")
    unchanged = [k for k, v in ref.items() if o.get(k, None) == v]
    if unchanged:
        problems.append(f"reference_options restate the preset's own {', '.join(unchanged)}")
    if o.get("base_model") and not o.get("weights_file"):
        problems.append("a base_model needs the weights_file loaded over it")
    if o.get("ref_model") and p.hub_id and str(o["ref_model"]).casefold() == p.hub_id.casefold():
        problems.append("the reference model is the policy itself")
    if p.hub_id and not p.leaderboards and p.scorer != "judge":  # a judge may be known by its format alone
        problems.append("a hub model names the leaderboards it is on")
    return problems


def check_presets() -> dict[str, list[str]]:
    """Problems by preset name, for every packaged preset that has any."""
    return {name: found for name, p in presets().items() if (found := check_preset(p))}
