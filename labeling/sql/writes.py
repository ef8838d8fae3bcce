"""Single-row writes of the annotation loop, built from the model instead of an ORM query.

`insert_statement` / `update_statement` are the INSERT and UPDATE that `save()` and
`save(update_fields=...)` would send (ORM equivalent: those calls; `tests/labeling/test_hot_path_statements.py`
checks the stored rows match), and `execute_together` sends independent writes in one round trip.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection, models

from config import rows
from config.rows import this_threads_connection


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> str:
    qn = connection.ops.quote_name
    fields = model._meta.concrete_fields
    return (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})")


Statement = tuple[str, Sequence]


def insert_statement(instance: models.Model) -> Statement:
    """The INSERT of one instance whose primary key is set by Python, as `save()` would write it
    (auto_now fields filled in), without building an ORM query. No signals are sent; once it has run,
    `mark_saved(instance)`."""
    db = this_threads_connection()
    fields = instance._meta.concrete_fields
    params = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]
    return _insert_sql(type(instance), db.vendor), params


def mark_saved(instance: models.Model) -> None:
    instance._state.adding = False
    instance._state.db = this_threads_connection().alias


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...], vendor: str) -> str:
    qn = connection.ops.quote_name
    meta = model._meta
    sets = ", ".join(f"{qn(meta.get_field(name).column)} = %s" for name in names)
    return f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"


def update_statement(instance: models.Model, names: Sequence[str]) -> Statement:
    """The UPDATE of the named fields of one saved instance, plus its auto_now fields, as
    `save(update_fields=...)` would write it, without building an ORM query. No signals are sent."""
    meta = instance._meta
    auto_now = [f.name for f in meta.concrete_fields if getattr(f, "auto_now", False) and f.name not in names]
    fields = [meta.get_field(name) for name in (*names, *auto_now)]
    db = this_threads_connection()
    params = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in fields]
    params.append(rows.pk_param(type(instance), instance.pk))
    return _update_sql(type(instance), tuple(f.name for f in fields), db.vendor), params


def execute_together(statements: Sequence[Statement]) -> None:
    """Run independent INSERT, UPDATE and DELETE statements: on PostgreSQL as one statement, all but
    the last as data-modifying WITH queries (one round trip instead of one each); elsewhere in turn.

    They must not depend on each other's effects and must not touch the same row: in one statement
    they all see the same snapshot and run in no set order.
    """
    if len(statements) > 1 and this_threads_connection().vendor == "postgresql":
        *first, (last, _) = statements
        sql = "WITH " + ", ".join(f"w{i} AS ({text})" for i, (text, _) in enumerate(first)) + f" {last}"
        rows.execute(sql, [param for _, params in statements for param in params])
        return
    for sql, params in statements:
        rows.execute(sql, params)
