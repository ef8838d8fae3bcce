"""csv: the flat table, with spreadsheet formula injection neutralised (DESIGN §9)."""

import csv
import json
from typing import Any

from . import Column, Example, table_row

EXTENSION = "csv"
CONTENT_TYPE = "text/csv; charset=utf-8"
ROWS = "examples"

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection"), the
# full-width forms included: Excel with an East Asian input method reads `＝` as `=`.
FORMULA_SIGNS = frozenset("=+-@＝＋－＠")
# Tab and CR open a cell OWASP lists as dangerous on their own, and spreadsheets that trim the cell
# on import ("Trim spaces") turn any leading whitespace, line feeds included, into nothing.
WHITESPACE_STARTS = ("\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a would-be formula with a single quote so spreadsheets show it as text.

    A would-be formula starts with a formula sign, possibly after whitespace, or with tab or CR.
    """
    if text.startswith(WHITESPACE_STARTS) or text.lstrip()[:1] in FORMULA_SIGNS:
        return "'" + text
    return text


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
