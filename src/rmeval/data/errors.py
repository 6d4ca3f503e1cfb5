"""The one error type for bad input: it names the file, the row and the field."""

from __future__ import annotations

__all__ = ["DataError"]


class DataError(ValueError):
    """Invalid input data, located as precisely as the source allows."""

    def __init__(self, source: str, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.source = source
        self.row = row
        self.field = field
        self.message = message
        where = source
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
