"""The column a response's readers add for its history: the reviewer's comment on a rejected answer.

ORM equivalent: `Response.objects.with_review_comment()` (`labeling.querysets`). Written as a scalar
subquery inside a CASE, so it runs only for a rejected response and the caller's statement stays one.
"""

from functools import cache

from django.db import connection

from ..models import ResponseVersion


@cache
def review_comment_column(alias: str, vendor: str) -> str:
    """The latest reject entry's comment of the response under `alias` while it is rejected, else NULL.

    It reads the history through its (record, response) index, the record narrowing it to a handful of rows.
    """
    qn = connection.ops.quote_name
    return (f"CASE WHEN {alias}.{qn('review_status')} = 'rejected' THEN (SELECT v.{qn('comment')} "
            f"FROM {qn(ResponseVersion._meta.db_table)} v WHERE v.{qn('record_id')} = {alias}.{qn('record_id')} "
            f"AND v.{qn('response_id')} = {alias}.{qn('id')} AND v.{qn('kind')} = 'reject' "
            f"ORDER BY v.{qn('number')} DESC LIMIT 1) END")
