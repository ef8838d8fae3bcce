"""alpaca.json: one JSON array of `{"instruction", "input", "output"}`, written incrementally."""

from typing import Any

from . import Example
from .jsonl import string

EXTENSION = "json"
CONTENT_TYPE = "application/json"
ROWS = "examples"


def row(example: Example) -> str:
    """The element as JSON text, the bytes json.dumps would write."""
    return (
        f'{{"instruction": {string(example.prompt)}, "input": {string(example.input or "")}, '
        f'"output": {string(example.completion)}}}'
    )


class Writer:
    """Stream a JSON array: the opening bracket, one element per line, the closing bracket on close."""

    def __init__(self, path: str, **_: Any):
        self._file = open(path, "w", encoding="utf-8", newline="\n")
        self._file.write("[")
        self._first = True

    def write_rows(self, rows: list[str]) -> None:
        if not rows:
            return
        self._file.write("\n" if self._first else ",\n")
        self._first = False
        self._file.write(",\n".join(rows))

    def close(self) -> None:
        self._file.write("\n]\n")
        self._file.close()
