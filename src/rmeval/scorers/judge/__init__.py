"""Generative judges as reward models: judge formats (prompt, verdict syntax, what a verdict means), engines,
votes over samples, order and failure policies, token counts and cost.

Importing this package registers the `judge` scorer; engines (httpx, torch, vllm) load only when a judge is built.
"""

from rmeval.scorers.judge.factory import JudgeOptions, build_judge, default_cache_dir
from rmeval.scorers.judge.formats import JudgeFormat, format_names, load_format, resolve_formats
from rmeval.scorers.judge.order import ORDER_POLICIES, presentations, seeded_permutation
from rmeval.scorers.judge.parsers import parse_label, parse_pairwise, parse_rating
from rmeval.scorers.judge.scorer import JudgeScorer
from rmeval.scorers.judge.templates import MODES, JudgeTemplate, builtin_template, load_template, resolve_templates
from rmeval.scorers.judge.verdicts import FAILURE_POLICIES

__all__ = [
    "FAILURE_POLICIES",
    "MODES",
    "ORDER_POLICIES",
    "JudgeFormat",
    "JudgeOptions",
    "JudgeScorer",
    "JudgeTemplate",
    "build_judge",
    "builtin_template",
    "default_cache_dir",
    "format_names",
    "load_format",
    "load_template",
    "parse_label",
    "parse_pairwise",
    "parse_rating",
    "presentations",
    "resolve_formats",
    "resolve_templates",
    "seeded_permutation",
]
