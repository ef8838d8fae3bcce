"""One record assigned to one annotator by hand (bulk distribution: `labeling.services.distribution`)."""

from django.db import transaction

from accounts import tenancy
from accounts.models import User

from ..models import Assignment, Record
from .checks import require_admin


def assignment_add(*, actor: User, record: Record, user: User) -> Assignment:
    """Assign one record to one annotator of its workspace (bulk distribution comes with issue #5)."""
    require_admin(actor, record.dataset)
    tenancy.require_member(user, record.dataset.workspace_id)
    with transaction.atomic():
        assignment, _ = Assignment.objects.get_or_create(record=record, user=user, defaults={"assigned_by": actor})
    return assignment
