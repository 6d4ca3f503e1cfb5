"""What can go wrong, as the command line reports it: one line each, and an exit code that says whose it was.

- A usage or data error (a bad option, an invalid file, a missing extra): exit 2. `ValueError` and its kin
  (`DataError` is one) are usage errors; so is `UsageError`, raised where no more specific type fits.
- A run that could not complete (every judge request failed, a model that produced nothing usable): `RunFailure`,
  exit 1. Any other unexpected error is reported the same way, with `-v` for its traceback.
- Ctrl-C: exit 130, with what was kept and how to resume (`Interrupted` carries that line).
"""

from __future__ import annotations

__all__ = ["Interrupted", "RunFailure", "UsageError"]


class UsageError(ValueError):
    """The user asked for something that cannot be done as asked; the message says what to do instead."""


class RunFailure(RuntimeError):
    """The run started but could not produce a trustworthy result; nothing was written."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with the one line to show: what was kept and how to resume."""
