"""Reads of export and import jobs, always through ExportJob/ImportJob.objects.visible_to (STYLE §3)."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from accounts import tenancy
from accounts.models import User
from config.errors import Conflict, InvalidInput, NotFound
from config.ids import parse_uuid
from labeling.models import Dataset

from .formats.registry import FORMATS
from .models import ExportJob, ImportJob, JobStatus
from .pipeline import preview
from .pipeline.options import ExportOptions, normalize_options

MAX_DATASETS_PER_EXPORT = 50


def export_job_list(*, user: User, status: str | None = None, dataset_id: uuid.UUID | None = None) -> QuerySet:
    """Export jobs the user may see, newest first, with their datasets (one extra query per page).

    `dataset_id` keeps the jobs that include that dataset; an id the user cannot read simply matches nothing.
    """
    datasets = Dataset.objects.select_related("workspace").order_by("workspace__name", "name")
    jobs = ExportJob.objects.visible_to(user)
    if status:
        jobs = jobs.filter(status=status)
    if dataset_id:
        jobs = jobs.filter(datasets__id=dataset_id)
    return jobs.select_related("requested_by").prefetch_related(Prefetch("datasets", queryset=datasets))


def export_datasets(*, user: User, dataset_ids: Iterable[Any]) -> list[Dataset]:
    """The datasets of an export, each readable and administered by the user (404 / 403 otherwise), in the
    order given, with their schema prefetched."""
    if isinstance(dataset_ids, (str, bytes)) or not isinstance(dataset_ids, Iterable):
        raise InvalidInput("'datasets' is a list of dataset ids.", details={"field": "datasets"})
    ids = list(dict.fromkeys(parse_uuid(value, "Dataset not found.") for value in dataset_ids))
    if not ids:
        raise InvalidInput("Choose at least one dataset to export.", details={"field": "datasets"})
    if len(ids) > MAX_DATASETS_PER_EXPORT:
        raise InvalidInput(f"Export at most {MAX_DATASETS_PER_EXPORT} datasets at once.", details={"field": "datasets"})
    found = {d.pk: d for d in Dataset.objects.visible_to(user).filter(pk__in=ids).select_related("workspace")}
    if len(found) != len(ids):
        raise NotFound("Dataset not found.")
    datasets = [found[i] for i in ids]
    for dataset in datasets:
        tenancy.require_workspace_admin(user, dataset.workspace_id)
    prefetch_related_objects(datasets, "fields", "questions")
    return datasets


def export_request(
    *, user: User, dataset_ids: Iterable[Any], format: str, options: Mapping | None
) -> tuple[list[Dataset], ExportOptions]:
    """An export as asked for, checked: its datasets (see `export_datasets`) and its options normalised against
    their schema. Raises InvalidInput naming the option at fault, or IncompatibleDatasets."""
    if format not in FORMATS:
        raise InvalidInput(f"Unknown format '{format}'. Use one of: {', '.join(FORMATS)}.", details={"field": "format"})
    datasets = export_datasets(user=user, dataset_ids=dataset_ids)
    return datasets, normalize_options(datasets, dict(options or {}))


def export_preview(*, user: User, dataset_ids: Iterable[Any], format: str, options: Mapping | None) -> preview.Preview:
    """The first rows and the row count an export with these options would produce; nothing is stored or written.
    Raises what `export_request` raises, so the page refuses bad options before a job exists."""
    datasets, normalized = export_request(user=user, dataset_ids=dataset_ids, format=format, options=options)
    return preview.export_preview(datasets, format, normalized)


def export_job_get(*, user: User, job_id) -> ExportJob:
    """One export job the user may see; missing and not-yours are the same NotFound."""
    try:
        return export_job_list(user=user).get(pk=parse_uuid(job_id))
    except ExportJob.DoesNotExist:
        raise NotFound("Export not found.") from None


def import_job_list(*, user: User, status: str | None = None, dataset_id: uuid.UUID | None = None) -> QuerySet:
    """Import jobs the user may see, newest first, optionally of one status or into one dataset."""
    jobs = ImportJob.objects.visible_to(user)
    if status:
        jobs = jobs.filter(status=status)
    if dataset_id:
        jobs = jobs.filter(dataset_id=dataset_id)
    return jobs.select_related("requested_by", "dataset__workspace")


def import_job_get(*, user: User, job_id) -> ImportJob:
    """One import job the user may see; missing and not-yours are the same NotFound."""
    try:
        return import_job_list(user=user).get(pk=parse_uuid(job_id))
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


# --- portal ---------------------------------------------------------------------------------------


def administers_any_workspace(*, user: User) -> bool:
    """Whether the exports and imports pages are for this user: owners and workspace admins."""
    return tenancy.is_owner(user) or tenancy.admin_workspace_ids(user).exists()


def administered_workspace_ids(*, user: User) -> set | None:
    """Ids of the workspaces the user administers, or None for an owner (who administers them all)."""
    if tenancy.is_owner(user):
        return None
    return {row["workspace_id"] for row in tenancy.admin_workspace_ids(user)}


def administered_datasets(*, user: User, with_schema: bool = False) -> list[Dataset]:
    """The datasets an export or import may be started for, by workspace then name; `with_schema` prefetches
    their fields, questions and metadata properties (the export page's choices)."""
    datasets = Dataset.objects.administered_by(user).select_related("workspace").order_by("workspace__name", "name")
    if with_schema:
        datasets = datasets.prefetch_related("fields", "questions", "metadata_properties")
    return list(datasets)
