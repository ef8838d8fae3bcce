"""JSON writing shared by the JSON formats: rows arrive as JSON texts, written one chunk per `write()`.

`dumps` and `string` give exactly what `json.dumps(value, ensure_ascii=False, default=str)` gives
(UTF-8 text, non-ASCII unescaped, `", "` and `": "` separators), without building an encoder per
call; the SFT formats assemble their lines from `string`-encoded texts around fixed keys.
"""

import json
import json.encoder
from typing import Any

dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
# The C string encoder json.dumps itself uses when ensure_ascii is off.
string = json.encoder.encode_basestring


class JsonLinesWriter:
    """Write one JSON text per line, UTF-8."""

    def __init__(self, path: str, **_: Any):
        self._file = open(path, "w", encoding="utf-8", newline="\n")

    def write_rows(self, rows: list[str]) -> None:
        if rows:
            self._file.write("\n".join(rows))
            self._file.write("\n")

    def close(self) -> None:
        self._file.close()
