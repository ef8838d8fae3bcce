"""parquet: the flat table, written in row groups so memory stays flat (DESIGN §5)."""

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import Column, Example, table_row

EXTENSION = "parquet"
CONTENT_TYPE = "application/vnd.apache.parquet"
ROWS = "examples"
ROW_GROUP_SIZE = 10_000

_TYPES = {"str": pa.string(), "float": pa.float64(), "list": pa.list_(pa.string()), "json": pa.string()}


def row(example: Example) -> dict:
    return table_row(example)


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "list":
        return [str(v) for v in value]
    if kind == "float":
        return float(value)
    return str(value)


class Writer:
    def __init__(self, path: str, *, columns: list[Column], row_group_size: int = ROW_GROUP_SIZE, **_: Any):
        self._columns = columns
        self._schema = pa.schema([pa.field(c.name, _TYPES[c.kind]) for c in columns])
        self._writer = pq.ParquetWriter(path, self._schema)
        self._buffer: dict[str, list] = {c.name: [] for c in columns}
        self._buffered = 0
        self._row_group_size = row_group_size

    def write_rows(self, rows: list[dict]) -> None:
        for row in rows:
            for column in self._columns:
                self._buffer[column.name].append(_encode(row.get(column.name), column.kind))
            self._buffered += 1
            if self._buffered >= self._row_group_size:
                self._flush()

    def _flush(self) -> None:
        if not self._buffered:
            return
        self._writer.write_table(pa.table(self._buffer, schema=self._schema))
        self._buffer = {c.name: [] for c in self._columns}
        self._buffered = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
