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


def copy_text(value: str | None) -> str:
    """A text value in COPY's text format (None is its NULL)."""
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def copy_json(value: Any) -> str:
    """A JSON value as JSONField stores it, in COPY's text format."""
    # json.dumps output is ASCII without control characters: only its backslashes need escaping.
    return json_text(value).replace("\\", "\\\\")


def _copy_constant(field: models.Field, value: Any) -> str:
    if isinstance(field, models.JSONField):
        return copy_json(value)
    if isinstance(field, models.DateTimeField):
        return value.isoformat()
    if value is None or isinstance(field, (models.CharField, models.TextField)):
        return copy_text(value)
    return str(value)  # UUIDs and integers: their text is what PostgreSQL reads


@cache
def record_attnames() -> tuple[str, ...]:
    """Record's concrete fields by attname, in model order: the order of a row."""
    return tuple(f.attname for f in Record._meta.concrete_fields)


@cache
def record_row() -> Callable[[Mapping[str, Any]], tuple]:
    """A function turning `{attname: value}` for every concrete field into a row in model order."""
    return operator.itemgetter(*record_attnames())


def line_template(constants: Mapping[str, Any]) -> str:
    """A `str.format` template of one record's COPY line, columns in model order: the `constants`
    (`{attname: value}`, the same for every row of a call) already encoded, `{attname}` for the others.

    Fill it with UUIDs and integers as they are, text through `copy_text`, JSON through `copy_json`.
    """
    columns = []
    for field in Record._meta.concrete_fields:
        if field.attname in constants:
            columns.append(_copy_constant(field, constants[field.attname]).replace("{", "{{").replace("}", "}}"))
        else:
            columns.append(f"{{{field.attname}}}")
    return "\t".join(columns) + "\n"


@cache
def _copy_sql() -> str:
    qn = rows.this_threads_connection().ops.quote_name
    columns = ", ".join(qn(f.column) for f in Record._meta.concrete_fields)
    return f"COPY {qn(Record._meta.db_table)} ({columns}) FROM STDIN"


def records_insert(lines: Iterable[str]) -> None:
    """COPY `lines` (filled `line_template`s) into the record table, sent in chunks as they are made,
    so PostgreSQL stores one chunk while Python encodes the next.

    ORM equivalent: `Record.objects.bulk_create(records)`.
    """
    db = rows.this_threads_connection()
    chunk: list[str] = []
    # Django wraps errors of execute() only; COPY goes to the driver directly.
    with db.cursor() as cursor, db.wrap_database_errors, cursor.copy(_copy_sql()) as copy:
        for line in lines:
            chunk.append(line)
            if len(chunk) == COPY_CHUNK:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))


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
