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
