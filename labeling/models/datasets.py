"""A dataset and its schema: fields shown, questions asked, metadata properties."""

from django.db import models
from django.db.models import Q

from accounts.models import Workspace

from ..querysets import DatasetQuerySet, SchemaQuerySet
from .base import TimestampedModel, choices_check


class Dataset(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"

    class Distribution(models.TextChoices):
        OPEN = "open", "Open queue"
        ASSIGNED = "assigned", "Assigned records only"

    class Review(models.TextChoices):
        OFF = "off", "Off"
        SAMPLED = "sampled", "A sample of answers"
        ALL = "all", "Every answer"

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="datasets")
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    min_submitted = models.PositiveIntegerField(
        default=1, help_text="Submitted responses that complete a record."
    )
    distribution = models.CharField(max_length=8, choices=Distribution.choices, default=Distribution.OPEN)
    allow_extra_metadata = models.BooleanField(default=True)
    review = models.CharField(
        max_length=8, choices=Review.choices, default=Review.OFF,
        help_text="Whether submitted answers wait for a reviewer: none, a sample, or all of them.",
    )
    review_sample_percent = models.PositiveSmallIntegerField(
        default=100, help_text="With sampled review: the share of submitted answers sent to review, 1–100."
    )
    routing_property = models.CharField(
        max_length=200, blank=True, default="",
        help_text="A terms metadata property naming the skill(s) a record needs; empty: no routing.",
    )
    routing_fallback_hours = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Open a record to labelers without skills when nobody with a matching skill has "
                  "submitted in this dataset for this many hours; empty: never.",
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["workspace__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="labeling_dataset_unique_name_per_workspace"),
            models.CheckConstraint(condition=Q(min_submitted__gte=1), name="labeling_dataset_min_submitted_positive"),
            choices_check("status", ["draft", "ready"], "labeling_dataset_status_valid"),
            choices_check("distribution", ["open", "assigned"], "labeling_dataset_distribution_valid"),
            choices_check("review", ["off", "sampled", "all"], "labeling_dataset_review_valid"),
            models.CheckConstraint(
                condition=Q(review_sample_percent__gte=1, review_sample_percent__lte=100),
                name="labeling_dataset_review_sample_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(routing_fallback_hours__gte=1), name="labeling_dataset_routing_fallback_hours_positive"
            ),
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
            choices_check("type", ["text"], "labeling_field_type_valid"),
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
            choices_check(
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
            choices_check("type", ["terms", "integer", "float"], "labeling_metadataproperty_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name
