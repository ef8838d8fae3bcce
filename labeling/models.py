import os
import time
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Workspace

from .querysets import (
    AssignmentQuerySet,
    DatasetQuerySet,
    RecordQuerySet,
    ResponseQuerySet,
    SchemaQuerySet,
    SuggestionQuerySet,
)


def _choices_check(field: str, values: list[str], name: str) -> models.CheckConstraint:
    """An enum check; Meta cannot see the nested choices class, so the values are spelled out."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


class TimestampedModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    inserted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Dataset(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"

    class Distribution(models.TextChoices):
        OPEN = "open", "Open queue"
        ASSIGNED = "assigned", "Assigned records only"

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="datasets")
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    min_submitted = models.PositiveIntegerField(
        default=1, help_text="Submitted responses that complete a record."
    )
    distribution = models.CharField(max_length=8, choices=Distribution.choices, default=Distribution.OPEN)
    allow_extra_metadata = models.BooleanField(default=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["workspace__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="labeling_dataset_unique_name_per_workspace"),
            models.CheckConstraint(condition=Q(min_submitted__gte=1), name="labeling_dataset_min_submitted_positive"),
            _choices_check("status", ["draft", "ready"], "labeling_dataset_status_valid"),
            _choices_check("distribution", ["open", "assigned"], "labeling_dataset_distribution_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Field(TimestampedModel):
    class Type(models.TextChoices):
        TEXT = "text", "Text"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=500)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(default=True)
    use_markdown = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    objects = SchemaQuerySet.as_manager()

    class Meta:
        ordering = ["position", "inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="labeling_field_unique_name_per_dataset"),
            _choices_check("type", ["text"], "labeling_field_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(TimestampedModel):
    class Type(models.TextChoices):
        TEXT = "text", "Text"
        RATING = "rating", "Rating"
        LABEL_SELECTION = "label_selection", "Label"
        MULTI_LABEL_SELECTION = "multi_label_selection", "Multi-label"
        RANKING = "ranking", "Ranking"
        SPAN = "span", "Span"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="questions")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True, null=True)
    type = models.CharField(max_length=32, choices=Type.choices)
    required = models.BooleanField(default=True)
    settings = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = SchemaQuerySet.as_manager()

    class Meta:
        ordering = ["position", "inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="labeling_question_unique_name_per_dataset"),
            _choices_check(
                "type",
                ["text", "rating", "label_selection", "multi_label_selection", "ranking", "span"],
                "labeling_question_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MetadataProperty(TimestampedModel):
    class Type(models.TextChoices):
        TERMS = "terms", "Terms"
        INTEGER = "integer", "Integer"
        FLOAT = "float", "Float"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="metadata_properties")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=500)
    type = models.CharField(max_length=16, choices=Type.choices)
    settings = models.JSONField(default=dict, blank=True)
    visible_for_annotators = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    objects = SchemaQuerySet.as_manager()

    class Meta:
        ordering = ["position", "inserted_at"]
        verbose_name_plural = "metadata properties"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="labeling_metadataproperty_unique_name"),
            _choices_check("type", ["terms", "integer", "float"], "labeling_metadataproperty_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


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
            _choices_check("status", ["pending", "completed"], "labeling_record_status_valid"),
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


class Response(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        DISCARDED = "discarded", "Discarded"

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

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="labeling_response_unique_per_user"),
            _choices_check("status", ["draft", "submitted", "discarded"], "labeling_response_status_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="labeling_response_user_idx"),
            models.Index(fields=["record", "status"], name="labeling_response_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.record_id} ({self.status})"


def uuid7() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): Unix time in milliseconds, the version, then 74 random bits."""
    random_bits = int.from_bytes(os.urandom(10))
    rand_a, rand_b = random_bits >> 68, random_bits & ((1 << 62) - 1)
    return uuid.UUID(int=(time.time_ns() // 1_000_000) << 80 | 7 << 76 | rand_a << 64 | 2 << 62 | rand_b)


class Assignment(TimestampedModel):
    # Time-ordered ids: one distribution writes 300,000 rows, and ids that grow with time are
    # appended to the primary key index where random ones land on random pages of it
    # (`labeling.services.distribution` makes the same layout on the server for its bulk insert).
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Served by the unique (record, user) constraint and the (user, record) index. Both references
    # are checked by the database, but not always by a foreign key, hence db_constraint=False: on
    # PostgreSQL statement-level triggers check them (migration 0006), as one distribution inserts
    # 300,000 rows and a foreign key runs a query per row; SQLite keeps the foreign keys that
    # migration 0001 created (migration 0007 says why, and what a later table rebuild must do).
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="assignments", db_index=False, db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", db_index=False,
        db_constraint=False,
    )
    # An audit note, written 300,000 times by one distribution: no database FK check or index on it
    # (Django still sets it to NULL when the user is deleted).
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False,
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="labeling_assignment_unique_per_user"),
        ]
        indexes = [models.Index(fields=["user", "record"], name="labeling_assignment_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.record_id}"


class Claim(models.Model):
    """A lease on a record handed out by "next record" (DESIGN §4); it expires on its own."""

    id = models.BigAutoField(primary_key=True)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="claims", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "user"], name="labeling_claim_unique_per_user")]
        indexes = [models.Index(fields=["record", "expires_at"], name="labeling_claim_record_idx")]
