"""Responses: one user's write (the annotation loop), deletion, and the admin's bulk upsert (DESIGN §4).

Every writer of a record's responses locks the record row first, then keeps its `submitted_count` and
`status` right against the dataset's `min_submitted` in the same transaction. Every write that changes
a response's status, or its values once submitted, appends an entry to its history (`history`) in
that transaction, and sets its review status (`labeling.review`); a deletion leaves the history.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts import tenancy
from accounts.models import User

from .. import review, validation
from ..access import DatasetAccess, RecordAccess
from ..errors import InvalidResponse, InvalidTransition
from ..models import Dataset, Question, Record, Response, ResponseVersion
from ..sql import writes as row_writes
from ..sql.response_write import ResponseWriteStatements
from .bulk import BULK_BATCH
from .checks import invalid_rows, require_ready
from .history import version_entry

# The statuses a response may move to from its current one (None: no response yet).
ALLOWED_TRANSITIONS = {
    None: {"draft", "submitted", "discarded"},
    "draft": {"draft", "submitted", "discarded"},
    "submitted": {"submitted", "discarded"},
    "discarded": {"discarded", "submitted", "draft"},
}
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def response_write(*, access: RecordAccess, values: Any, status: str, user: User | None = None) -> Response:
    """Create or update `user`'s response to the accessed record (the caller's own by default).

    Values are type-checked against the questions; a submitted response answers every required one.
    Locks the record row, then keeps `submitted_count` and `status` right against `min_submitted`
    in the same transaction, and releases the responder's claim once they submit or discard.
    Writing on behalf of another user needs the admin role. Appends the history entry the write makes
    (`review.version_kind`), authored by the caller, with the other writes.
    """
    actor, record, dataset = access.user, access.record, access.dataset
    respondent = user or actor
    if respondent.pk != actor.pk:
        access.require_admin()
    if status not in Response.Status.values:
        raise InvalidResponse(f"status must be one of: {', '.join(Response.Status.values)}.", details={"field": "status"})
    require_ready(dataset)
    now = timezone.now()
    statements = ResponseWriteStatements(record_id=record.pk, user_id=respondent.pk)
    with transaction.atomic():
        # Once the record row is ours its `submitted_count` and the respondent's response stay current
        # until commit. The response is read by a second statement on purpose: under READ COMMITTED, the
        # locking statement's other tables are read in the snapshot taken before it waited for the lock.
        # The dataset's questions come with the lock, as no submission changes them.
        count, record_status, questions = statements.lock_record()
        _check_values(questions, values, status)
        response, claim = statements.response_and_claim()
        previous = response.status if response else None
        if status not in ALLOWED_TRANSITIONS[previous]:
            raise InvalidTransition("A submitted response stays submitted: edit and submit it again, or discard it.")
        response = response or Response(record=record, user=respondent, started_at=claim.claimed_at if claim else now)
        entry = _response_change(response, dataset, values=values, status=status, previous=previous, actor=actor,
                                 now=now)
        if previous is None:
            writes = [row_writes.insert_statement(response)]
        else:
            writes = [row_writes.update_statement(response, ["values", "status", "submitted_at", "review_status",
                                                             "version"])]
        if entry is not None:
            writes.append(row_writes.insert_statement(entry))
        new_count = count + (status == "submitted") - (previous == "submitted")
        new_status = Record.status_for(new_count, dataset.min_submitted)
        if (new_count, new_status) != (count, record_status):
            writes.append(statements.update_record(new_count, new_status, now))
        if status != Response.Status.DRAFT and claim is not None:
            writes.append(statements.delete_claim())
        row_writes.execute_together(writes)
        row_writes.mark_saved(response)
        if entry is not None:
            row_writes.mark_saved(entry)
        _dataset_touch(dataset, now)
    record.status, record.submitted_count = new_status, new_count
    return response


def _response_change(response: Response, dataset: Dataset, *, values: Any, status: str, previous: str | None,
                     actor: User, now: datetime) -> ResponseVersion | None:
    """Give `response` its labeler's new values and status and the review status they lead to; return
    the history entry the change makes (unsaved; None for a draft saved over a draft)."""
    response.values = validation.answered_values(values)
    response.status = status
    if status == Response.Status.SUBMITTED:
        response.submitted_at = now
    response.review_status = review.review_status_after_write(dataset, response.pk, status, response.review_status)
    kind = review.version_kind(previous, status)
    if kind is None:
        return None
    return version_entry(response, dataset_id=dataset.pk, kind=kind, author=actor, now=now)


def _check_values(questions: list[Question], values: Any, status: str) -> None:
    problems = validation.response_problems(questions, values, status=status)
    if problems:
        raise InvalidResponse(
            "; ".join(f"{p['question']}: {p['message']}" if p["question"] else p["message"] for p in problems),
            details={"questions": {p["question"] or "values": p["message"] for p in problems}},
        )


def _dataset_touch(dataset: Dataset, now: datetime) -> None:
    """Move `last_activity_at` forward, at most once per ACTIVITY_RESOLUTION.

    Every submission used to update the dataset row, which made all labelers of a dataset queue on
    that one row lock until their transaction committed; a minute is finer than anything reading it
    (the dashboard shows minutes). `dataset` comes fresh from its request, and the stored value only
    moves forward, so a stale in-memory value can only cause an extra update, never a missed one.
    """
    if dataset.last_activity_at is None or now - dataset.last_activity_at >= ACTIVITY_RESOLUTION:
        Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=now)
        dataset.last_activity_at = now


def response_delete(*, access: DatasetAccess, response: Response) -> None:
    """Delete a response to a record of the accessed dataset (its author or an admin) and re-derive the
    record's status."""
    record = response.record
    if response.user_id != access.user.pk:
        access.require_admin()
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        was_submitted = Response.objects.filter(pk=response.pk, status=Response.Status.SUBMITTED).exists()
        response.delete()
        if was_submitted:
            locked.submitted_count = max(0, locked.submitted_count - 1)
            locked.save(update_fields=["submitted_count", "updated_at"])
        status = Record.status_for(locked.submitted_count, access.dataset.min_submitted)
        if locked.status != status:
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])


def responses_upsert(*, access: DatasetAccess, items: Sequence[Mapping]) -> list[Response]:
    """Write many users' responses at once: an admin logging annotators' answers (Argilla's bulk paths).

    Each item is `{"index", "record", "user", "values", "status"}` with `record` a record of the accessed dataset;
    one response per (record, user) is created or replaced, other users' responses are kept. Every bad
    item is reported with its index and nothing is written when any is bad; respondents must belong to
    the workspace. Locks the records, then re-derives `submitted_count` and `status` in the same transaction.
    Each response's history gets the entry its change makes, authored by the calling admin.
    """
    access.require_admin()
    dataset = access.dataset
    require_ready(dataset)
    respondent_ids = _responses_check(dataset, items, list(dataset.questions.all()))
    now = timezone.now()
    with transaction.atomic():
        record_ids = sorted({item["record"].pk for item in items})
        locked = {r.pk: r for r in Record.objects.select_for_update().filter(dataset=dataset, pk__in=record_ids).order_by("pk")}
        written = _responses_store(access, items, locked, record_ids, respondent_ids, now)
        _records_recount(dataset, locked.values(), record_ids, now)
        Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=now)
    return written


def _responses_check(dataset: Dataset, items: Sequence[Mapping], questions: list[Question]) -> list:
    """Raise InvalidRecords listing every bad item; return the respondents' ids."""
    bad: list[dict] = []
    seen: set[tuple] = set()
    members: dict = {}
    for item in items:
        index, user = item["index"], item["user"]
        key = (item["record"].pk, user.pk)
        if user.pk not in members:
            members[user.pk] = tenancy.is_owner(user) or tenancy.member_workspace_ids(user).filter(
                workspace_id=dataset.workspace_id
            ).exists()
        if not members[user.pk]:
            bad.append({"index": index, "field": "user_id", "message": f"{user.username} is not a member of this workspace."})
        if key in seen:
            bad.append({"index": index, "field": "user_id", "message": "Two responses by the same user for one record."})
        seen.add(key)
        if item["status"] not in Response.Status.values:
            bad.append({"index": index, "field": "status",
                        "message": f"status must be one of: {', '.join(Response.Status.values)}."})
            continue
        for problem in validation.response_problems(questions, item["values"], status=item["status"]):
            bad.append({"index": index, "question": problem["question"], "message": problem["message"]})
    if bad:
        raise invalid_rows(f"{len({row['index'] for row in bad})} responses are invalid; nothing was written.", bad)
    return list(members)


def _responses_store(access: DatasetAccess, items: Sequence[Mapping], locked: Mapping[Any, Record], record_ids: list,
                     respondent_ids: list, now: datetime) -> list[Response]:
    """Create or replace one response per item, with the history entries the changes make; the caller
    holds the records' row locks."""
    existing = {
        (r.record_id, r.user_id): r
        for r in Response.objects.select_for_update().filter(record_id__in=record_ids, user_id__in=respondent_ids)
    }
    to_create, to_update, entries, written = [], [], [], []
    for item in items:
        record, user, status = locked[item["record"].pk], item["user"], item["status"]
        response = existing.get((record.pk, user.pk))
        previous = response.status if response else None
        if response is not None and status not in ALLOWED_TRANSITIONS[previous]:
            raise invalid_rows("A submitted response stays submitted: submit it again or discard it.",
                               [{"index": item["index"], "field": "status", "message": f"{previous} → {status}"}])
        if response is None:
            response = Response(record=record, user=user, started_at=now)
            to_create.append(response)
        else:
            response.updated_at = now
            to_update.append(response)
        entry = _response_change(response, access.dataset, values=item["values"], status=status, previous=previous,
                                 actor=access.user, now=now)
        if entry is not None:
            entries.append(entry)
        written.append(response)
    Response.objects.bulk_create(to_create, batch_size=BULK_BATCH)
    Response.objects.bulk_update(to_update, ["values", "status", "submitted_at", "review_status", "version",
                                             "updated_at"], batch_size=BULK_BATCH)
    ResponseVersion.objects.bulk_create(entries, batch_size=BULK_BATCH)
    return written


def _records_recount(dataset: Dataset, records, record_ids: list, now: datetime) -> None:
    """Re-derive the locked records' submitted_count and status from their submitted responses."""
    counts = dict(
        Response.objects.filter(record_id__in=record_ids, status=Response.Status.SUBMITTED)
        .values_list("record_id").annotate(n=Count("id")).order_by()
    )
    # Few distinct (count, status) pairs: one UPDATE each, cheaper than a CASE per record.
    changed: dict[tuple, list] = {}
    for record in records:
        submitted = counts.get(record.pk, 0)
        status = Record.status_for(submitted, dataset.min_submitted)
        if (record.submitted_count, record.status) != (submitted, status):
            changed.setdefault((submitted, status), []).append(record.pk)
    for (submitted, status), pks in changed.items():
        Record.objects.filter(pk__in=pks).update(submitted_count=submitted, status=status, updated_at=now)
