"""What a local model kind gets from the inference core: where it runs and in which precision (`place`), and the
scorer around its model (`pointwise_scorer`, `pairwise_scorer`, `step_scorer`): the reward guard, the score store,
fast-exact's plan, the batching and this process's share of a data-parallel run.

A kind's factory then reads as a recipe: place, load (`models.loading`), build its model, hand it to the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rmeval.common.runtime import pick_device
from rmeval.inference.batching import batching_for
from rmeval.inference.guards import GuardedModel, RewardGuard
from rmeval.inference.options import PrecisionOptions
from rmeval.inference.pairwise import PairwiseModel, PairwiseScorer
from rmeval.inference.parallel import process_share
from rmeval.inference.pointwise import E, PointwiseModel, PointwiseScorer
from rmeval.inference.precision import resolve_precision, stores_for
from rmeval.inference.scorestore import open_score_store
from rmeval.inference.step_options import StepModelOptions
from rmeval.inference.steps import StepModel, StepScorer

__all__ = ["Placement", "decoded", "pairwise_scorer", "place", "pointwise_scorer", "step_scorer"]

Opts = TypeVar("Opts")


@dataclass(frozen=True)
class Placement(Generic[Opts]):
    """Where a local model runs: its device, its options with the dtype `--precision` settles, and whether the run
    is fast-exact (bf16 speed, fp32 decisions)."""

    device: str
    options: Opts
    fast_exact: bool = False


def place(options: Opts) -> Placement[Opts]:
    """The device of `--device` (CUDA when present), and the precision of `--precision` for kinds that take it."""
    device = pick_device(getattr(options, "device", None))
    if isinstance(options, PrecisionOptions):
        settled, fast = resolve_precision(options, device)
        return Placement(device, settled, fast)  # type: ignore[arg-type]
    return Placement(device, options)


def pointwise_scorer(model: PointwiseModel[E], where: Placement[Any], seed: int, guard: RewardGuard, *,
                     layout: type[PointwiseScorer[Any]] = PointwiseScorer,
                     batch_size: int | None = None) -> PointwiseScorer[E]:
    """`model` behind its guard, with the score store, fast-exact's plan (seeded by `seed`), the batching of the
    options (`batch_size` overrides theirs: a kind that scores one text per call) and this process's share.
    `layout` is the adapter (the shared-prompt rows of implicit rewards)."""
    options = where.options
    store, plan = stores_for(options, model.fingerprint, where.device, seed, where.fast_exact)
    batching = batching_for(options.max_tokens_per_batch, batch_size or options.batch_size, where.device)
    scorer: PointwiseScorer[E] = layout(GuardedModel(model, guard), batching, store, process_share(), plan)
    return scorer


def pairwise_scorer(model: PairwiseModel[Any], where: Placement[Any], seed: int, guard: RewardGuard, *,
                    rule: str, tie_credit: float) -> PairwiseScorer[Any]:
    """`model` on the pairwise path (both orders of every pair, combined by `rule`), with the same core as
    `pointwise_scorer`; a tie earns `tie_credit`."""
    options = where.options
    store, plan = stores_for(options, model.fingerprint, where.device, seed, where.fast_exact)
    batching = batching_for(options.max_tokens_per_batch, options.batch_size, where.device)
    return PairwiseScorer(model, batching, rule, tie_credit, guard, store, process_share(), plan)


def step_scorer(model: StepModel, where: Placement[Any]) -> StepScorer:
    """A step-level `model` in the core: the score store (one dtype: no fast-exact), the batching of the options
    and this process's share; its guard is the model's own (a NaN step score stops the run)."""
    options: StepModelOptions = where.options
    store = open_score_store(options.score_cache, options.use_score_cache, model.fingerprint)
    return StepScorer(model, batching_for(options.max_tokens_per_batch, options.batch_size, where.device),
                      options.settings(), store, process_share())


def decoded(tokenizer: Any) -> Callable[[Any], str]:
    """How a guard shows an encoded text in its error: the tokenizer's decoding of its ids."""
    return lambda e: str(tokenizer.decode(e.ids))
