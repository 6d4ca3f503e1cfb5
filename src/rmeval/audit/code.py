"""Code pairs, run: every chosen and rejected program against its problem's own tests, in the sandbox, in parallel.

A pair is consistent when every chosen answer passes and every rejected one fails; it contradicts its label when a
chosen answer fails or a rejected one passes. It is not checkable when no problem matches its prompt, the
language's toolchain (or a header, module or crate a program needs) is missing here, or no sandbox can be had.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rmeval.audit.findings import Verdict
from rmeval.audit.humanevalpack import Problem, ProblemIndex
from rmeval.audit.sandbox import Limits, Outcome, Sandbox, probe
from rmeval.audit.targets import Target
from rmeval.audit.toolchains import Toolchain, missing_dependency, node_path, toolchain
from rmeval.types import Example

__all__ = ["ProgramResult", "check_code", "run_program"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgramResult:
    """One answer's program: passed, failed (with what), or not runnable here (`missing`)."""

    passed: bool
    summary: str
    missing: str | None = None
    seconds: float = 0.0


def _summary(step: str, outcome: Outcome) -> str:
    if outcome.timed_out:
        return f"{step} ran past its time limit"
    text = (outcome.stderr.strip() or outcome.stdout.strip()).splitlines()
    last = text[-1][:200] if text else ""
    return f"{step} exited {outcome.exit_code}" + (f": {last}" if last else "")


def run_program(tc: Toolchain, problem: Problem, answer: str, sandbox: Sandbox, compile_seconds: float
                ) -> ProgramResult:
    """Build and run one answer's program in a fresh folder; the folder is removed afterwards."""
    build = tc.build(problem, answer)
    if build.unavailable:
        return ProgramResult(False, build.unavailable, missing=build.unavailable)
    work = sandbox.folder()
    total = 0.0
    try:
        for name, text in build.files.items():
            (work / name).write_text(text, encoding="utf-8")
        for step in build.steps:
            outcome = sandbox.run(step.argv, work, compile_seconds if step.compile else None)
            total += outcome.seconds
            if outcome.exit_code == 97 and outcome.stderr.startswith("rmeval sandbox:"):
                return ProgramResult(False, outcome.stderr.strip(), missing=outcome.stderr.strip(), seconds=total)
            what = "the build" if step.compile and len(build.steps) > 1 else "the program"
            good = tc.passed(outcome) if step is build.steps[-1] else outcome.ok
            if not good:
                needed = missing_dependency(outcome)
                if needed:
                    return ProgramResult(False, f"needs {needed}, not installed here", missing=f"needs {needed}, not "
                                         "installed here", seconds=total)
                if outcome.ok:  # JavaScript: exited 0 but printed (a failed console.assert prints)
                    printed = (outcome.stderr.strip() or outcome.stdout.strip()).splitlines()[:1]
                    return ProgramResult(False, f"the program printed {printed[0][:200]!r}", seconds=total)
                return ProgramResult(False, _summary(what, outcome), seconds=total)
        return ProgramResult(True, "passes its tests", seconds=total)
    finally:
        sandbox.remove(work)


def _verdict(ex: Example, target: Target, chosen: Sequence[ProgramResult], rejected: Sequence[ProgramResult]
             ) -> Verdict:
    key = (ex.subset, str(ex.id), "code")
    missing = next((r.missing for r in (*chosen, *rejected) if r.missing), None)
    details = {"chosen": [r.summary for r in chosen], "rejected": [r.summary for r in rejected],
               "language": target.language}
    if missing:
        return Verdict(*key, "not_checkable", missing, details)
    problems = [f"chosen {i + 1} fails its tests ({r.summary})" if len(chosen) > 1 else
                f"the chosen fails its tests ({r.summary})" for i, r in enumerate(chosen) if not r.passed]
    problems += [f"rejected {i + 1} passes its tests" if len(rejected) > 1 else "the rejected passes its tests"
                 for i, r in enumerate(rejected) if r.passed]
    if problems:
        return Verdict(*key, "contradicting", "; ".join(problems), details)
    return Verdict(*key, "consistent", "the chosen passes, the rejected fails", details)


def _unchecked(isolated: bool, how: str, tc: Toolchain, index: ProblemIndex | str, problem: Problem | None
               ) -> str | None:
    """Why a pair cannot be run here, if it cannot."""
    if not isolated:
        return f"no sandbox here: {how}"
    if tc.missing:
        return tc.missing
    if isinstance(index, str):
        return index
    if problem is None:
        return f"no {tc.language} problem of {index.source} has this prompt"
    return None


def check_code(examples: Sequence[Example], targets: Mapping[str, Target],
               problems: Callable[[str | None], ProblemIndex | str], limits: Limits, jobs: int,
               compile_seconds: float = 60.0, progress: Callable[[int], None] | None = None) -> list[Verdict]:
    """Verdicts of the code subsets' pairs. `problems(tests)` gives the problem index of a tests source (None: the
    default), or the reason it cannot be read."""
    isolated, how = probe()
    verdicts: dict[int, Verdict] = {}
    jobs_todo: list[tuple[int, Toolchain, Problem, str]] = []
    for i, ex in enumerate(examples):
        target = targets[ex.subset]
        key = (ex.subset, str(ex.id), "code")
        tc = toolchain(target.language or "python")
        index = problems(target.tests)
        problem = index.find(tc.language, ex.prompt[-1].content) if isinstance(index, ProblemIndex) else None
        reason = _unchecked(isolated, how, tc, index, problem)
        if reason or problem is None:
            verdicts[i] = Verdict(*key, "not_checkable", reason or "no problem", {"language": target.language})
            continue
        jobs_todo += [(i, tc, problem, answer) for answer in ex.candidates]
    extra = {"NODE_PATH": ":".join(node_path())} if any(t.language == "js" for t in targets.values()) else {}
    folders = [f for _, tc, _, _ in jobs_todo for f in tc.folders]
    sandbox = Sandbox(limits, path=list(dict.fromkeys(folders)), extra_env={k: v for k, v in extra.items() if v})

    def run(job: tuple[int, Toolchain, Problem, str]) -> ProgramResult:
        result = run_program(job[1], job[2], job[3], sandbox, compile_seconds)
        if progress is not None:
            progress(1)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each job waits on its own sandboxed process
        results = list(pool.map(run, jobs_todo))
    by_example: dict[int, list[ProgramResult]] = {}
    for (i, *_), result in zip(jobs_todo, results, strict=True):
        by_example.setdefault(i, []).append(result)
    for i, found in by_example.items():
        ex = examples[i]
        verdicts[i] = _verdict(ex, targets[ex.subset], found[:len(ex.chosen)], found[len(ex.chosen):])
    return [verdicts[i] for i in range(len(examples))]
