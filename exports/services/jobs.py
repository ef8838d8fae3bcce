"""The life of an export or import job (DESIGN §5, STYLE §5), shared by `export_jobs` and `import_jobs`.

A job is enqueued once its creating transaction commits. Running one is idempotent: the worker takes
the job row, skips finished jobs and jobs another worker is still advancing, beats a heartbeat while
it works, writes to temporary files and publishes them atomically. A job that stops beating is failed
as stale.
"""

import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from exports import storage
from exports.errors import QueueUnavailable
from exports.models import ExportJob, ImportJob, JobStatus

logger = logging.getLogger(__name__)

Job = ExportJob | ImportJob
ProgressHook = Callable[[str, int, int], None]


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as dead."""
    return timedelta(seconds=int(getattr(settings, "JOB_STALE_AFTER_SECONDS", 900)))


def job_enqueue(task, model: type[models.Model], job_id) -> None:
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


def job_take(model: type[Job], job_id) -> Job | None:
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


def job_beat(job: Job, done: int, total: int) -> None:
    """Record a running job's progress; the heartbeat tells `jobs_fail_stale` it is alive."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        progress_done=done, progress_total=total, heartbeat_at=now, updated_at=now
    )
    job.progress_done, job.progress_total = done, total


def report_write(job: Job, document: dict) -> Path:
    """Write a job's report.json to its temporary place, ready to publish."""
    path = storage.partial_path(job.pk, "report")
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


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
