"""`rmeval leaderboard RESULTS_DIR... --out SITE_DIR`: a static leaderboard site, or its table for papers."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from rmeval.common.jsonio import atomic_write_text
from rmeval.report.verify import refuse_unverified, verify_folders
from rmeval.site import FORMATS, Entry, build_site, load_entries, render_table
from rmeval.site.entries import find_run_dirs

__all__ = ["add_parser", "main"]


def add_parser(sub: Any) -> None:
    """Register `leaderboard`."""
    p = sub.add_parser("leaderboard", help="build a leaderboard site (or table) from result folders",
                       description="Build a static, self-contained leaderboard website from result folders (each "
                                   "path is a result folder or a folder holding several), or write its table as "
                                   "Markdown, CSV or LaTeX.")
    p.add_argument("results", type=Path, nargs="+", metavar="RESULTS_DIR", help="result folders, or folders of them")
    p.add_argument("--out", type=Path, help="site folder (default: site); with --format, the table file "
                                            "(default: standard output)")
    p.add_argument("--format", choices=FORMATS, help="write the table in this format instead of the site")
    p.add_argument("--serve", action="store_true", help="after building, preview the site on localhost")
    p.add_argument("--port", type=int, default=8000, help="port of --serve (default 8000; 0 picks a free one)")
    p.add_argument("--trust", action="store_true", help="show folders that do not verify (samples edited, numbers "
                                                        "that do not recompute), marked, instead of refusing them")
    p.set_defaults(handler=main)


def verified_entries(paths: list[Path], trust: bool, text: bool) -> list[Entry]:
    """The entries of every result folder under `paths`, each folder first verified as `rmeval report` does
    (refused unless `trust`; shown marked with it: the site's "!", and "(unverified)" after the name in a table)."""
    folders = find_run_dirs(paths)
    bad = {v.folder for v in refuse_unverified(verify_folders(folders), trust)}
    entries = load_entries(folders)
    for i, e in enumerate(entries):
        if e.folder in bad:
            entries[i] = replace(e, verified=False, model=f"{e.model} (unverified)" if text else e.model)
    return entries


def main(args: argparse.Namespace) -> int:
    """Build the site or write the table."""
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535 (0 picks a free one), got {args.port}")
    entries = verified_entries(args.results, args.trust, text=bool(args.format))
    if args.format:
        if args.serve:
            raise ValueError("--serve previews the site; it does not go with --format")
        text = render_table(entries, args.format)
        if args.out is None:
            print(text, end="")
        else:
            atomic_write_text(args.out, text)
            print(f"wrote the {args.format} table of {len(entries)} entries to {args.out}")
        return 0
    build = build_site(entries, args.out or Path("site"))
    unverified = [e.model for e in entries if e.verified is False]
    print(f"wrote {build.pages} pages for {len(entries)} entries: {build.index}")
    if unverified:
        print(f"WARNING: recomputed metrics differ from result.json for: {', '.join(unverified)}")
    if args.serve:
        from rmeval.site.serve import serve

        serve(build.out_dir, args.port)
    return 0
