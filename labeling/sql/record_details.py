"""A record's suggestions (with their questions) and visible responses, in one statement (DESIGN §8).

The annotation loop shows them with every next record; the suggestions come first and then the
responses (with the reviewer's comment while one is rejected), each row padded with NULLs where the
other kind's columns are.
"""

from functools import cache
from typing import NamedTuple

from django.db import connection

from accounts.models import User
from config.rows import RowLoader, fetch_all, pk_param, row_loader, split_row

from ..models import Question, Record, Response, Suggestion
from .history import review_comment_column


class RecordDetails(NamedTuple):
    suggestions: list[Suggestion]  # oldest first, each with its question loaded
    responses: list[Response]  # oldest first


@cache
def _details_sql(vendor: str, own_only: bool) -> tuple[str, tuple[RowLoader, RowLoader, RowLoader]]:
    qn = connection.ops.quote_name
    loaders = row_loader(Suggestion, "s", vendor), row_loader(Question, "q", vendor), row_loader(Response, "p", vendor)
    suggestion_nulls = ", ".join(["NULL"] * (loaders[0].width + loaders[1].width))
    response_nulls = ", ".join(["NULL"] * loaders[2].width)
    sql = (f"SELECT 0 AS kind, {loaders[0].columns}, {loaders[1].columns}, {response_nulls}, NULL AS review_comment, "
           f"s.{qn('inserted_at')} AS at FROM {qn(Suggestion._meta.db_table)} s "
           f"JOIN {qn(Question._meta.db_table)} q ON q.{qn('id')} = s.{qn('question_id')} WHERE s.{qn('record_id')} = %s "
           f"UNION ALL SELECT 1, {suggestion_nulls}, {loaders[2].columns}, {review_comment_column('p', vendor)}, "
           f"p.{qn('inserted_at')} "
           f"FROM {qn(Response._meta.db_table)} p WHERE p.{qn('record_id')} = %s"
           + (f" AND p.{qn('user_id')} = %s" if own_only else "") + " ORDER BY kind, at")
    return sql, loaders


def record_details(*, record_id, user_id=None) -> RecordDetails:
    """The record's suggestions and its responses (only `user_id`'s when given), each response with its
    `review_comment`.

    ORM equivalent: `Suggestion.objects.filter(record_id=record_id).select_related("question")
    .order_by("inserted_at")` and `Response.objects.filter(record_id=record_id[, user_id=user_id])
    .with_review_comment().order_by("inserted_at")`.
    """
    own_only = user_id is not None
    sql, (suggestion_row, question_row, response_row) = _details_sql(connection.vendor, own_only)
    record_param = pk_param(Record, record_id)
    params = [record_param, record_param, pk_param(User, user_id)] if own_only else [record_param, record_param]
    details = RecordDetails([], [])
    for row in fetch_all(sql, params):
        (suggestion_values, question_values, response_values), (review_comment, _) = split_row(
            row[1:], (suggestion_row, question_row, response_row)
        )
        if row[0] == 0:
            suggestion = suggestion_row.load(suggestion_values)
            suggestion.question = question_row.load(question_values)
            details.suggestions.append(suggestion)
        else:
            response = response_row.load(response_values)
            response.review_comment = review_comment
            details.responses.append(response)
    return details
