"""Assignments of a dataset as the caller may see them (workload distribution, issue 5)."""

from django.db.models import Exists, OuterRef

from ..access import DatasetAccess
from ..models import Assignment, Response


def assignment_list(*, access: DatasetAccess):
    """Assignments of a dataset with whether their holder answered (submitted or discarded) the record.

    All of them for the dataset's admins, only their own for annotators; holder, record and
    assigner come in the same query.
    """
    assignments = Assignment.objects.visible_to(access.user).filter(record__dataset=access.dataset)
    if not access.is_admin:
        assignments = assignments.filter(user_id=access.user.pk)
    answered = Response.objects.filter(
        record_id=OuterRef("record_id"),
        user_id=OuterRef("user_id"),
        status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
    )
    return assignments.annotate(is_answered=Exists(answered)).select_related("record", "user", "assigned_by")
