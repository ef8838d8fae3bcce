"""The distribution's bulk insert of assignments on PostgreSQL (DESIGN §4, issue 5).

A distribution writes up to hundreds of thousands of (record, annotator) pairs in one transaction;
building and binding a Python object per row dominated `bulk_create`'s time, so on PostgreSQL the
rows go in as arrays through `unnest`, their ids and times made by the server (bench/README.md,
Distribution).
"""

import os
import time
from functools import cache

from django.db import connection

from ..models import Assignment

UNNEST_BATCH = 50_000
# Byte 8 of a UUID starts with its variant, binary 10 for RFC 9562 ones.
_RFC_VARIANT = bytes(0x80 | byte & 0x3F for byte in range(256))


@cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = Assignment._meta
    columns = ", ".join(quote(meta.get_field(name).column)
                        for name in ("id", "inserted_at", "updated_at", "record", "user", "assigned_by"))
    return (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            "SELECT encode(int8send((s.n >> 12 << 16) | (7 << 12) | (s.n & 4095))"
            " || substring(%s::bytea FROM s.k::int * 8 - 7 FOR 8), 'hex')::uuid, now(), now(), s.r, s.u, %s "
            "FROM (SELECT t.r, u.id AS u, row_number() OVER w AS k, %s::int8 + row_number() OVER w AS n"
            " FROM unnest(%s::uuid[], %s::int[]) AS t(r, p)"
            " JOIN unnest(%s::uuid[]) WITH ORDINALITY AS u(id, p) USING (p)"
            " WINDOW w AS (ORDER BY t.r, u.id)) AS s "
            "ORDER BY s.r, s.u")


def assignments_insert(pairs: list[tuple], *, assigned_by_id) -> None:
    """Insert (record id, user id) pairs as assignments, PostgreSQL only, in (record, user) order.

    ORM equivalent: `Assignment.objects.bulk_create([Assignment(record_id=r, user_id=u,
    assigned_by_id=assigned_by_id) for r, u in pairs])`, with version 7 ids rising in insertion order
    (`labeling.models.uuid7`).

    Rows go in the order of the unique index, so its pages fill one after another. The arrays are
    sent as ready-made text literals: psycopg dumps a list element by element in Python. A record's
    pairs come one after another (the planner groups them), so each record id is turned into text
    once. Users travel as positions in a short array of their ids, found by identity since the
    planner returns the key objects it was given. The server sorts each chunk, far cheaper than the
    random index insertions it saves. Chunks go through a pipeline, so the next one is built while
    the server inserts the last; an error surfaces at the latest when the pipeline ends.

    Ids are version 7 UUIDs that rise in insertion order, so the primary key index is only appended
    to. Their 48 millisecond bits and the 12 after the version hold one counter, this run's start in
    milliseconds times 4096 plus the row's number (RFC 9562 §6.2 lets a counter run the timestamp
    ahead, here by one millisecond per 4,096 rows). The 62 bits after the variant come from
    os.urandom, sent as one bytea per chunk, which costs the server less than gen_random_uuid().
    """
    sql = _insert_sql(connection.vendor)
    users = list({id(user): user for _, user in pairs}.values())
    position = {id(user): str(index) for index, user in enumerate(users, start=1)}
    counter = (time.time_ns() // 1_000_000) << 12
    with connection.cursor() as cursor, connection.wrap_database_errors, connection.connection.pipeline():
        for start in range(0, len(pairs), UNNEST_BATCH):
            records, positions, last, text = [], [], None, ""
            for record, user in pairs[start : start + UNNEST_BATCH]:
                if record is not last:
                    last, text = record, str(record)
                records.append(text)
                positions.append(position[id(user)])
            random_bits = bytearray(os.urandom(8 * len(records)))
            random_bits[::8] = random_bits[::8].translate(_RFC_VARIANT)
            cursor.execute(sql, [bytes(random_bits), assigned_by_id, counter + start, "{" + ",".join(records) + "}",
                                 "{" + ",".join(positions) + "}", users])
