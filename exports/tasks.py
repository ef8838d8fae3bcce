"""Thin Celery tasks over exports.services (STYLE §5).

`acks_late` with `reject_on_worker_lost`: when a pool process dies mid-job, its message goes back to
the queue at once. The job's lease (`exports.services.jobs`) decides what a message may do: one that
finds a live lease comes back when the lease would expire, one that finds it expired takes the job
over and runs it again from scratch (files are published only once complete). A whole worker killed
keeps its message unacknowledged in Redis until the visibility timeout, so `worker_ready` and the
periodic check enqueue such jobs again instead. Transient database errors retry with backoff;
anything else fails the job with a reason.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from config.celery import app as celery_app
from config.errors import DomainError

from .models import ExportJob, ImportJob
from .services import export_jobs, import_jobs, jobs

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 3
STALE_CHECK_SECONDS = 60


def _run(task, model, job_id: str, run) -> None:
    job = model.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    try:
        run(job=job)
    except jobs.LeaseHeld as held:
        # Another attempt is running the job (or was, until its worker died): come back when its lease
        # would expire. In-process (eager) runs have no other worker to wait for.
        if not task.app.conf.task_always_eager:
            task.apply_async(args=[job_id], countdown=held.retry_in + 1)
    except jobs.LeaseLost:
        logger.warning("job %s was taken over by another attempt; this one stopped", job_id)
    except DomainError as exc:
        jobs.job_fail(job=job, reason=exc.message, details=exc.details)
    except TRANSIENT as exc:
        if task.request.retries >= MAX_RETRIES:
            jobs.job_fail(job=job, reason="The database was unavailable while the job ran. Start it again.")
            return
        jobs.job_requeue(job=job)
        raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 2)) from None
    except Exception:
        # The task boundary is the one place a bare Exception is caught (STYLE §4).
        logger.exception("job %s failed", job_id)
        jobs.job_fail(job=job, reason="The job failed unexpectedly. Start it again; if it keeps failing, ask an owner to check the worker's log.")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def export_job_run_task(self, export_job_id: str) -> None:
    _run(self, ExportJob, export_job_id, export_jobs.export_job_run)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def import_job_run_task(self, import_job_id: str) -> None:
    _run(self, ImportJob, import_job_id, import_jobs.import_job_run)


@shared_task
def jobs_check_stale_task() -> dict[str, int]:
    return jobs.jobs_check_stale()


@worker_ready.connect
def jobs_recover_on_worker_start(sender=None, **kwargs) -> None:
    """A restarted worker picks up the jobs a killed one left running, without waiting for beat."""
    counts = jobs.jobs_check_stale(on_worker_start=True)
    if any(counts.values()):
        logger.warning("jobs found running at worker start: %s", counts)


# With `celery -A config beat` (or `worker -B`) running, the stale-job check runs on its own;
# without beat, run `python manage.py fail_stale_jobs` from cron.
celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "exports-check-stale-jobs": {"task": "exports.tasks.jobs_check_stale_task", "schedule": STALE_CHECK_SECONDS},
}
