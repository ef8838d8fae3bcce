"""Labelers' responses and their append-only history."""

from django.conf import settings
from django.db import models

from ..querysets import ResponseQuerySet
from .base import TimestampedModel, choices_check, uuid7
from .datasets import Dataset
from .records import Record


class Response(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        DISCARDED = "discarded", "Discarded"

    class ReviewStatus(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    # Both foreign keys are served by the composite indexes below; single-column ones only slow writes.
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="responses", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    # When the labeler was handed the record and when they last submitted it (time spent, DESIGN §4).
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The review of the current version (None: not sent to review). A rejected answer goes back to its
    # labeler as a draft, so it no longer counts towards `min_submitted`.
    review_status = models.CharField(max_length=8, choices=ReviewStatus.choices, null=True, blank=True)
    # The number of the latest ResponseVersion (0: none written yet); a review names the version it
    # was made on, and applies only while it is still the latest.
    version = models.PositiveIntegerField(default=0)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="labeling_response_unique_per_user"),
            choices_check("status", ["draft", "submitted", "discarded"], "labeling_response_status_valid"),
            choices_check("review_status", ["pending", "accepted", "rejected"], "labeling_response_review_status_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="labeling_response_user_idx"),
            models.Index(fields=["record", "status"], name="labeling_response_record_idx"),
            # The review queue: answers waiting for a reviewer, oldest submission first.
            models.Index(fields=["submitted_at"], condition=models.Q(review_status="pending"),
                         name="labeling_response_review_idx"),
            # A labeler's rejected answers, which their next record serves first.
            models.Index(fields=["user", "record"], condition=models.Q(review_status="rejected"),
                         name="labeling_response_rejected_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.record_id} ({self.status})"


class ResponseVersion(models.Model):
    """One entry of a response's history (append-only): a submit, an edit after submit, a status change,
    or a review decision (accept, reject, fix), with the values and statuses it left the response in.

    Rows are only ever inserted: on PostgreSQL a trigger refuses UPDATE (migration 0009), and no service
    or admin path changes one. They reference the response by id only, so the history outlives the
    response (a redistribution that deletes it); it is deleted with its record or dataset.
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", "Submitted"
        EDIT = "edit", "Edited after submit"
        DRAFT = "draft", "Saved as draft"
        DISCARD = "discard", "Discarded"
        ACCEPT = "accept", "Accepted"
        REJECT = "reject", "Rejected"
        FIX = "fix", "Fixed by a reviewer"

    # Time-ordered, set by Python: the annotation loop inserts a version with its write statements.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions", db_index=False)
    response_id = models.UUIDField()
    # The labeler whose response this is; the author is who wrote this entry (the labeler, or a reviewer).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # No database reference: deleting a reviewer keeps the history they wrote, under `author_name`.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
        db_index=False, null=True,
    )
    author_name = models.CharField(max_length=150)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Response.Status.choices)
    review_status = models.CharField(max_length=8, choices=Response.ReviewStatus.choices, null=True, blank=True)
    # For accept, reject and fix: the number of the version the decision was made on.
    reviewed_number = models.PositiveIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    inserted_at = models.DateTimeField()

    class Meta:
        ordering = ["response_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["response_id", "number"], name="labeling_responseversion_unique_number"),
            choices_check(
                "kind", ["submit", "edit", "draft", "discard", "accept", "reject", "fix"],
                "labeling_responseversion_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "response_id"], name="labeling_version_record_idx"),
            models.Index(fields=["dataset", "kind"], name="labeling_version_dataset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} v{self.number} ({self.kind})"
