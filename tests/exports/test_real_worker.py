"""A real `celery -A config worker` with Redis and PostgreSQL runs imports and exports, and survives SIGKILL.

DESIGN §9 "Jobs": acks_late with redelivery on worker loss; a worker killed mid-export leaves no
visible partial file and the job completes after the worker restarts.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from exports.models import ExportJob, ImportJob
from exports.services import export_jobs, import_jobs
from labeling.models import Record, Response
from labeling.selectors.lookups import dataset_access_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL=redis://... (CI's second pass does)"),
]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(media_root):
    """start() launches a worker on a private queue against the test database; kill() SIGKILLs it."""
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    conf = current_app.conf
    saved = conf.task_default_queue, conf.task_always_eager
    conf.task_default_queue, conf.task_always_eager = queue, False
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.exports.worker_settings", "DATABASE_URL": database_url(),
           "MEDIA_ROOT": str(media_root), "EXPORTS_TEST_QUEUE": queue, "REDIS_URL": settings.REDIS_URL}
    processes = []

    class Worker:
        def start(self):
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1", "-l", "warning",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            processes.append(process)
            return process

        def kill(self, process):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    yield Worker()
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    conf.task_default_queue, conf.task_always_eager = saved
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the worker")


def finished(model, job_id):
    job = model.objects.get(pk=job_id)
    return job if job.is_finished else None


def fill(dataset, users, n):
    now = timezone.now()
    start = Record.objects.filter(dataset=dataset).count() + 1
    records = Record.objects.bulk_create(
        Record(dataset=dataset, ordinal=start + i, fields={"prompt": f"prompt {i}"}) for i in range(n)
    )
    Response.objects.bulk_create(
        Response(record=r, user=u, status="submitted", submitted_at=now, values={"demonstration": f"answer {r.ordinal}"})
        for r in records for u in users
    )


@pytest.mark.django_db(transaction=True)
def test_worker_runs_imports_and_exports_and_survives_sigkill(admin, dataset, labelers, worker, media_root, tmp_path):
    first = worker.start()

    source = tmp_path / "prompts.csv"
    source.write_text("prompt,external_id\nfrom the worker,w1\n", encoding="utf-8")
    with open(source, "rb") as handle:
        from django.core.files import File

        upload = File(handle, name="prompts.csv")
        access = dataset_access_for(user=admin, dataset=dataset)
        imported = import_jobs.import_job_create(access=access, file=upload, filename="prompts.csv")
    job = wait_for(lambda: finished(ImportJob, imported.pk))
    assert job.status == "succeeded" and job.created_count == 1, job.error

    fill(dataset, labelers[:2], 5_000)
    export = export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="sft-messages")
    wait_for(lambda: ExportJob.objects.filter(pk=export.pk, status="running", progress_done__gt=0).exists())
    with transaction.atomic():
        # Hold the job row: the worker blocks on its next progress update, in the middle of the export.
        ExportJob.objects.select_for_update().get(pk=export.pk)
        partial = Path(media_root) / ".partial" / f"{export.pk}-data.part"
        wait_for(lambda: partial.exists())
        time.sleep(0.3)
        worker.kill(first)
    job = ExportJob.objects.get(pk=export.pk)
    assert job.status == "running" and job.files == {} and job.progress_done < job.progress_total
    assert not (Path(media_root) / "exports" / job.token).exists()

    worker.start()
    job = wait_for(lambda: finished(ExportJob, export.pk), timeout=90)
    assert job.status == "succeeded", job.error
    assert job.attempts == 2 and job.row_count == 10_000
    published = sorted(p.name for p in (Path(media_root) / "exports" / job.token).iterdir())
    assert published == ["report.json", "sft-messages.jsonl"]
    with open(Path(media_root) / job.files["data"], encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 10_000
    assert not list((Path(media_root) / ".partial").glob(f"{export.pk}-*"))
