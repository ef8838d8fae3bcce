"""Deleting a user, with the record counts their submissions held (DESIGN §3)."""

from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from accounts import tenancy
from accounts.models import User
from config.errors import InvalidInput

from ..models import Dataset, Record, Response
from .bulk import BULK_BATCH


def user_delete(*, actor: User, user: User) -> None:
    """Delete a user with their responses (owners only, not themselves); the records they had submitted
    are re-derived against their dataset's min_submitted in the same transaction."""
    tenancy.require_owner(actor)
    if user.pk == actor.pk:
        raise InvalidInput("You cannot delete your own account.")
    with transaction.atomic():
        record_ids = list(
            Response.objects.filter(user=user, status=Response.Status.SUBMITTED).values_list("record_id", flat=True)
        )
        user.delete()
        min_submitted = Dataset.objects.filter(pk=OuterRef("dataset_id")).values("min_submitted")
        for start in range(0, len(record_ids), BULK_BATCH):
            records = Record.objects.filter(pk__in=record_ids[start : start + BULK_BATCH])
            records.update(submitted_count=F("submitted_count") - 1)
            records.update(status=Record.status_expression(Subquery(min_submitted)))
