"""The `rmeval` command: parses options and calls the library; each subcommand lives in `rmeval.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from rmeval import __version__
from rmeval.common.errors import RunFailure
from rmeval.common.extras import MissingExtra

__all__ = ["COMMANDS", "main"]

COMMANDS = ("run", "report", "compare", "leaderboard", "merge", "cache", "models", "audit")
"""Subcommand modules under `rmeval.commands`; each has `add_parser(subparsers)` and `main(args) -> int`."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="rmeval", description="Evaluate reward models on RewardBench.")
    parser.add_argument("--version", action="version", version=f"rmeval {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"rmeval.commands.{name}").add_parser(sub)
    for command in sub.choices.values():  # `rmeval run ... -v` works as well as `rmeval -v run ...`
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="log more, and show the traceback of an error")
    return parser


USAGE_ERRORS = (ValueError, FileNotFoundError, NotADirectoryError, IsADirectoryError, MissingExtra)
"""Errors a user causes with an option or an input (a `DataError` is a ValueError): exit code 2."""


def _report(error: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exception(error)
    if isinstance(error, (*USAGE_ERRORS, RunFailure)):  # their messages say what is wrong and what to do
        print(f"rmeval: error: {error}", file=sys.stderr)
        return
    hint = "" if verbose else " (rerun with -v to see the traceback)"
    print(f"rmeval: error: {type(error).__name__}: {error}{hint}", file=sys.stderr)


def _quiet_stdout() -> None:
    """The reader of stdout went away (`rmeval report DIR | head`): what is left to print goes nowhere, quietly
    (Python would otherwise complain when it flushes stdout at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version", "-v", "--verbose")):
        argv = ["run", *argv]  # `rmeval` alone (or with run options) runs the default evaluation
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *argv])
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # inside the try: a reader that stopped early (`| head`) is met here, not at exit
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt as e:
        print(f"rmeval: {e or 'interrupted'}", file=sys.stderr)
        return 130
    except USAGE_ERRORS as e:
        _report(e, args.verbose)
        return 2
    except Exception as e:  # a failure of the run itself: one line, the traceback only with -v
        _report(e, args.verbose)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
