"""One record assigned to one annotator by hand (bulk distribution: `labeling.services.distribution`)."""

from django.db import transaction

from accounts import tenancy
from accounts.models import User

from ..access import DatasetAccess
from ..models import Assignment, Record


def assignment_add(*, access: DatasetAccess, record: Record, user: User) -> Assignment:
    """Assign one record of the accessed dataset to one member of its workspace."""
    access.require_admin()
    tenancy.require_member(user, access.workspace_id)
    with transaction.atomic():
        assignment, _ = Assignment.objects.get_or_create(record=record, user=user,
                                                         defaults={"assigned_by": access.user})
    return assignment
