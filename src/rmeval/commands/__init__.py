"""Subcommands of the `rmeval` CLI, one module each."""
