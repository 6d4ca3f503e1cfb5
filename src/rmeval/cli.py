"""The `rmeval` command: parses options and calls the library; each subcommand lives in `rmeval.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from rmeval import __version__
from rmeval.common.extras import MissingExtra

__all__ = ["COMMANDS", "main"]

COMMANDS = ("run", "report", "compare", "leaderboard", "models")
"""Subcommand modules under `rmeval.commands`; each has `add_parser(subparsers)` and `main(args) -> int`."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="rmeval", description="Evaluate reward models on RewardBench.")
    parser.add_argument("--version", action="version", version=f"rmeval {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"rmeval.commands.{name}").add_parser(sub)
    return parser


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
    except (ValueError, FileNotFoundError, MissingExtra) as e:  # DataError is a ValueError: file, row, field
        print(f"rmeval: error: {e}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
