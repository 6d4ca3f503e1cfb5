"""Data: reading files and hub datasets, validating rows into examples, rendering chats."""

from rmeval.data.errors import DataError
from rmeval.data.load import LoadedData, load_examples, select_examples
from rmeval.data.schema import ColumnMap

__all__ = ["ColumnMap", "DataError", "LoadedData", "load_examples", "select_examples"]
