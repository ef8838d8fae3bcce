"""Review decisions on labelers' answers: accept, reject with a comment, fix (the review issue).

Each decision names the version of the answer it was made on and applies only while that is still the
answer's latest version: a labeler's edit or another reviewer's decision in between makes it stale
(Conflict, nothing written), and the newer version is what waits for review. Every decision appends
its entry to the answer's history (`services.history.version_entry`) in the same transaction, after
locking the record row as every writer of a record's responses does (`services.responses`).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from config.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from .. import validation
from ..access import DatasetAccess
from ..errors import InvalidResponse
from ..models import Question, Record, Response, ResponseVersion, ReviewClaim
from ..review import DECISIONS
from ..sql import writes as row_writes
from .history import version_entry

OWN_ANSWER_REFUSAL = "No one reviews their own answer."


class StaleVersion(Conflict):
    code = "stale_version"


class NotPendingReview(Conflict):
    code = "not_pending_review"


def review_claim_next(*, access: DatasetAccess, exclude_ids: Iterable = ()) -> Record | None:
    """Hand the reviewer the next record of the accessed dataset to review, and hold it for them with a
    short claim (`ReviewClaim`, as long as a labeler's); None when nothing waits for them.

    First the record they already hold, while someone else's answer to it still waits (asking twice
    gives the same record); then the record whose oldest answer waiting for review by someone else was
    submitted first, among those no other reviewer holds. Candidates are locked with SKIP LOCKED on
    PostgreSQL, so reviewers asking at once take different records (SQLite runs writers one at a time);
    taking a record gives up the reviewer's other claims in the dataset. Reviewers and admins only.
    """
    access.require_reviewer()
    reviewer_id, now = access.user.pk, timezone.now()
    expires = now + timedelta(seconds=settings.CLAIM_TTL_SECONDS)
    excluded = list(exclude_ids)
    with transaction.atomic():
        held = (ReviewClaim.objects.filter(reviewer_id=reviewer_id, expires_at__gt=now, record__dataset=access.dataset)
                .exclude(record_id__in=excluded).filter(Exists(_waiting(reviewer_id).filter(record_id=OuterRef("record_id"))))
                .select_related("record").first())
        if held is not None and ReviewClaim.objects.filter(pk=held.pk, reviewer_id=reviewer_id).update(expires_at=expires):
            return held.record
        while (record := _review_candidate(access, now, excluded)) is not None:
            if _claim_take(record, reviewer_id, now, expires):
                ReviewClaim.objects.filter(reviewer_id=reviewer_id, record__dataset=access.dataset).exclude(
                    record_id=record.pk).delete()
                return record
            excluded.append(record.pk)
    return None


def _waiting(reviewer_id):
    """Answers waiting for review that `reviewer_id` may decide: submitted, pending, someone else's."""
    return Response.objects.filter(review_status=Response.ReviewStatus.PENDING,
                                   status=Response.Status.SUBMITTED).exclude(user_id=reviewer_id)


def _review_candidate(access: DatasetAccess, now: datetime, excluded: list) -> Record | None:
    """The record of the oldest waiting answer that no other reviewer holds, its row locked (SKIP LOCKED)."""
    reviewer_id = access.user.pk
    held_by_others = ReviewClaim.objects.filter(record_id=OuterRef("record_id"), expires_at__gt=now).exclude(
        reviewer_id=reviewer_id)
    answer = (_waiting(reviewer_id).filter(record__dataset=access.dataset).exclude(record_id__in=excluded)
              .filter(~Exists(held_by_others)).order_by("submitted_at", "record_id").select_related("record")
              .select_for_update(skip_locked=True, no_key=True, of=("record",)).first())
    return answer.record if answer is not None else None


def _claim_take(record: Record, reviewer_id, now: datetime, expires: datetime) -> bool:
    """Take the record's review claim unless another reviewer holds a live one; the caller holds the
    record's row lock, so the claim read here is current (a fresh statement under READ COMMITTED)."""
    current = ReviewClaim.objects.filter(record=record).first()
    if current is not None and current.expires_at > now and current.reviewer_id != reviewer_id:
        return False
    if current is None:
        ReviewClaim.objects.create(record=record, reviewer_id=reviewer_id, claimed_at=now, expires_at=expires)
    else:
        ReviewClaim.objects.filter(pk=current.pk).update(reviewer_id=reviewer_id, claimed_at=now, expires_at=expires)
    return True


def review_decide(*, access: DatasetAccess, response: Response, decision: str, version: int, comment: str = "",
                  values: Any = None) -> Response:
    """Apply one decision ("accept", "reject" with `comment`, or "fix" with `values`) to version `version`
    of an answer: `review_accept`, `review_reject` or `review_fix`."""
    if decision == "accept":
        return review_accept(access=access, response=response, version=version)
    if decision == "reject":
        return review_reject(access=access, response=response, version=version, comment=comment)
    if decision == "fix":
        return review_fix(access=access, response=response, version=version, values=values)
    raise InvalidInput(f"decision must be one of: {', '.join(DECISIONS)}.", details={"field": "decision"})


def review_accept(*, access: DatasetAccess, response: Response, version: int) -> Response:
    """Accept version `version` of an answer waiting for review: its current values become the accepted
    ones (an "accept" entry holding them). Reviewers and admins only, never on their own answer;
    Conflict when the answer has moved past `version` or is not waiting for review."""

    def accept(fresh: Response, locked: Record) -> ResponseVersion:
        fresh.review_status = Response.ReviewStatus.ACCEPTED
        return _entry(access, fresh, ResponseVersion.Kind.ACCEPT, version)

    return _decide(access, response, version, accept)


def review_reject(*, access: DatasetAccess, response: Response, version: int, comment: str) -> Response:
    """Reject version `version` of an answer waiting for review, with a comment for its labeler (required).

    The answer goes back to its labeler as a draft marked rejected, so it no longer counts towards the
    record's `min_submitted`: the record's `submitted_count` drops by one and its status is re-derived
    in the same transaction (in open distribution the record is then offered again if it needs more
    answers). The labeler's next record is this one (`services.claims.record_claim_next`).
    """
    comment = comment.strip() if isinstance(comment, str) else ""
    if not comment:
        raise InvalidInput("A rejection needs a comment for the labeler.", details={"field": "comment"})

    def reject(fresh: Response, locked: Record) -> ResponseVersion:
        fresh.status = Response.Status.DRAFT
        fresh.review_status = Response.ReviewStatus.REJECTED
        locked.submitted_count = max(0, locked.submitted_count - 1)
        locked.status = Record.status_for(locked.submitted_count, access.dataset.min_submitted)
        return _entry(access, fresh, ResponseVersion.Kind.REJECT, version, comment=comment)

    return _decide(access, response, version, reject)


def review_fix(*, access: DatasetAccess, response: Response, version: int, values: Any) -> Response:
    """Replace the values of version `version` of an answer waiting for review with the reviewer's, and
    accept them: a "fix" entry authored by the reviewer (the labeler's earlier entries keep their
    original). The values are checked as a submission is (every required question answered); the answer
    stays submitted and keeps its labeler."""

    def fix(fresh: Response, locked: Record) -> ResponseVersion:
        _check_submission(access.dataset.questions.all(), values)
        fresh.values = validation.answered_values(values)
        fresh.review_status = Response.ReviewStatus.ACCEPTED
        return _entry(access, fresh, ResponseVersion.Kind.FIX, version)

    return _decide(access, response, version, fix)


def _decide(access: DatasetAccess, response: Response, version: int,
            apply: Callable[[Response, Record], ResponseVersion]) -> Response:
    """Check who decides, lock the record, re-read the answer, check its version, then let `apply`
    change the answer (and the locked record's count) and build the entry; write them together."""
    access.require_reviewer()
    if response.record.dataset_id != access.dataset.pk:
        raise NotFound("Response not found.")
    if access.user is not None and response.user_id == access.user.pk:
        raise PermissionDenied(OWN_ANSWER_REFUSAL)
    with transaction.atomic():
        # The answer is read by a second statement once the record row is ours: under READ COMMITTED the
        # locking statement would read it in the snapshot taken before it waited (services.responses).
        locked = Record.objects.select_for_update(no_key=True).get(pk=response.record_id)
        counted = locked.submitted_count
        fresh = Response.objects.filter(pk=response.pk).first()
        if fresh is None:
            raise NotFound("Response not found.")
        _check_decidable(fresh, version)
        entry = apply(fresh, locked)
        writes = [row_writes.update_statement(fresh, ["values", "status", "review_status", "version"]),
                  row_writes.insert_statement(entry)]
        if locked.submitted_count != counted:
            writes.append(row_writes.update_statement(locked, ["submitted_count", "status"]))
        row_writes.execute_together(writes)
        row_writes.mark_saved(entry)
    # What `Response.objects.with_review_comment()` would read back, so the answer shows without a query.
    fresh.review_comment = entry.comment if fresh.review_status == Response.ReviewStatus.REJECTED else None
    return fresh


def _check_decidable(response: Response, version: int) -> None:
    if response.version != version:
        raise StaleVersion(
            f"This answer changed: version {version} is no longer the latest (it is version {response.version}); "
            "review the latest version.",
            details={"version": response.version},
        )
    if response.review_status != Response.ReviewStatus.PENDING or response.status != Response.Status.SUBMITTED:
        raise NotPendingReview("This answer is not waiting for review.", details={"version": response.version})


def _entry(access: DatasetAccess, response: Response, kind: str, version: int, comment: str = "") -> ResponseVersion:
    return version_entry(response, dataset_id=access.dataset.pk, kind=kind, author=access.user, now=timezone.now(),
                         comment=comment, reviewed_number=version)


def _check_submission(questions: list[Question], values: Any) -> None:
    problems = validation.response_problems(questions, values, status=Response.Status.SUBMITTED)
    if problems:
        raise InvalidResponse(
            "; ".join(f"{p['question']}: {p['message']}" if p["question"] else p["message"] for p in problems),
            details={"questions": {p["question"] or "values": p["message"] for p in problems}},
        )
