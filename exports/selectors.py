"""Reads of export and import jobs, always through ExportJob/ImportJob.objects.visible_to (STYLE §3)."""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from config.errors import Conflict, NotFound
from labeling.models import Dataset

from .formats.registry import FORMATS
from .models import ExportJob, ImportJob, JobStatus


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None


def export_job_list(*, user: User) -> QuerySet:
    """Export jobs the user may see, with their datasets (one extra query per page)."""
    datasets = Dataset.objects.select_related("workspace").order_by("workspace__name", "name")
    return ExportJob.objects.visible_to(user).select_related("requested_by").prefetch_related(
        Prefetch("datasets", queryset=datasets)
    )


def export_job_get(*, user: User, job_id) -> ExportJob:
    """One export job the user may see; missing and not-yours are the same NotFound."""
    try:
        return export_job_list(user=user).get(pk=_uuid(job_id))
    except ExportJob.DoesNotExist:
        raise NotFound("Export not found.") from None


def import_job_list(*, user: User) -> QuerySet:
    return ImportJob.objects.visible_to(user).select_related("requested_by", "dataset__workspace")


def import_job_get(*, user: User, job_id) -> ImportJob:
    try:
        return import_job_list(user=user).get(pk=_uuid(job_id))
    except ImportJob.DoesNotExist:
        raise NotFound("Import not found.") from None


@dataclass(frozen=True)
class JobFile:
    name: str  # in storage
    filename: str  # offered to the browser
    content_type: str


def export_job_file(*, job: ExportJob, role: str | None = None) -> JobFile:
    """One published file of a finished export: data (or train/test) by default, or the report."""
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict("The export has no file yet: wait until it has succeeded.", code="export_not_ready")
    role = role or ("data" if "data" in job.files else "train")
    name = job.files.get(role)
    if not name:
        raise NotFound(f"This export has no '{role}' file; it has: {', '.join(sorted(job.files))}.")
    content_type = "application/json" if role == "report" else FORMATS[job.format].CONTENT_TYPE
    return JobFile(name=name, filename=name.rsplit("/", 1)[-1], content_type=content_type)


def import_job_report(*, job: ImportJob) -> JobFile:
    """The report of a finished import (counts and bad rows with their line numbers)."""
    if not job.report:
        raise Conflict("The import has no report yet: wait until it has finished.", code="import_not_ready")
    return JobFile(name=job.report, filename="import-report.json", content_type="application/json")
