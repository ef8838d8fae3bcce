"""Records (the prompts) and the model suggestions attached to them."""

from django.db import models
from django.db.models import Q

from ..querysets import RecordQuerySet, SuggestionQuerySet
from .base import TimestampedModel, choices_check
from .datasets import Dataset, Question


class Record(TimestampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"

    # Served by the (dataset, ordinal) unique constraint and the next-record index.
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="records", db_index=False)
    # Creation sequence inside the dataset: a deterministic order for "oldest first" and offset paging.
    ordinal = models.BigIntegerField(editable=False)
    external_id = models.CharField(max_length=200, null=True, blank=True)
    fields = models.JSONField(default=dict)
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Denormalised count of submitted responses, kept by the response service in the same transaction.
    submitted_count = models.PositiveIntegerField(default=0, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["dataset_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "ordinal"], name="labeling_record_unique_ordinal"),
            models.UniqueConstraint(
                fields=["dataset", "external_id"],
                condition=Q(external_id__isnull=False),
                name="labeling_record_unique_external_id",
            ),
            choices_check("status", ["pending", "completed"], "labeling_record_status_valid"),
        ]
        indexes = [
            # Next record in open distribution: incomplete first, fewest submitted, oldest.
            models.Index(fields=["dataset", "status", "submitted_count", "ordinal"], name="labeling_record_next_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id or str(self.id)

    @classmethod
    def status_for(cls, submitted_count: int, min_submitted: int) -> str:
        """The record-status rule (DESIGN §3): completed once it holds `min_submitted` submitted responses."""
        return cls.Status.COMPLETED if submitted_count >= min_submitted else cls.Status.PENDING

    @classmethod
    def status_expression(cls, min_submitted) -> models.Case:
        """`status_for` as SQL over the row's `submitted_count`, for updates of many records at once;
        `min_submitted` is a number or an expression (the dataset's, per row)."""
        return models.Case(
            models.When(submitted_count__gte=min_submitted, then=models.Value(cls.Status.COMPLETED.value)),
            default=models.Value(cls.Status.PENDING.value),
            output_field=models.CharField(),
        )


class Suggestion(TimestampedModel):
    class Type(models.TextChoices):
        MODEL = "model", "Model"
        HUMAN = "human", "Human"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="suggestions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="suggestions")
    value = models.JSONField()
    score = models.JSONField(null=True, blank=True)
    agent = models.CharField(max_length=200, null=True, blank=True)
    type = models.CharField(max_length=8, choices=Type.choices, null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "question"], name="labeling_suggestion_unique_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value!r}"
