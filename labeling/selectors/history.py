"""A response's history (`ResponseVersion`), as its labeler, the workspace's reviewers and its admins read it."""

from ..access import ResponseAccess
from ..models import Response, ResponseVersion


def response_versions(*, access: ResponseAccess):
    """The accessed response's history entries (its labeler's own, or one the caller may review)."""
    return versions_of(response=access.response)


def versions_of(*, response: Response):
    """The history entries of a response the caller has already reached through a scoped lookup (the
    admin's change page), oldest first; filtered by record as well, which the history's index serves."""
    return ResponseVersion.objects.filter(record_id=response.record_id, response_id=response.pk).order_by("number")


def rejection_comment(*, response: Response) -> str | None:
    """The comment of the response's latest reject entry, in one query: for a single response read
    without `Response.objects.with_review_comment()` (lists and the annotation loop load it with the rows)."""
    return versions_of(response=response).filter(kind=ResponseVersion.Kind.REJECT).values_list(
        "comment", flat=True).last()


def versions_by_response(*, responses: list[Response]) -> dict:
    """The history entries of responses the caller already holds (their own, from a scoped list), as
    {response id: entries oldest first}, in one query whatever their number."""
    entries: dict = {response.pk: [] for response in responses}
    if not responses:
        return entries
    rows = ResponseVersion.objects.filter(
        record_id__in={response.record_id for response in responses}, response_id__in=list(entries),
    ).order_by("response_id", "number")
    for entry in rows:
        entries[entry.response_id].append(entry)
    return entries
