"""Jobs are idempotent, retry-safe and never stuck in "running" (DESIGN §9 "Jobs")."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from exports import storage
from exports.models import ExportJob
from exports.services import export_jobs, jobs
from exports.tasks import export_job_run_task


@pytest.fixture
def job(admin, dataset, labelers, add_records, answer):
    (record,) = add_records(dataset, ["p"])
    answer(labelers[0], record, demonstration="a")
    return export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="sft-messages", enqueue=False)


def published(media_root) -> list[str]:
    root = Path(media_root) / "exports"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_redelivered_task_does_not_run_a_finished_job_again(job, media_root):
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    files = published(media_root)
    assert job.status == "succeeded" and job.attempts == 1 and len(files) == 2
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.attempts == 1 and published(media_root) == files


def test_a_job_another_worker_is_advancing_is_left_alone(job):
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert export_jobs.export_job_run(job=job) is None


def test_a_dead_run_is_taken_over_and_replaces_its_leftovers(job, media_root):
    """A worker died mid-export: its partial file is discarded and the rerun publishes exactly one file."""
    long_ago = timezone.now() - jobs.stale_after() - timedelta(seconds=1)
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, attempts=1)
    leftover = storage.partial_path(job.pk, "data")
    leftover.write_text('{"messages": [trunc')
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2
    assert not leftover.exists() and not list(storage.partial_dir().iterdir())
    assert published(media_root) == [f"{job.token}/report.json", f"{job.token}/sft-messages.jsonl"]


def test_stale_jobs_are_failed_with_a_reason(job, admin, dataset, media_root):
    fresh = export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", enqueue=False)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=now - timedelta(hours=2))
    ExportJob.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=now)
    storage.partial_path(job.pk, "data").write_text("partial")
    call_command("fail_stale_jobs")
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "failed" and "The worker stopped before finishing" in job.error and job.finished_at
    assert fresh.status == "running"
    assert not storage.partial_path(job.pk, "data").exists()


def test_unexpected_errors_fail_the_job_at_the_task_boundary(job, monkeypatch):
    def storage_down(local_path, name):
        raise OSError("No space left on device")

    monkeypatch.setattr(storage, "publish", storage_down)
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "failed unexpectedly" in job.error and job.files == {}
    assert not list(storage.partial_dir().iterdir())


def test_export_dataset_command_writes_the_files(job, tmp_path, admin, capsys):
    out = tmp_path / "out"
    call_command("export_dataset", "acme/demo", "--format", "alpaca", "--output", str(out), "--user", admin.username,
                 "--options", '{"text_strategy": "first"}')
    assert sorted(p.name for p in out.iterdir()) == ["alpaca.json", "report.json"]
    assert '"output": "a"' in (out / "alpaca.json").read_text()
    assert "1 row(s) exported." in capsys.readouterr().out
