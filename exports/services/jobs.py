"""The life of an export or import job (DESIGN §5, STYLE §5), shared by `export_jobs` and `import_jobs`.

A job is enqueued once its creating transaction commits. Running one is idempotent: the worker takes
the job row, skips finished jobs and jobs another worker is still advancing, beats a heartbeat while
it works, writes to temporary files and publishes them atomically. A job that stops beating is failed
as stale.
"""

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
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


class LeaseHeld(Exception):
    """Another worker's attempt holds a live lease on the job: try again once it would have expired."""

    def __init__(self, retry_in: float):
        super().__init__(f"the job's lease is held for another {retry_in:.0f} s")
        self.retry_in = retry_in


class LeaseLost(Exception):
    """This attempt no longer owns the job (it was taken over or failed): stop without writing."""


def lease_duration() -> timedelta:
    """How long a running attempt's lease lasts without renewal (see `job_lease_kept`)."""
    return timedelta(seconds=int(getattr(settings, "JOB_LEASE_SECONDS", 30)))


def max_attempts() -> int:
    return int(getattr(settings, "JOB_MAX_ATTEMPTS", 3))


def _interrupted_reason(attempts: int) -> str:
    return (
        f"The worker stopped {attempts} time(s) before finishing this job, so it was not tried again. "
        "Start it again; if it keeps failing, check the Celery worker's log (memory, time limits)."
    )


def job_take(model: type[Job], job_id) -> Job | None:
    """Take a job for this attempt under a row lock; None when it is gone or finished.

    A running job whose lease is live belongs to another attempt: raises LeaseHeld. One whose lease
    expired is taken over and starts again from scratch, unless it already used `max_attempts()`:
    then it is failed with the reason. Its earlier attempt's partial files are removed.
    """
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == JobStatus.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            raise LeaseHeld((job.lease_expires_at - now).total_seconds())
        exhausted = job.status == JobStatus.RUNNING and job.attempts >= max_attempts()
        if not exhausted:
            job.status = JobStatus.RUNNING
            job.attempts += 1
            job.started_at = job.heartbeat_at = now
            job.lease_expires_at = now + lease_duration()
            job.progress_done = 0
            job.error, job.error_details = "", {}
            job.save()
    if exhausted:
        job_fail(job=job, reason=_interrupted_reason(job.attempts))
        return None
    storage.discard_partials(job.pk)
    return job


def _owned(job: Job):
    """The job's row if this attempt still owns it: the attempt number fences off a taken-over run."""
    return type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


@contextmanager
def job_lease_kept(job: Job) -> Iterator[None]:
    """Renew the job's lease from a background thread while the body runs.

    The lease lives as long as the worker process does, whatever the body is doing (an import writes
    in one long transaction, where no progress can be recorded): when the process is killed, renewals
    stop and the lease expires within `lease_duration()`.
    """
    stop = threading.Event()
    interval = lease_duration().total_seconds() / 3

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not _owned(job).update(lease_expires_at=timezone.now() + lease_duration()):
                        return
                except DatabaseError as exc:
                    logger.warning("could not renew the lease of job %s: %s", job.pk, exc)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_beat(job: Job, done: int, total: int) -> None:
    """Record a running job's progress; raises LeaseLost when another attempt owns the job now."""
    now = timezone.now()
    if not _owned(job).update(progress_done=done, progress_total=total, heartbeat_at=now, updated_at=now):
        raise LeaseLost(f"job {job.pk} attempt {job.attempts} was taken over")
    job.progress_done, job.progress_total = done, total


def job_finish(job: Job, **fields) -> None:
    """Store a finished attempt's outcome, only if this attempt still owns the job (LeaseLost otherwise)."""
    now = timezone.now()
    fields = {"finished_at": now, "heartbeat_at": now, "updated_at": now, "lease_expires_at": None, **fields}
    if not _owned(job).update(**fields):
        raise LeaseLost(f"job {job.pk} attempt {job.attempts} was taken over")
    for name, value in fields.items():
        setattr(job, name, value)


def report_write(job: Job, document: dict) -> Path:
    """Write a job's report.json to its temporary place, ready to publish."""
    path = storage.partial_path(job.pk, "report")
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def job_fail(*, job: Job, reason: str, details: Mapping | None = None) -> None:
    """Mark a job failed with a reason its requester can act on."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).exclude(status=JobStatus.SUCCEEDED).update(
        status=JobStatus.FAILED, error=reason, error_details=dict(details or {}), finished_at=now, updated_at=now,
        lease_expires_at=None,
    )
    storage.discard_partials(job.pk)


def job_requeue(*, job: Job) -> None:
    """Put a running job back in the queue state before its task retries after a transient error."""
    type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED, lease_expires_at=None, updated_at=timezone.now()
    )


def jobs_check_stale(*, on_worker_start: bool = False, now=None) -> dict[str, int]:
    """Recover running jobs whose worker died, fail stuck ones, and remove orphaned partial files.

    A job whose lease expired is enqueued again (its next message takes it over), or failed with the
    reason once it used `max_attempts()`. A job whose lease is live but that made no progress for
    `stale_after()` is stuck: it is failed, and its attempt stops at its next progress report. When a
    worker starts, jobs with a live lease are also enqueued, to arrive when their lease would expire:
    a worker restarted at once after being killed must not wait for the periodic check.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "partials_removed": 0}
    for model in (ExportJob, ImportJob):
        running = model.objects.filter(status=JobStatus.RUNNING)
        for job in running.only("pk", "attempts", "lease_expires_at", "heartbeat_at"):
            expired = job.lease_expires_at is None or job.lease_expires_at <= now
            if expired and job.attempts >= max_attempts():
                job_fail(job=job, reason=_interrupted_reason(job.attempts))
                counts["failed"] += 1
            elif not expired and job.heartbeat_at and job.heartbeat_at < now - stale_after():
                job_fail(job=job, reason=_stuck_reason())
                counts["failed"] += 1
            elif expired or on_worker_start:
                wait = 0 if expired else (job.lease_expires_at - now).total_seconds() + 1
                _task_for(model).apply_async(args=[str(job.pk)], countdown=wait)
                counts["requeued"] += 1
    counts["partials_removed"] = storage.discard_orphaned_partials(_running_job_ids(), older_than=lease_duration())
    return counts


def _stuck_reason() -> str:
    minutes = int(stale_after().total_seconds() // 60)
    return (
        f"The job made no progress for more than {minutes} minute(s), so it was stopped. "
        "Start it again; if it keeps failing, check the Celery worker's log."
    )


def _running_job_ids() -> set[str]:
    return {
        str(pk) for model in (ExportJob, ImportJob)
        for pk in model.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True)
    }


def _task_for(model: type[Job]):
    from exports.tasks import export_job_run_task, import_job_run_task

    return export_job_run_task if model is ExportJob else import_job_run_task
