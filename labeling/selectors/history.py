"""A response's history (`ResponseVersion`), as its labeler and the workspace's reviewers read it."""

from ..access import ResponseAccess
from ..models import ResponseVersion


def response_versions(*, access: ResponseAccess):
    """The accessed response's history entries (its labeler's own, or one the caller may review).

    Filtered by record as well as response id, which the history's (record, response) index serves.
    """
    response = access.response
    return ResponseVersion.objects.filter(record_id=response.record_id, response_id=response.pk)
