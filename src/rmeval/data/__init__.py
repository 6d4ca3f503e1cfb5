"""Data: reading files and hub datasets, validating rows into examples, rendering chats."""

from rmeval.data.columns import ColumnMap, parse_label_map
from rmeval.data.errors import DataError
from rmeval.data.load import LoadedData, load_examples, select_examples

__all__ = ["ColumnMap", "DataError", "LoadedData", "load_examples", "parse_label_map", "select_examples"]
