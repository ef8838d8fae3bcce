"""Readers for import files (CSV, JSON lines, JSON array, Parquet) with bounded memory (DESIGN §9).

Each reader yields `(line, row)` where `line` is the 1-based line (row number for Parquet) a
user would look at, and `row` is a dict, or a `RowError` for a row that cannot be parsed but
does not stop the file (a broken JSON line). Problems that make the rest of the file unreadable
raise InvalidImportFile with the line number.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidImportFile

MAX_LINE_BYTES = 8 * 1024 * 1024
READ_CHUNK = 1024 * 1024
PARQUET_BATCH = 5_000

# The stdlib default (128 KiB) would refuse long demonstrations; our own ceiling is the line limit.
csv.field_size_limit(MAX_LINE_BYTES)


@dataclass(frozen=True)
class RowError:
    message: str


def _not_utf8(line: int) -> InvalidImportFile:
    return InvalidImportFile(
        f"Line {line} is not valid UTF-8 text. Save the file with UTF-8 encoding and upload it again.",
        details={"line": line},
    )


def _text_lines(handle) -> Iterator[str]:
    """Decode a binary file line by line, so an encoding error names its line; lines are bounded."""
    line = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line += 1
        if len(raw) > MAX_LINE_BYTES:
            raise InvalidImportFile(f"Line {line} is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB.", details={"line": line})
        try:
            yield raw.decode("utf-8-sig" if line == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(line) from None


def read_csv(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """Rows keyed by the header; a multi-line cell is reported at the line where its row starts."""
    with open(path, "rb") as handle:
        reader = csv.reader(_text_lines(handle))
        try:
            header = next(reader, None)
            if not header:
                raise InvalidImportFile("The CSV file is empty: it needs a header row naming the columns.")
            header = [name.strip() for name in header]
            if len(set(header)) != len(header):
                raise InvalidImportFile("The CSV header names a column twice.", details={"line": 1})
            start = reader.line_num + 1
            for values in reader:
                line = start
                start = reader.line_num + 1
                if not values or values == [""]:
                    continue
                if len(values) != len(header):
                    yield line, RowError(f"This row has {len(values)} cells; the header has {len(header)}.")
                    continue
                yield line, dict(zip(header, values))
        except csv.Error as exc:
            raise InvalidImportFile(f"Line {reader.line_num}: the CSV cannot be read ({exc}).", details={"line": reader.line_num}) from None


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """One JSON object per line; blank lines are ignored, a broken line is a bad row."""
    with open(path, "rb") as handle:
        for line, text in enumerate(_text_lines(handle), start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield line, RowError(f"Not valid JSON: {exc.msg} (column {exc.colno}).")
                continue
            yield line, row if isinstance(row, dict) else RowError("Each line must be a JSON object.")


class _ArrayText:
    """The not yet parsed text of a JSON array file, decoded a chunk at a time; `line` is where it starts."""

    def __init__(self, handle):
        self.handle = handle
        self.buffer, self.line, self.eof, self.pending = "", 1, False, b""

    def fill(self) -> bool:
        """Append the next chunk; False at the end of the file."""
        if self.eof:
            return False
        chunk = self.handle.read(READ_CHUNK)
        if not chunk:
            self.eof = True
            if self.pending:
                raise _not_utf8(self.line)
            return False
        data = self.pending + chunk
        # Keep an incomplete multi-byte character for the next read.
        for cut in range(len(data), max(len(data) - 4, -1), -1):
            try:
                self.buffer += data[:cut].decode("utf-8")
                self.pending = data[cut:]
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _not_utf8(self.line + self.buffer.count("\n"))
        if len(self.buffer) > MAX_LINE_BYTES:
            raise InvalidImportFile(f"An element near line {self.line} is larger than {MAX_LINE_BYTES // (1024 * 1024)} MiB.")
        return True

    def skip_space(self) -> None:
        while True:
            stripped = self.buffer.lstrip(" \t\r\n\ufeff")
            self.line += self.buffer[: len(self.buffer) - len(stripped)].count("\n")
            self.buffer = stripped
            if self.buffer or not self.fill():
                return

    def take(self, end: int) -> None:
        """Drop the first `end` characters, counting their lines."""
        self.line += self.buffer[:end].count("\n")
        self.buffer = self.buffer[end:]

    def element(self, decoder: json.JSONDecoder) -> tuple:
        """The next JSON value and where it ends, reading more of the file until it is complete."""
        while True:
            try:
                return decoder.raw_decode(self.buffer)
            except json.JSONDecodeError as exc:
                if not self.fill():
                    line = self.line + exc.lineno - 1
                    raise InvalidImportFile(f"Line {line}: not valid JSON ({exc.msg}).", details={"line": line}) from None


def read_json_array(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """A JSON array of objects, decoded one element at a time so only one element is in memory."""
    decoder = json.JSONDecoder()
    with open(path, "rb") as handle:
        text = _ArrayText(handle)
        text.skip_space()
        if not text.buffer.startswith("["):
            raise InvalidImportFile("A .json file must hold one JSON array of objects, starting with '['.", details={"line": text.line})
        text.take(1)
        text.skip_space()
        if text.buffer.startswith("]"):
            return
        while True:
            element, end = text.element(decoder)
            yield text.line, element if isinstance(element, dict) else RowError("Each element must be a JSON object.")
            text.take(end)
            text.skip_space()
            if text.buffer.startswith(","):
                text.take(1)
                text.skip_space()
            elif text.buffer.startswith("]"):
                return
            else:
                raise InvalidImportFile(f"Line {text.line}: expected ',' or ']' between elements.", details={"line": text.line})


def read_parquet(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """Rows of a Parquet file, a batch at a time; `line` is the 1-based row number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidImportFile(f"The file is not a readable Parquet file ({exc}).") from None
    line = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH):
        for row in batch.to_pylist():
            line += 1
            yield line, row


READERS = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json_array, "parquet": read_parquet}
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet"}


def format_for(filename: str) -> str | None:
    return EXTENSIONS.get(Path(filename).suffix.lower())
