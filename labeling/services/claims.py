"""Claims: hand an annotator their next record and hold it for them, or give it back (DESIGN §4)."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..access import DatasetAccess
from ..models import Claim, Dataset, Record, Response
from ..routing import Routing, routing_for
from ..selectors.routing import skills_active
from ..sql.next_record import NextRecordStatements
from .checks import require_ready


def record_claim_next(*, access: DatasetAccess, exclude_ids: Iterable = (), resume_drafts: bool = False) -> Record | None:
    """Hand the caller their next record of the accessed dataset (DESIGN §4) and hold a short claim on it;
    None when nothing is left.

    Order: with `resume_drafts`, their oldest ordinary draft; records whose answer of theirs a reviewer
    rejected (their own work to redo, whatever the distribution or quota). Then records assigned to them that
    they have neither answered nor started (an ordinary draft) nor skipped; then, in open distribution, the
    record they already hold a live claim on (asking twice gives the same record, not a second claim), then
    incomplete records they have not answered, started or skipped, fewest submitted responses first, then
    oldest — skipping any record whose submitted responses plus live claims by others already reach
    `min_submitted`. Once nothing of that is left, the same order over the records they skipped for later
    (issue #19: drafts never stall the queue; "not my field" and "broken" skips never come back).
    Candidate rows are locked with SKIP LOCKED on PostgreSQL, so concurrent callers take different
    records; SQLite runs writers one at a time (IMMEDIATE transactions) instead. With routing on, open
    records go only to labelers whose skills match (`labeling.routing`); assigned records are the
    labeler's whatever their tags.
    """
    dataset = access.dataset
    require_ready(dataset)
    exclude_ids = list(exclude_ids)
    now = timezone.now()
    lookup = NextRecordStatements(actor=access.user, dataset=dataset, now=now, routing=_routing(access, now))
    is_open = dataset.distribution == Dataset.Distribution.OPEN
    with transaction.atomic():
        if resume_drafts and (draft := lookup.draft(exclude_ids, open_distribution=is_open)) is not None:
            lookup.claim(draft)
            return draft
        over_quota = None
        for later in (False, True):
            # No lock and no recount: a rejected or assigned record is the actor's own to take, and SKIP LOCKED would
            # wrongly pass over a record whose row another holder's response write has locked for a
            # moment; while the actor's own claim was live every other claim counted it, so renewing it
            # cannot push the record past `min_submitted`.
            held = lookup.held(exclude_ids, open_distribution=is_open, later=later)
            if held is not None and held.held_by in ("rejected", "assignment"):
                lookup.claim(held)
                return held
            if over_quota is None:
                over_quota = not is_open or _over_quota(access)
            if over_quota:
                continue
            if held is not None:
                lookup.claim(held)
                return held
            # READ COMMITTED: the candidate query's snapshot predates claims committed while it ran, and a
            # claim does not touch the record row, so a record locked just after another labeler's claim
            # committed looks free. The claim is therefore taken by a fresh statement, once the row is
            # ours, and only if the recount still leaves room.
            while (record := lookup.candidate(exclude_ids, later=later)) is not None:
                if lookup.claim(record, unless_taken=True):
                    return record
                exclude_ids.append(record.pk)
        return None


def _routing(access: DatasetAccess, now: datetime) -> Routing | None:
    """The caller's routing, from the skills on the membership the access already carries; the fallback's
    active skills cost one query, only for a caller without skills in a dataset that falls back."""
    dataset = access.dataset
    if not dataset.routing_property:
        return None
    skills = access.membership.skills if access.membership is not None else []
    active = None
    if not skills and dataset.routing_fallback_hours and not access.is_admin:
        active = skills_active(dataset=dataset, since=now - timedelta(hours=dataset.routing_fallback_hours))
    return routing_for(property_name=dataset.routing_property, is_admin=access.is_admin, skills=skills, active=active)


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
    """Give a claimed record back, so others may take it at once."""
    with transaction.atomic():
        Claim.objects.filter(record=record, user_id=actor.pk).delete()
