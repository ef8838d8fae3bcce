"""alpaca.json: one JSON array of `{"instruction", "input", "output"}`, written incrementally."""

import json
from typing import Any

from . import Example

EXTENSION = "json"
CONTENT_TYPE = "application/json"
ROWS = "examples"


def row(example: Example) -> dict:
    return {"instruction": example.prompt, "input": example.input or "", "output": example.completion}


class Writer:
    """Stream a JSON array: the opening bracket, one element per line, the closing bracket on close."""

    def __init__(self, path: str, **_: Any):
        self._file = open(path, "w", encoding="utf-8", newline="\n")
        self._file.write("[")
        self._first = True

    def write(self, row: dict) -> None:
        self._file.write("\n" if self._first else ",\n")
        self._first = False
        self._file.write(json.dumps(row, ensure_ascii=False))

    def close(self) -> None:
        self._file.write("\n]\n")
        self._file.close()
