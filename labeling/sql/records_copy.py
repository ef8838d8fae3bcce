"""The bulk write of records on PostgreSQL: COPY for new records, one UPDATE for existing ones.

The ORM's bulk_create spends more time building SQL and adapting JSON parameters than PostgreSQL
spends storing the rows (DESIGN §8). What these statements store matches the ORM path field by field
(`tests/sql_parity/test_records_copy.py`): JSON as JSONField encodes it (json.dumps), datetimes and
UUIDs as PostgreSQL reads their text. Columns are Record's concrete fields, in model order, the order
`Record.from_db` expects of a row.
"""

import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import models

from config import rows

from ..models import Record

COPY_CHUNK = 1_000  # rows per write to the COPY stream
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _json_encoder() -> Callable[[Any], str]:
    """json.dumps without its per-call set-up: the same C encoder with the same settings, made once.

    The text is json.dumps's to the byte (what JSONField stores). It skips the circular-reference
    check, which parsed JSON, CSV and Parquet values cannot need.
    """
    make = json.encoder.c_make_encoder
    if make is None:  # a Python built without the _json accelerator
        return json.dumps
    encode = make(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                  False, False, True)
    return lambda value: "".join(encode(value, 0))


json_text = _json_encoder()


def _copy_text(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def _copy_json(value: Any) -> str:
    # json.dumps output is ASCII without control characters: only its backslashes need escaping.
    return json_text(value).replace("\\", "\\\\")


def _copy_datetime(value: datetime) -> str:
    return value.isoformat()


def _copy_other(value: Any) -> str:
    """UUIDs and integers: their text is what PostgreSQL reads; None is COPY's NULL."""
    return "\\N" if value is None else str(value)


def _copy_encoder(field: models.Field) -> Callable[[Any], str]:
    if isinstance(field, models.JSONField):
        return _copy_json
    if isinstance(field, models.DateTimeField):
        return _copy_datetime
    if isinstance(field, (models.CharField, models.TextField)):
        return _copy_text
    return _copy_other


@cache
def record_attnames() -> tuple[str, ...]:
    """Record's concrete fields by attname, in model order: the order of a row."""
    return tuple(f.attname for f in Record._meta.concrete_fields)


@cache
def record_row() -> Callable[[Mapping[str, Any]], tuple]:
    """A function turning `{attname: value}` for every concrete field into a row in model order."""
    return operator.itemgetter(*record_attnames())


@cache
def _copy_sql() -> tuple[str, tuple[Callable[[Any], str], ...]]:
    fields = Record._meta.concrete_fields
    qn = rows.this_threads_connection().ops.quote_name
    sql = f"COPY {qn(Record._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    return sql, tuple(_copy_encoder(f) for f in fields)


def records_insert(new_rows: Iterable[Sequence]) -> None:
    """COPY `new_rows` (rows in model order) into the record table, sent in chunks as they are made, so
    PostgreSQL stores one chunk while Python encodes the next.

    ORM equivalent: `Record.objects.bulk_create([Record(**dict(zip(record_attnames(), row))) ...])`.
    """
    db = rows.this_threads_connection()
    sql, encoders = _copy_sql()
    lines: list[str] = []
    # Django wraps errors of execute() only; COPY goes to the driver directly.
    with db.cursor() as cursor, db.wrap_database_errors, cursor.copy(sql) as copy:
        for row in new_rows:
            lines.append("\t".join([encode(value) for encode, value in zip(encoders, row)]) + "\n")
            if len(lines) == COPY_CHUNK:
                copy.write("".join(lines))
                lines.clear()
        if lines:
            copy.write("".join(lines))


def records_by_external_id(dataset_id, external_ids: list[str]) -> dict[str, tuple]:
    """`{external_id: (external_id, id, inserted_at, ordinal, metadata, status, submitted_count)}` for the
    dataset's records among `external_ids` (metadata as JSON text).

    ORM equivalent: `Record.objects.filter(dataset_id=..., external_id__in=external_ids)`.
    """
    db = rows.this_threads_connection()
    qn = db.ops.quote_name
    names = ("external_id", "id", "inserted_at", "ordinal", "metadata", "status", "submitted_count")
    columns = ", ".join(qn(Record._meta.get_field(name).column) for name in names)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(Record._meta.db_table)} WHERE dataset_id = %s "
                       "AND external_id = ANY(%s)", [dataset_id, external_ids])
        return {row[0]: row for row in cursor.fetchall()}


def max_ordinal(dataset_id) -> int:
    """The dataset's highest record ordinal, 0 when it has none.

    ORM equivalent: `Record.objects.filter(dataset_id=...).aggregate(m=Max("ordinal"))["m"] or 0`.
    """
    db = rows.this_threads_connection()
    with db.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(ordinal), 0) FROM {db.ops.quote_name(Record._meta.db_table)} "
                       "WHERE dataset_id = %s", [dataset_id])
        return cursor.fetchone()[0]


def records_update(changes: Sequence[tuple[Any, str, str | None]], now: datetime) -> None:
    """Replace fields, and metadata unless its JSON text is None, of records `(id, fields, metadata)`,
    and set their updated_at, in one statement.

    ORM equivalent: `Record.objects.bulk_update(records, ["fields", "metadata", "updated_at"])`.
    """
    ids, fields, metadata = (list(column) for column in zip(*changes, strict=True))
    db = rows.this_threads_connection()
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {db.ops.quote_name(Record._meta.db_table)} AS r SET fields = v.fields, "
            "metadata = COALESCE(v.metadata, r.metadata), updated_at = %s "
            "FROM unnest(%s::uuid[], %s::jsonb[], %s::jsonb[]) AS v(id, fields, metadata) WHERE r.id = v.id",
            [now, ids, fields, metadata],
        )
