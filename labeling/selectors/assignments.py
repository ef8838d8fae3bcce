"""Assignments of a dataset as the caller may see them (workload distribution, issue 5)."""

from django.db.models import Exists, OuterRef

from accounts import tenancy
from accounts.models import User

from ..models import Assignment, Dataset, Response


def assignment_list(*, user: User, dataset: Dataset):
    """Assignments of a dataset with whether their holder answered (submitted or discarded) the record.

    All of them for the dataset's admins, only their own for annotators; holder, record and
    assigner come in the same query.
    """
    assignments = Assignment.objects.visible_to(user).filter(record__dataset=dataset)
    if not tenancy.is_workspace_admin(user, dataset.workspace_id):
        assignments = assignments.filter(user_id=user.pk)
    answered = Response.objects.filter(
        record_id=OuterRef("record_id"),
        user_id=OuterRef("user_id"),
        status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
    )
    return assignments.annotate(is_answered=Exists(answered)).select_related("record", "user", "assigned_by")
