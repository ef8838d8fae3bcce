"""The response history route (the review issue, §4): another workspace's response, with history, is a 404."""

from tests.factories import history_entry

from .registry import register, register_snapshot, world_object


@world_object("versioned_response")
def _versioned_response(b):
    """B's response with an entry of history, so that a missing check would have something to show."""
    history_entry(b.response, kind="draft")
    return b.response


register("api/responses/<uuid:response_id>/versions/", kwargs=lambda b: {"response_id": b.versioned_response.pk})


@register_snapshot
def _history_snapshot(b) -> dict:
    """B's response history: no case may add, change or remove an entry."""
    from labeling.models import ResponseVersion

    entries = ResponseVersion.objects.filter(dataset__workspace=b.workspace).order_by("response_id", "number")
    return {"response_versions": [{"pk": row.pop("id"), **row} for row in entries.values()]}
