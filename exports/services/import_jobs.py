"""Import jobs (DESIGN §5): store an uploaded file, then import it in a worker (lifecycle in `jobs`)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts import tenancy
from config.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from exports import storage
from exports.errors import AccessLost, FileTooLarge, InvalidImportFile
from exports.importing import records_import_file
from exports.models import ImportJob, JobStatus
from exports.readers import format_for
from exports.services import jobs
from labeling.access import DatasetAccess
from labeling.errors import DatasetNotReady
from labeling.models import Dataset
from labeling.selectors.lookups import dataset_access_for


def _check_mapping(mapping: Any) -> dict:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping) or any(
        not isinstance(k, str) or (v is not None and not isinstance(v, str)) for k, v in mapping.items()
    ):
        raise InvalidInput("'mapping' maps column names to a target name or null.", details={"field": "mapping"})
    return dict(mapping)


def import_job_create(
    *, access: DatasetAccess, file, filename: str, format: str | None = None, mapping: Mapping | None = None,
    on_error: str = "reject", enqueue: bool = True,
) -> ImportJob:
    """Store an uploaded file and enqueue its import into the accessed dataset.

    Refuses files over settings.FILE_UPLOAD_MAX_SIZE (FileTooLarge, 413) and unknown formats
    before anything is stored.
    """
    access.require_admin()
    dataset = access.dataset
    if dataset.status != Dataset.Status.READY:
        raise DatasetNotReady(f"Publish the dataset '{dataset.name}' before importing records.")
    limit = settings.FILE_UPLOAD_MAX_SIZE
    size = getattr(file, "size", None)
    if size is None or size > limit:
        raise FileTooLarge(
            f"The file is larger than the {limit // (1024 * 1024)} MiB limit. Split it into smaller files.",
            details={"limit": limit},
        )
    file_format = format or format_for(filename)
    if file_format not in ImportJob.Format.values:
        raise InvalidImportFile(
            "Say which format the file has (csv, jsonl, json or parquet), or name it with that extension.",
            details={"field": "format"},
        )
    if on_error not in ImportJob.OnError.values:
        raise InvalidInput("on_error must be 'reject' or 'skip'.", details={"field": "on_error"})
    mapping = _check_mapping(mapping)
    token = storage.new_token()
    upload = default_storage.save(f"imports/{token}/upload.{file_format}", file)
    with transaction.atomic():
        job = ImportJob.objects.create(
            dataset=dataset, requested_by=access.user, format=file_format, source_name=filename[:255], size=size,
            mapping=mapping, on_error=on_error, upload=upload, token=token,
        )
        if enqueue:
            from exports.tasks import import_job_run_task

            jobs.job_enqueue(import_job_run_task, ImportJob, job.pk)
    return job


def import_job_run(*, job: ImportJob, progress: jobs.ProgressHook | None = None) -> ImportJob | None:
    """Import the job's file (all or nothing unless on_error='skip'), write its report, drop the upload.

    The records and the job's success commit in one transaction, fenced by the attempt: an attempt
    killed or taken over before its commit wrote nothing, so the next one imports every row exactly
    once (records without an external_id included). LeaseHeld / LeaseLost as in `jobs.job_take`.
    """
    job = jobs.job_take(ImportJob, job.pk)
    if job is None:
        return None
    if job.requested_by is None:
        raise AccessLost("The requester's account is gone, so the import was not run.")
    upload = job.upload

    def hook(phase: str, done: int, total: int) -> None:
        # Writing happens inside one transaction: progress rows written there would stay invisible.
        if phase == "validating":
            jobs.job_beat(job, done, total)
        if progress:
            progress(phase, done, total)

    with jobs.job_lease_kept(job):
        try:
            access = _requester_access(job)
            with storage.local_copy(job.upload, job.pk) as path, transaction.atomic():
                result = records_import_file(
                    access=access, path=path, file_format=job.format,
                    mapping=job.mapping, on_error=job.on_error, progress=hook,
                )
                _import_finish(
                    job, status=JobStatus.SUCCEEDED, rows=result.rows, created=result.created, updated=result.updated,
                    skipped=result.bad_count, details={"rows": result.bad_rows} if result.bad_rows else {},
                )
        except DomainError as exc:
            _import_finish(job, status=JobStatus.FAILED, error=exc.message, details=exc.details)
    storage.delete(upload)
    return job


def _requester_access(job: ImportJob) -> DatasetAccess:
    """The requester's access, re-checked when the job runs: one who has left the workspace since is
    refused as any non-admin is."""
    try:
        return dataset_access_for(user=job.requested_by, dataset=job.dataset)
    except NotFound:
        raise PermissionDenied(tenancy.ADMIN_REFUSAL) from None


def _import_finish(job: ImportJob, *, status: str, error: str = "", details: Mapping | None = None,
                   rows: int = 0, created: int = 0, updated: int = 0, skipped: int = 0) -> None:
    """Publish the report and store the outcome (fenced: LeaseLost rolls a success back with its records)."""
    report = {
        "job": str(job.pk), "dataset": str(job.dataset_id), "file": job.source_name, "status": status,
        "error": error, "rows": rows, "created": created, "updated": updated, "skipped": skipped,
        "details": dict(details or {}), "finished_at": timezone.now().isoformat(),
    }
    # Published before the outcome commits: a later attempt publishes its own report over this one.
    report_name = storage.publish(jobs.report_write(job, report), f"imports/{job.token}/report.json")
    jobs.job_finish(
        job, status=status, error=error, error_details=dict(details or {}), report=report_name, upload="",
        created_count=created, updated_count=updated, skipped_count=skipped, progress_done=rows, progress_total=rows,
    )
