"""Reads of the review stage: a record with every submitted answer side by side, and what waits for review.

The queue's "next" holds a claim, so it is a write: `labeling.services.reviews.review_claim_next`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, prefetch_related_objects

from accounts import tenancy
from accounts.models import User
from config.errors import NotFound
from config.ids import parse_uuid

from ..access import DatasetAccess
from ..models import Dataset, Record, Response, Suggestion


@dataclass(frozen=True)
class ReviewAnswer:
    """One submitted answer as a reviewer sees it."""

    response: Response
    labeler: str  # the labeler's username
    seconds_spent: float | None  # from being handed the record to the latest submission
    submitted_at: datetime | None
    version: int  # the version a decision on it names
    review_status: str | None
    is_decidable: bool  # waiting for review, and not the reviewer's own


@dataclass(frozen=True)
class ReviewRecord:
    """A record under review: its dataset (fields, questions and guidelines loaded), the suggestion per
    question name, and every submitted answer, oldest submission first."""

    record: Record
    dataset: Dataset
    suggestions: dict[str, Suggestion]
    answers: list[ReviewAnswer]

    @property
    def decidable(self) -> list[ReviewAnswer]:
        return [answer for answer in self.answers if answer.is_decidable]


def review_record(*, access: DatasetAccess, record: Record) -> ReviewRecord:
    """The review view of a record of the accessed dataset (the one `review_claim_next` handed out, or
    one reached by `review_record_get`). Reviewers and admins only (PermissionDenied otherwise).

    Four queries whatever the number of answers: fields, questions, suggestions, answers with labelers.
    """
    access.require_reviewer()
    dataset = access.dataset
    prefetch_related_objects([dataset], "fields", "questions")
    suggestions = {s.question.name: s for s in Suggestion.objects.filter(record=record).select_related("question")}
    responses = (Response.objects.filter(record=record, status=Response.Status.SUBMITTED)
                 .select_related("user").order_by("submitted_at", "inserted_at"))
    reviewer_id = access.user.pk if access.user is not None else None
    answers = [_answer(response, reviewer_id) for response in responses]
    return ReviewRecord(record=record, dataset=dataset, suggestions=suggestions, answers=answers)


def _answer(response: Response, reviewer_id) -> ReviewAnswer:
    spent = None
    if response.started_at is not None and response.submitted_at is not None:
        spent = max(0.0, (response.submitted_at - response.started_at).total_seconds())
    return ReviewAnswer(
        response=response, labeler=response.user.get_username(), seconds_spent=spent,
        submitted_at=response.submitted_at, version=response.version, review_status=response.review_status,
        is_decidable=response.review_status == Response.ReviewStatus.PENDING and response.user_id != reviewer_id,
    )


def review_record_get(*, access: DatasetAccess, record_id) -> ReviewRecord:
    """`review_record` of a record of the accessed dataset by id; NotFound for a record of another dataset."""
    access.require_reviewer()
    record = Record.objects.filter(dataset=access.dataset, pk=parse_uuid(record_id)).first()
    if record is None:
        raise NotFound("Record not found.")
    record.dataset = access.dataset
    return review_record(access=access, record=record)


def review_to_do_count(*, access: DatasetAccess) -> int:
    """Answers of the accessed dataset waiting for review that the caller may decide (not their own)."""
    return review_to_do_counts(user=access.user, dataset_ids=[access.dataset.pk]).get(access.dataset.pk, 0)


def review_to_do_counts(*, user: User, dataset_ids: Iterable) -> dict:
    """{dataset id: answers waiting for review that `user` may decide} over the given datasets, for those
    of workspaces where the user may review (others are left out); one query."""
    waiting = Response.objects.filter(review_status=Response.ReviewStatus.PENDING, status=Response.Status.SUBMITTED,
                                      record__dataset_id__in=list(dataset_ids)).exclude(user_id=user.pk)
    if not tenancy.is_owner(user):
        waiting = waiting.filter(record__dataset__workspace_id__in=tenancy.reviewer_workspace_ids(user))
    rows = waiting.values_list("record__dataset_id").annotate(n=Count("id")).order_by()
    return dict(rows)


def review_summary(*, access: DatasetAccess) -> dict:
    """The accessed dataset's review figures: its review setting, answers waiting (all, and those the
    caller may decide), accepted and rejected ones. Reviewers and admins only; one query."""
    access.require_reviewer()
    reviewer_id = access.user.pk if access.user is not None else None
    pending = Q(review_status=Response.ReviewStatus.PENDING, status=Response.Status.SUBMITTED)
    counts = Response.objects.filter(record__dataset=access.dataset).aggregate(
        pending=Count("id", filter=pending),
        to_do=Count("id", filter=pending & ~Q(user_id=reviewer_id)),
        accepted=Count("id", filter=Q(review_status=Response.ReviewStatus.ACCEPTED)),
        rejected=Count("id", filter=Q(review_status=Response.ReviewStatus.REJECTED)),
    )
    dataset = access.dataset
    return {"review": dataset.review, "review_sample_percent": dataset.review_sample_percent, **counts}
