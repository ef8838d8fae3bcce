"""A real `celery -A config worker`, with the shipped production settings, on Redis and PostgreSQL:
jobs survive a SIGKILLed pool process and a killed-then-restarted worker (DESIGN §9 "Jobs", issue 15).

Each run kills the worker a quarter into a large export (or while an import writes its records) and
waits at most 60 s after the kill (pool process) or the restart (whole worker) for the job to succeed:
the redelivered or re-enqueued message waits for the killed attempt's lease to expire, takes the job
over and runs it again from scratch.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from exports.models import ExportJob, ImportJob
from exports.services import export_jobs, import_jobs
from labeling.models import Record, Response
from labeling.selectors.lookups import dataset_access_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL=redis://... (CI's second pass does)"),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
EXPORT_RECORDS = 100_000
IMPORT_ROWS = 100_000


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(media_root):
    """start() launches a worker with the production settings on a private queue against the test database."""
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    conf = current_app.conf
    saved = conf.task_default_queue, conf.task_always_eager
    conf.task_default_queue, conf.task_always_eager = queue, False
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": secrets.token_urlsafe(50),
           "DATABASE_URL": database_url(), "MEDIA_ROOT": str(media_root), "CELERY_QUEUE": queue,
           "REDIS_URL": settings.REDIS_URL}
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

        def kill_pool_process(self, process):
            """SIGKILL the busy pool process; the worker's main process stays and starts a new one."""
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            assert len(children) == 1, children
            os.kill(int(children[0]), signal.SIGKILL)

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


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for the worker")


def finished(model, job_id):
    job = model.objects.get(pk=job_id)
    return job if job.is_finished else None


def fill(dataset, user, n: int) -> None:
    """n records with one submitted response each, written by PostgreSQL itself (not the API)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Record._meta.db_table} (id, inserted_at, updated_at, dataset_id, ordinal, fields, metadata,
                    status, submitted_count)
                SELECT gen_random_uuid(), now(), now(), %s, i, jsonb_build_object('prompt', 'prompt ' || i), '{{}}',
                    'completed', 1
                FROM generate_series(1, %s) AS i""",
            [dataset.pk, n],
        )
        cursor.execute(
            f"""INSERT INTO {Response._meta.db_table} (id, inserted_at, updated_at, record_id, user_id, values, status,
                    submitted_at, version)
                SELECT gen_random_uuid(), now(), now(), r.id, %s,
                    jsonb_build_object('demonstration', 'answer ' || r.ordinal), 'submitted', now(), 0
                FROM {Record._meta.db_table} r WHERE r.dataset_id = %s""",
            [user.pk, dataset.pk],
        )


def writing_records() -> bool:
    """Whether a worker is inside its import's transaction, having copied records in (not yet committed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND xact_start IS NOT NULL AND query ILIKE %s",
            [f"COPY%{Record._meta.db_table}%"],
        )
        return cursor.fetchone()[0] > 0


def assert_recovered(job, media_root, client, admin, page: str) -> None:
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    assert not list((Path(media_root) / ".partial").glob("*")), "a partial file remained"
    client.force_login(admin)
    assert "Attempt 2" in client.get(page).content.decode()


@pytest.mark.parametrize("kill", ["pool process", "whole worker"])
def test_an_export_survives_a_killed_worker(kill, admin, dataset, labelers, worker, media_root, client):
    fill(dataset, labelers[0], EXPORT_RECORDS)
    first = worker.start()
    export = export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="records")
    wait_for(lambda: ExportJob.objects.filter(pk=export.pk, progress_done__gte=EXPORT_RECORDS // 4).exists(), 120)
    if kill == "pool process":
        worker.kill_pool_process(first)
    else:
        worker.kill(first)
        assert ExportJob.objects.get(pk=export.pk).status == "running"
        worker.start()

    job = wait_for(lambda: finished(ExportJob, export.pk), timeout=60)

    assert_recovered(job, media_root, client, admin, "/exports/")
    published = Path(media_root) / "exports" / job.token
    assert sorted(p.name for p in published.iterdir()) == ["records.jsonl", "report.json"]
    with open(published / "records.jsonl", encoding="utf-8") as handle:
        ordinals = [json.loads(line)["fields"]["prompt"] for line in handle]
    assert len(ordinals) == EXPORT_RECORDS == len(set(ordinals)) == job.row_count


@pytest.mark.parametrize("kill", ["pool process", "whole worker"])
def test_an_import_survives_a_killed_worker(kill, admin, dataset, worker, media_root, client):
    # Every other row has no external_id: a rerun that wrote twice would create those records twice.
    lines = ["prompt,external_id"] + [f"prompt {i},{f'e{i}' if i % 2 else ''}" for i in range(IMPORT_ROWS)]
    first = worker.start()
    access = dataset_access_for(user=admin, dataset=dataset)
    imported = import_jobs.import_job_create(
        access=access, file=ContentFile("\n".join(lines).encode(), name="p.csv"), filename="p.csv"
    )
    wait_for(writing_records, 120)
    if kill == "pool process":
        worker.kill_pool_process(first)
    else:
        worker.kill(first)
    assert ImportJob.objects.get(pk=imported.pk).status == "running", "the kill came after the import finished"
    if kill == "whole worker":
        worker.start()

    job = wait_for(lambda: finished(ImportJob, imported.pk), timeout=60)

    assert_recovered(job, media_root, client, admin, "/imports/")
    assert job.created_count == IMPORT_ROWS
    prompts = list(Record.objects.filter(dataset=dataset).values_list("fields__prompt", flat=True))
    assert len(prompts) == IMPORT_ROWS == len(set(prompts))
