"""JSON lines writing, shared by the .jsonl formats."""

import json
from typing import Any


class JsonLinesWriter:
    """Write one JSON object per line, UTF-8, without escaping non-ASCII text."""

    def __init__(self, path: str, **_: Any):
        self._file = open(path, "w", encoding="utf-8", newline="\n")

    def write(self, row: dict) -> None:
        self._file.write(json.dumps(row, ensure_ascii=False, default=str))
        self._file.write("\n")

    def close(self) -> None:
        self._file.close()
