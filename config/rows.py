"""Model instances from hand-written SQL, run through prepared statements.

The annotation loop (DESIGN §8) runs a handful of statements per call; for those, building the
equivalent querysets cost more CPU than the database spent answering them, and PostgreSQL spent more
planning them than running them. The statements are written once per process, prepared once per
connection, and their rows become ordinary model instances here, with the same converters the ORM
applies (UUIDs and datetimes on SQLite, JSON everywhere).
"""

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from psycopg.errors import DataError

_logger = logging.getLogger("django.db.backends")


def _runs_prepared(db) -> bool:
    return db.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS and not db.execute_wrappers


def this_threads_connection():
    """The default database's connection for this thread, looked up once.

    `django.db.connection` is a proxy that looks the connection up again (in an asgiref Local) on
    every attribute access, and the annotation loop reads it many times per request.
    """
    return connections[DEFAULT_DB_ALIAS]


def _run(sql: str, params: Sequence, fetch: Callable):
    """Run one statement and `fetch` its result.

    On PostgreSQL with prepared statements, through the connection's one reused psycopg cursor
    (`config.postgresql.DatabaseWrapper.statement_cursor`), with the checks and error translation
    Django's cursor wrapper applies. Its parameters are bound by the server and the connection
    (settings DB_PREPARED_STATEMENTS) prepares each statement on first use, so PostgreSQL plans it
    once per connection; the ORM's cursors bind on the client and are never prepared, and a new
    wrapped cursor per statement costs CPU on top of the round trip. While queries are logged (DEBUG,
    tests counting queries) it is the same cursor, and the statement is logged as Django's debug
    cursor logs it. Under execute wrappers (which take Django's cursor) it is the ORM's cursor.
    """
    db = this_threads_connection()
    if not _runs_prepared(db):
        with db.cursor() as statement:
            statement.execute(sql, params)
            return fetch(statement)
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        statement = db.statement_cursor()
        if db.queries_logged:
            with _logged(db, sql, params):
                statement.execute(sql, params)
        else:
            statement.execute(sql, params)
        return fetch(statement)


def _with_values(db, sql: str, params: Sequence) -> str:
    """The statement with its values, as the log of Django's cursors shows it."""
    try:
        return db.ops.compose_sql(sql, params)
    except DataError:
        return sql


@contextmanager
def _logged(db, sql: str, params: Sequence):
    """Record the statement in `db.queries_log` and the `django.db.backends` log, as Django's
    CursorDebugWrapper does, so that DEBUG and query-counting tests see every statement."""
    start = time.monotonic()
    try:
        yield
    finally:
        duration = time.monotonic() - start
        text = _with_values(db, sql, params)
        db.queries_log.append({"sql": text, "time": f"{duration:.3f}"})
        _logger.debug("(%.3f) %s; args=%s; alias=%s", duration, text, params, db.alias,
                      extra={"duration": duration, "sql": text, "params": params, "alias": db.alias})


def fetch_one(sql: str, params: Sequence) -> tuple | None:
    return _run(sql, params, _fetch_one)


def fetch_all(sql: str, params: Sequence) -> list[tuple]:
    return _run(sql, params, _fetch_all)


def execute(sql: str, params: Sequence) -> None:
    _run(sql, params, _fetch_nothing)


def _fetch_one(statement):
    return statement.fetchone()


def _fetch_all(statement):
    return statement.fetchall()


def _fetch_nothing(statement):
    return None


@dataclass(frozen=True)
class RowLoader:
    columns: str  # the model's quoted columns under its alias, for a SELECT list
    width: int
    load: Callable[[Sequence], models.Model]
    pk_index: int

    def load_or_none(self, values: Sequence) -> models.Model | None:
        """An instance, or None for the all-NULL columns of a LEFT JOIN that matched nothing (primary key NULL)."""
        return None if values[self.pk_index] is None else self.load(values)


@cache
def row_loader(model: type[models.Model], alias: str, vendor: str) -> RowLoader:
    """Columns and loader of `model` under `alias`; `vendor` keys the cache (converters differ per database).

    Columns come in the order of the model's concrete fields, the order `Model.from_db` expects.
    """
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    converters = []
    for field in fields:
        col = field.get_col(alias)
        converters.append((col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)))

    def load(values: Sequence) -> models.Model:
        db = this_threads_connection()
        converted = []
        for value, (col, functions) in zip(values, converters, strict=True):
            for function in functions:
                value = function(value, col, db)
            converted.append(value)
        return model.from_db(db.alias, names, converted)

    columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields)
    return RowLoader(columns, len(fields), load, fields.index(model._meta.pk))


def split_row(row: Sequence, loaders: Sequence[RowLoader]) -> tuple[list[Sequence], Sequence]:
    """The slices of `row` for each loader, in order, and the columns after them."""
    slices, start = [], 0
    for loader in loaders:
        slices.append(row[start:start + loader.width])
        start += loader.width
    return slices, row[start:]


def pk_param(model: type[models.Model], value):
    """A primary key as the database takes it (UUIDs are hex text on SQLite)."""
    return model._meta.pk.get_db_prep_value(value, this_threads_connection())
