"""Export and import jobs (DESIGN §5): create, run, fail, and fail the stale ones.

Creating a job checks access and options, stores the job, and enqueues its task once the
transaction commits. Running one is idempotent: it takes the job row, skips finished jobs and
jobs another worker is still advancing, writes to temporary files and publishes them
atomically, then records the outcome. Tasks (exports/tasks.py) only call these.
"""

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts import tenancy
from accounts.models import User
from config.errors import DomainError, InvalidInput, NotFound
from config.collector import cyclic_gc_paused
from labeling.errors import DatasetNotReady
from labeling.models import Dataset

from . import storage
from .errors import AccessLost, FileTooLarge, InvalidImportFile, QueueUnavailable
from .exporting import (
    ExamplePipeline, Report, example_chunks, filtered_records, flat_columns, full_record,
    normalize_options, record_chunks,
)
from .formats.registry import FLAT_FORMATS, FORMATS, file_name
from .importing import records_import_file
from .models import ExportJob, ImportJob, JobStatus
from .readers import format_for

logger = logging.getLogger(__name__)

MAX_DATASETS_PER_EXPORT = 50

Job = ExportJob | ImportJob
ProgressHook = Callable[[str, int, int], None]


def _chunk_size() -> int:
    """Records per export chunk. Bigger chunks mean fewer response queries (PostgreSQL often answers one
    by scanning every response), smaller ones less memory: 5,000 keeps the worker's peak within a few
    MB whatever the dataset's size (bench.export)."""
    return int(getattr(settings, "EXPORT_CHUNK_SIZE", 5_000))


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as dead."""
    return timedelta(seconds=int(getattr(settings, "JOB_STALE_AFTER_SECONDS", 900)))


# --- queueing ------------------------------------------------------------------------------------


def _enqueue(task, model: type[models.Model], job_id) -> None:
    """Send the job's task once the surrounding transaction commits (STYLE §5).

    The broker is not retried: with Redis down the caller gets QueueUnavailable (503) within the
    broker connection timeout instead of a hang, and the job is marked failed with the reason.
    """

    def send() -> None:
        app = task.app
        try:
            if app.conf.task_always_eager:
                task.apply_async(args=[str(job_id)])
                return
            # One connection attempt, no back-off: kombu's default retries would hold the request
            # for several connection timeouts before giving up.
            with app.connection_for_write() as connection:
                connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=app.conf.broker_connection_timeout
                )
                task.apply_async(args=[str(job_id)], retry=False, connection=connection)
        except BrokerError as exc:
            logger.warning("job queue unavailable: %s", exc)
            message = "The job queue is unavailable, so the job was not started. Try again in a minute."
            model.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
            )
            raise QueueUnavailable(message) from None

    transaction.on_commit(send)


def _start(model: type[Job], job_id) -> Job | None:
    """Take a job for this worker; None when it is gone, finished, or alive in another worker."""
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == JobStatus.RUNNING and job.heartbeat_at and job.heartbeat_at > now - stale_after():
            # A redelivered message while the first run is still making progress: let that one finish.
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.progress_done = 0
        job.error, job.error_details = "", {}
        job.save()
    return job


def _beat(job: Job, done: int, total: int) -> None:
    now = timezone.now()
    type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        progress_done=done, progress_total=total, heartbeat_at=now, updated_at=now
    )
    job.progress_done, job.progress_total = done, total


def job_fail(*, job: Job, reason: str, details: Mapping | None = None) -> None:
    """Mark a job failed with a reason its requester can act on."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).exclude(status=JobStatus.SUCCEEDED).update(
        status=JobStatus.FAILED, error=reason, error_details=dict(details or {}), finished_at=now, updated_at=now
    )
    storage.discard_partials(job.pk)


def job_requeue(*, job: Job) -> None:
    """Put a running job back in the queue state before its task retries after a transient error."""
    type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED, updated_at=timezone.now())


def jobs_fail_stale(*, now=None) -> int:
    """Mark running jobs without a heartbeat for longer than the deadline as failed; return how many."""
    now = now or timezone.now()
    deadline = now - stale_after()
    minutes = int(stale_after().total_seconds() // 60)
    reason = (
        f"The worker stopped before finishing: no progress for more than {minutes} minute(s). "
        "Start the job again; if it keeps failing, check the Celery worker's log."
    )
    count = 0
    for model in (ExportJob, ImportJob):
        stale = model.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=deadline)
        ids = list(stale.values_list("pk", flat=True))
        count += model.objects.filter(pk__in=ids, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=reason, finished_at=now, updated_at=now
        )
        for job_id in ids:
            storage.discard_partials(job_id)
    return count


# --- exports -------------------------------------------------------------------------------------


def _uuids(values: Iterable[Any]) -> list[uuid.UUID]:
    try:
        return [v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)) for v in values]
    except (ValueError, TypeError, AttributeError):
        raise NotFound("Dataset not found.") from None


def _export_datasets(actor: User, dataset_ids: Iterable[Any]) -> list[Dataset]:
    """The datasets of an export, each readable and administered by the actor (404 / 403 otherwise)."""
    if isinstance(dataset_ids, (str, bytes)) or not isinstance(dataset_ids, Iterable):
        raise InvalidInput("'datasets' is a list of dataset ids.", details={"field": "datasets"})
    ids = list(dict.fromkeys(_uuids(dataset_ids)))
    if not ids:
        raise InvalidInput("Choose at least one dataset to export.", details={"field": "datasets"})
    if len(ids) > MAX_DATASETS_PER_EXPORT:
        raise InvalidInput(f"Export at most {MAX_DATASETS_PER_EXPORT} datasets at once.", details={"field": "datasets"})
    found = {d.pk: d for d in Dataset.objects.visible_to(actor).filter(pk__in=ids).select_related("workspace")}
    if len(found) != len(ids):
        raise NotFound("Dataset not found.")
    datasets = [found[i] for i in ids]
    for dataset in datasets:
        tenancy.require_workspace_admin(actor, dataset.workspace_id)
    prefetch_related_objects(datasets, "fields", "questions")
    return datasets


def export_job_create(
    *, actor: User, dataset_ids: Iterable[Any], format: str, options: Mapping | None = None, enqueue: bool = True
) -> ExportJob:
    """Check access and options, store an export job and enqueue it after commit.

    The actor must administer every dataset (others' datasets are NotFound, visible ones they
    only annotate are PermissionDenied); datasets must share the schema the options name.
    """
    if format not in FORMATS:
        raise InvalidInput(f"Unknown format '{format}'. Use one of: {', '.join(FORMATS)}.", details={"field": "format"})
    datasets = _export_datasets(actor, dataset_ids)
    normalized = normalize_options(datasets, dict(options or {}))
    stored = normalized.as_dict()
    stored.pop("answer_questions")
    with transaction.atomic():
        job = ExportJob.objects.create(
            workspace=datasets[0].workspace, requested_by=actor, format=format, options=stored, token=storage.new_token()
        )
        job.datasets.set(datasets)
        if enqueue:
            from .tasks import export_job_run_task

            _enqueue(export_job_run_task, ExportJob, job.pk)
    return job


def _job_datasets(job: ExportJob) -> list[Dataset]:
    """The job's datasets, re-checked against the requester's current rights (STYLE §3: tasks re-check)."""
    datasets = list(job.datasets.select_related("workspace").order_by("workspace__name", "name"))
    requester = job.requested_by
    if not datasets or requester is None or not all(
        tenancy.is_workspace_admin(requester, d.workspace_id) for d in datasets
    ):
        raise AccessLost("The requester can no longer read every dataset of this export, so it was not produced.")
    prefetch_related_objects(datasets, "fields", "questions")
    return datasets


def export_job_run(*, job: ExportJob, progress: ProgressHook | None = None) -> ExportJob | None:
    """Produce an export's files and publish them; None when the job needs no run (see `_start`)."""
    job = _start(ExportJob, job.pk)
    if job is None:
        return None
    datasets = _job_datasets(job)
    options = normalize_options(datasets, job.options)
    fmt = FORMATS[job.format]
    storage.discard_partials(job.pk)
    roles = ["train", "test"] if options.test_size and job.format not in FLAT_FORMATS else ["data"]
    columns = flat_columns(options)
    writers = {role: fmt.Writer(str(storage.partial_path(job.pk, role)), columns=columns) for role in roles}
    report = Report()
    try:
        with cyclic_gc_paused():
            rows = _export_write(job, datasets, options, fmt, writers, report, progress)
    finally:
        for writer in writers.values():
            writer.close()
    report_data = _export_report(job, options, report, rows, roles)
    report_path = storage.partial_path(job.pk, "report")
    report_path.write_text(json.dumps(report_data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    files = {}
    for role in roles:
        files[role] = storage.publish(storage.partial_path(job.pk, role), f"exports/{job.token}/{file_name(job.format, role)}")
    files["report"] = storage.publish(report_path, f"exports/{job.token}/report.json")
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, files=files, row_count=rows, progress_done=job.progress_total,
        finished_at=now, heartbeat_at=now, updated_at=now,
    )
    job.refresh_from_db()
    return job


def _export_write(job, datasets, options, fmt, writers, report: Report, progress) -> int:
    """Stream every dataset's records through reconciliation into the writers; return rows written.

    Each chunk's rows are formatted first and handed to each writer at once (one write per chunk).
    """
    is_records = fmt.ROWS == "records"
    pipeline = ExamplePipeline(options, report, with_answers=job.format in FLAT_FORMATS)
    querysets = []
    for dataset in datasets:
        records = filtered_records(dataset, options)
        label = f"{dataset.workspace.name}/{dataset.name}"
        selected = records.count()
        report.datasets.append({"id": str(dataset.pk), "name": label, "records": dataset.records.count(), "selected": selected})
        querysets.append((label, records))
    total = sum(d["selected"] for d in report.datasets)
    _beat(job, 0, total)
    done = rows = 0
    split_writers = "train" in writers
    chunk_size = _chunk_size()
    for label, records in querysets:
        if is_records:
            chunks = record_chunks(records, chunk_size=chunk_size)
        else:
            chunks = example_chunks(
                records, chunk_size=chunk_size, options=options, value_questions=pipeline.value_questions,
                with_metadata=pipeline.with_answers,
            )
        for chunk in chunks:
            if is_records:
                out = {"data": [fmt.row(full_record(label, *item)) for item in chunk]}
            else:
                out = {role: [] for role in writers}
                for record, answers in chunk:
                    for example in pipeline.examples(label, record, answers):
                        out[example.split if split_writers else "data"].append(fmt.row(example))
            for role, lines in out.items():
                writers[role].write_rows(lines)
                rows += len(lines)
            done += len(chunk)
            report.records_read = done
            _beat(job, done, total)
            if progress:
                progress("exporting", done, total)
    report.agreement = pipeline.agreement()
    return rows


def _export_report(job: ExportJob, options, report: Report, rows: int, roles: list[str]) -> dict:
    return {
        "job": str(job.pk),
        "format": job.format,
        "generated_at": timezone.now().isoformat(),
        "options": job.options,
        "datasets": report.datasets,
        "records_read": report.records_read,
        "dropped": dict(report.dropped),
        "rows_written": rows,
        "splits": dict(report.splits),
        "files": {role: file_name(job.format, role) for role in roles},
        "reconciliation": {
            "text_strategy": options.text_strategy,
            "rating_aggregate": options.rating_aggregate,
            "records_with_several_answers_reconciled": report.reconciled_records,
            "ties": report.ties,
        },
        "agreement": report.agreement,
    }


# --- imports -------------------------------------------------------------------------------------


def _check_mapping(mapping: Any) -> dict:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping) or any(
        not isinstance(k, str) or (v is not None and not isinstance(v, str)) for k, v in mapping.items()
    ):
        raise InvalidInput("'mapping' maps column names to a target name or null.", details={"field": "mapping"})
    return dict(mapping)


def import_job_create(
    *, actor: User, dataset: Dataset, file, filename: str, format: str | None = None, mapping: Mapping | None = None,
    on_error: str = "reject", enqueue: bool = True,
) -> ImportJob:
    """Store an uploaded file and enqueue its import into `dataset` (fetched through visible_to).

    Refuses files over settings.FILE_UPLOAD_MAX_SIZE (FileTooLarge, 413) and unknown formats
    before anything is stored.
    """
    tenancy.require_workspace_admin(actor, dataset.workspace_id)
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
            dataset=dataset, requested_by=actor, format=file_format, source_name=filename[:255], size=size,
            mapping=mapping, on_error=on_error, upload=upload, token=token,
        )
        if enqueue:
            from .tasks import import_job_run_task

            _enqueue(import_job_run_task, ImportJob, job.pk)
    return job


def import_job_run(*, job: ImportJob, progress: ProgressHook | None = None) -> ImportJob | None:
    """Import the job's file (all or nothing unless on_error='skip'), write its report, drop the upload."""
    job = _start(ImportJob, job.pk)
    if job is None:
        return None
    if job.requested_by is None:
        raise AccessLost("The requester's account is gone, so the import was not run.")

    def hook(phase: str, done: int, total: int) -> None:
        # Writing happens inside one transaction: progress rows written there would stay invisible.
        if phase == "validating":
            _beat(job, done, total)
        if progress:
            progress(phase, done, total)

    try:
        with storage.local_copy(job.upload, job.pk) as path:
            result = records_import_file(
                actor=job.requested_by, dataset=job.dataset, path=path, file_format=job.format,
                mapping=job.mapping, on_error=job.on_error, progress=hook,
            )
    except DomainError as exc:
        _import_finish(job, status=JobStatus.FAILED, error=exc.message, details=exc.details)
        return job
    _import_finish(
        job, status=JobStatus.SUCCEEDED, rows=result.rows, created=result.created, updated=result.updated,
        skipped=result.bad_count, details={"rows": result.bad_rows} if result.bad_rows else {},
    )
    return job


def _import_finish(job: ImportJob, *, status: str, error: str = "", details: Mapping | None = None,
                   rows: int = 0, created: int = 0, updated: int = 0, skipped: int = 0) -> None:
    report = {
        "job": str(job.pk), "dataset": str(job.dataset_id), "file": job.source_name, "status": status,
        "error": error, "rows": rows, "created": created, "updated": updated, "skipped": skipped,
        "details": dict(details or {}), "finished_at": timezone.now().isoformat(),
    }
    path = storage.partial_path(job.pk, "report")
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    report_name = storage.publish(path, f"imports/{job.token}/report.json")
    storage.delete(job.upload)
    now = timezone.now()
    fields = dict(
        status=status, error=error, error_details=dict(details or {}), report=report_name, upload="",
        created_count=created, updated_count=updated, skipped_count=skipped, finished_at=now, heartbeat_at=now,
        updated_at=now, progress_done=rows, progress_total=rows,
    )
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
