"""Thin Celery tasks over exports.services (STYLE §5).

`acks_late` with `reject_on_worker_lost`: a worker killed mid-job leaves its message unacknowledged,
so the broker hands it out again and the job runs again from scratch (its files are published only
once complete). Transient database errors retry with backoff; anything else fails the job with a reason.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from config.celery import app as celery_app
from config.errors import DomainError

from .models import ExportJob, ImportJob
from .services import export_jobs, import_jobs, jobs

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 3
STALE_CHECK_SECONDS = 300


def _run(task, model, job_id: str, run) -> None:
    job = model.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    try:
        run(job=job)
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
def jobs_fail_stale_task() -> int:
    return jobs.jobs_fail_stale()


# With `celery -A config beat` (or `worker -B`) running, the stale-job check runs on its own;
# without beat, run `python manage.py fail_stale_jobs` from cron.
celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "exports-fail-stale-jobs": {"task": "exports.tasks.jobs_fail_stale_task", "schedule": STALE_CHECK_SECONDS},
}
