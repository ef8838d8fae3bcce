"""`response_write`'s statements: lock the record with its questions, read the response and the claim,
update the record, delete the claim.

Hand-written for the annotation loop (DESIGN §8), as `next_record` is: each ORM statement cost more CPU
to build than to run. The writes touch different tables, so `writes.execute_together` can send them as
one statement on PostgreSQL. `tests/sql_parity/test_response_write.py` runs each against its ORM
equivalent.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from accounts.models import User
from config import rows
from config.errors import NotFound

from ..models import Claim, Question, Record, Response
from . import writes
from .history import review_comment_column
from .locks import record_row_lock


@cache
def _table(model) -> str:
    return rows.this_threads_connection().ops.quote_name(model._meta.db_table)


@cache
def _lock_record_sql(vendor: str) -> tuple[str, rows.RowLoader]:
    """The record's lock with one row per question of its dataset (one row of NULLs when it has none)."""
    loader = rows.row_loader(Question, "q", vendor)
    lock = record_row_lock()
    sql = (f"SELECT r.submitted_count, r.status, {loader.columns} FROM {_table(Record)} r "
           f"LEFT JOIN {_table(Question)} q ON q.dataset_id = r.dataset_id WHERE r.id = %s "
           f"ORDER BY q.position, q.inserted_at{lock + ' OF r' if lock else ''}")
    return sql, loader


@cache
def _response_and_claim_sql(vendor: str) -> tuple[str, tuple[rows.RowLoader, rows.RowLoader]]:
    loaders = rows.row_loader(Response, "p", vendor), rows.row_loader(Claim, "c", vendor)
    sql = (f"SELECT {loaders[0].columns}, {loaders[1].columns}, {review_comment_column('p', vendor)} "
           f"FROM (SELECT 1 AS one) AS here "
           f"LEFT JOIN {_table(Response)} p ON p.record_id = %s AND p.user_id = %s "
           f"LEFT JOIN {_table(Claim)} c ON c.record_id = %s AND c.user_id = %s")
    return sql, loaders


@dataclass
class ResponseWriteStatements:
    """The statements of one response write by `user_id` on `record_id`."""

    record_id: Any
    user_id: Any

    def lock_record(self) -> tuple[int, str, list[Question]]:
        """Lock the record row (PostgreSQL; SQLite's IMMEDIATE transaction already holds the database)
        and return its submitted_count and status, with its dataset's questions in order.

        ORM equivalent: `Record.objects.select_for_update(no_key=True).values_list("submitted_count",
        "status").get(pk=record_id)` and `Question.objects.filter(dataset=record.dataset)`
        ordered by `position, inserted_at`. Raises NotFound when the record is gone.
        """
        db = rows.this_threads_connection()
        sql, loader = _lock_record_sql(db.vendor)
        found = rows.fetch_all(sql, [rows.pk_param(Record, self.record_id)])
        if not found:
            raise NotFound("Record not found.")
        questions = [loader.load_or_none(row[2:]) for row in found]
        return found[0][0], found[0][1], [question for question in questions if question is not None]

    def response_and_claim(self) -> tuple[Response | None, Claim | None]:
        """The respondent's response to the record (with its `review_comment`) and their claim on it,
        each None if missing.

        ORM equivalent: `Response.objects.filter(record_id=..., user_id=...).with_review_comment().first()`
        and `Claim.objects.filter(record_id=..., user_id=...).first()`.
        """
        db = rows.this_threads_connection()
        sql, loaders = _response_and_claim_sql(db.vendor)
        record_id, user_id = rows.pk_param(Record, self.record_id), rows.pk_param(User, self.user_id)
        row = rows.fetch_one(sql, [record_id, user_id, record_id, user_id])
        (response_values, claim_values), (review_comment,) = rows.split_row(row, loaders)
        response = loaders[0].load_or_none(response_values)
        if response is not None:
            response.review_comment = review_comment
        return response, loaders[1].load_or_none(claim_values)

    def update_record(self, submitted_count: int, status: str, now: datetime) -> writes.Statement:
        """ORM equivalent: `Record.objects.filter(pk=record_id).update(submitted_count=..., status=...,
        updated_at=now)`."""
        db = rows.this_threads_connection()
        return (f"UPDATE {_table(Record)} SET submitted_count = %s, status = %s, updated_at = %s WHERE id = %s",
                [submitted_count, status, db.ops.adapt_datetimefield_value(now), rows.pk_param(Record, self.record_id)])

    def delete_claim(self) -> writes.Statement:
        """ORM equivalent: `Claim.objects.filter(record_id=record_id, user_id=user_id).delete()`."""
        return (f"DELETE FROM {_table(Claim)} WHERE record_id = %s AND user_id = %s",
                [rows.pk_param(Record, self.record_id), rows.pk_param(User, self.user_id)])
