import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Workspace
from labeling.models import Dataset

from .querysets import ExportJobQuerySet, ImportJobQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    """What export and import jobs share: state on the model, not only in Celery (STYLE §5)."""

    Status = JobStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    error_details = models.JSONField(default=dict, blank=True)
    # Random path segment of the published files: file names cannot be guessed (DESIGN §9).
    token = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    inserted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Last progress the worker reported; a running job without progress past its deadline is stuck.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The running attempt's lease, renewed while its worker process lives: once it has expired, another
    # message may take the job over (exports.services.jobs).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class ExportJob(Job):
    class Format(models.TextChoices):
        RECORDS = "records", "records.jsonl (full fidelity)"
        SFT_MESSAGES = "sft-messages", "sft-messages.jsonl"
        SFT_PROMPT_COMPLETION = "sft-prompt-completion", "sft-prompt-completion.jsonl"
        ALPACA = "alpaca", "alpaca.json"
        CSV = "csv", "CSV"
        PARQUET = "parquet", "Parquet"

    # The workspace of the first dataset; the job is visible only to admins of every dataset's workspace.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="export_jobs")
    datasets = models.ManyToManyField(Dataset, related_name="export_jobs")
    format = models.CharField(max_length=32, choices=Format.choices)
    options = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveBigIntegerField(default=0)
    # Published files by role ("data", or "train" and "test"; "report"): storage names.
    files = models.JSONField(default=dict, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-inserted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]), name="exports_exportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["records", "sft-messages", "sft-prompt-completion", "alpaca", "csv", "parquet"]),
                name="exports_exportjob_format_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="exports_exportjob_stale_idx")]

    def __str__(self) -> str:
        return f"export {self.format} ({self.status})"


class ImportJob(Job):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON lines"
        JSON = "json", "JSON array"
        PARQUET = "parquet", "Parquet"

    class OnError(models.TextChoices):
        REJECT = "reject", "Import nothing when any row is bad"
        SKIP = "skip", "Skip bad rows"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="import_jobs")
    format = models.CharField(max_length=16, choices=Format.choices)
    source_name = models.CharField(max_length=255, blank=True, help_text="The uploaded file's name.")
    size = models.PositiveBigIntegerField(default=0)
    mapping = models.JSONField(default=dict, blank=True)
    on_error = models.CharField(max_length=8, choices=OnError.choices, default=OnError.REJECT)
    # Storage names of the upload (deleted once the job finishes) and of the report.
    upload = models.CharField(max_length=500, blank=True)
    report = models.CharField(max_length=500, blank=True)
    created_count = models.PositiveBigIntegerField(default=0)
    updated_count = models.PositiveBigIntegerField(default=0)
    skipped_count = models.PositiveBigIntegerField(default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-inserted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]), name="exports_importjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["csv", "jsonl", "json", "parquet"]), name="exports_importjob_format_valid"
            ),
            models.CheckConstraint(condition=Q(on_error__in=["reject", "skip"]), name="exports_importjob_on_error_valid"),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="exports_importjob_stale_idx")]

    def __str__(self) -> str:
        return f"import {self.source_name or self.format} ({self.status})"
