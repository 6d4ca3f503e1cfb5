"""The static leaderboard site: built from result folders alone (no model, no torch), opens from disk."""

from rmeval.site.build import SiteBuild, build_site, load_entries
from rmeval.site.entries import KINDS, Entry, load_entry, scorer_kind
from rmeval.site.formats import FORMATS, render_table

__all__ = ["FORMATS", "KINDS", "Entry", "SiteBuild", "build_site", "load_entries", "load_entry", "render_table",
           "scorer_kind"]
