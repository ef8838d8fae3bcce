"""Skips (issue #19): a labeler passes over a record, saying why, and the queue moves on."""

from django.db import transaction
from django.utils import timezone

from ..access import RecordAccess
from ..errors import InvalidSkipReason
from ..models import Claim, Record, Skip
from .checks import require_ready


def record_skip(*, access: RecordAccess, reason: str) -> Skip:
    """Record the caller's skip of the accessed record and give back their claim on it, so others may
    take it at once; a new skip of the same record replaces the reason and the time.

    Nothing else changes: no response is written and the record's counts stay as they are, so a skip
    counts towards nothing. `record_claim_next` reads the skip: "later" serves the record again once
    nothing else is left, "not_my_field" and "broken" never serve it to the caller again.
    Locks the record row first, as every writer of the annotation loop does.
    """
    if reason not in Skip.Reason.values:
        raise InvalidSkipReason(
            f"Give a reason: one of {', '.join(Skip.Reason.values)}.", details={"field": "reason"}
        )
    actor, record = access.user, access.record
    require_ready(access.dataset)
    skip = Skip(record=record, user=actor, reason=reason, inserted_at=timezone.now())
    with transaction.atomic():
        Record.objects.select_for_update(no_key=True).filter(pk=record.pk).values_list("pk").first()
        Skip.objects.bulk_create(
            [skip], update_conflicts=True, unique_fields=["record", "user"], update_fields=["reason", "inserted_at"]
        )
        Claim.objects.filter(record=record, user_id=actor.pk).delete()
    return skip
