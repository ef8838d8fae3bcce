"""Claims: hand an annotator their next record and hold it for them, or give it back (DESIGN §4)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..access import DatasetAccess
from ..models import Claim, Dataset, Record, Response
from ..sql.next_record import NextRecordStatements
from .checks import require_ready


def record_claim_next(*, access: DatasetAccess, exclude_ids: Iterable = ()) -> Record | None:
    """Hand the caller their next record of the accessed dataset (DESIGN §4) and hold a short claim on it;
    None when nothing is left.

    Order: records whose answer of theirs a reviewer rejected (their own work to redo, whatever the
    distribution or quota); records assigned to them without their submitted/discarded response; then, in open
    distribution, the record they already hold a live claim on (asking twice gives the same record,
    not a second claim), then incomplete records they have not answered, fewest submitted responses
    first, then oldest — skipping any record whose submitted responses plus live claims by others
    already reach `min_submitted`. Candidate rows are locked with SKIP LOCKED on PostgreSQL, so
    concurrent callers take different records; SQLite runs writers one at a time (IMMEDIATE
    transactions) instead.
    """
    actor, dataset = access.user, access.dataset
    require_ready(dataset)
    exclude_ids = list(exclude_ids)
    lookup = NextRecordStatements(actor=actor, dataset=dataset, now=timezone.now())
    with transaction.atomic():
        # No lock and no recount: a rejected or assigned record is the actor's own to take, and SKIP
        # LOCKED would wrongly pass over a record whose row another holder's response write has locked for a
        # moment; while the actor's own claim was live every other claim counted it, so renewing it
        # cannot push the record past `min_submitted`.
        held = lookup.held(exclude_ids, open_distribution=dataset.distribution == Dataset.Distribution.OPEN)
        if held is not None and held.held_by in ("rejected", "assignment"):
            lookup.claim(held)
            return held
        if dataset.distribution != Dataset.Distribution.OPEN or _over_quota(access):
            return None
        if held is not None:
            lookup.claim(held)
            return held
        # READ COMMITTED: the candidate query's snapshot predates claims committed while it ran, and a
        # claim does not touch the record row, so a record locked just after another labeler's claim
        # committed looks free. The claim is therefore taken by a fresh statement, once the row is
        # ours, and only if the recount still leaves room.
        while (record := lookup.candidate(exclude_ids)) is not None:
            if lookup.claim(record, unless_taken=True):
                return record
            exclude_ids.append(record.pk)
        return None


def _over_quota(access: DatasetAccess) -> bool:
    """Whether the caller has answered their membership's quota of this dataset (no query without a quota)."""
    if access.quota is None:
        return False
    done = Response.objects.filter(
        record__dataset=access.dataset, user_id=access.user.pk,
        status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
    ).count()
    return done >= access.quota


def claim_release(*, actor: User, record: Record) -> None:
    """Give a claimed record back (the portal's Skip), so others may take it at once."""
    with transaction.atomic():
        Claim.objects.filter(record=record, user_id=actor.pk).delete()
