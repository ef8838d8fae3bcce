"""csv: the flat table, with spreadsheet formula injection neutralised (DESIGN §9)."""

import csv
import json
from typing import Any

from . import Column, Example, table_row

EXTENSION = "csv"
CONTENT_TYPE = "text/csv; charset=utf-8"
ROWS = "examples"

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a would-be formula with a single quote so spreadsheets show it as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def encode(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind in ("json", "list"):
        return neutralise(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, float):
        return repr(value)
    return neutralise(str(value))


def row(example: Example) -> dict:
    return table_row(example)


class Writer:
    def __init__(self, path: str, *, columns: list[Column], **_: Any):
        self._file = open(path, "w", encoding="utf-8", newline="")
        self._columns = columns
        self._csv = csv.writer(self._file)
        self._csv.writerow([c.name for c in columns])

    def write_rows(self, rows: list[dict]) -> None:
        columns = self._columns
        self._csv.writerows([[encode(row.get(c.name), c.kind) for c in columns] for row in rows])

    def close(self) -> None:
        self._file.close()
