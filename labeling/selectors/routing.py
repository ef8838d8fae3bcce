"""Reads for routing by skill (issue #19)."""

from datetime import datetime

from django.db.models import Exists, OuterRef

from accounts.models import Membership

from ..models import Dataset, Response


def skills_active(*, dataset: Dataset, since: datetime) -> set[str]:
    """The skills of the workspace's members who submitted an answer in `dataset` at or after `since`: the
    tags that still have a labeler, for the routing fallback (`labeling.routing`)."""
    submitted = Response.objects.filter(
        user_id=OuterRef("user_id"), record__dataset_id=dataset.pk, status=Response.Status.SUBMITTED,
        submitted_at__gte=since,
    )
    tagged = Membership.objects.filter(workspace_id=dataset.workspace_id).exclude(skills=[]).filter(Exists(submitted))
    return {tag for skills in tagged.values_list("skills", flat=True) for tag in skills}
