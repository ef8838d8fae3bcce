"""A response's history: the entries every write path appends (the review issue). Entries are never
changed or deleted on their own (`ResponseVersion`)."""

from datetime import datetime

from accounts.models import User

from ..models import Response, ResponseVersion


def version_entry(response: Response, *, dataset_id, kind: str, author: User | None, now: datetime,
                  comment: str = "", reviewed_number: int | None = None) -> ResponseVersion:
    """The next entry of `response`'s history, unsaved, holding the response's current values and
    statuses; advances `response.version` to its number, which the caller saves with the response.

    `author` is who made the entry (the labeler, or a reviewer); None for an operator's command.
    """
    response.version += 1
    return ResponseVersion(
        dataset_id=dataset_id, record_id=response.record_id, response_id=response.pk,
        respondent_id=response.user_id, author=author, author_name=author.get_username() if author else "",
        number=response.version, kind=kind, values=response.values, status=response.status,
        review_status=response.review_status, reviewed_number=reviewed_number, comment=comment,
        inserted_at=now,
    )
