"""Jobs are idempotent, retry-safe and never stuck in "running" (DESIGN §9 "Jobs")."""

import os
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


def expire(job, attempts: int, **fields) -> None:
    """Leave the job as a killed worker does: running, its lease expired."""
    long_ago = timezone.now() - jobs.lease_duration() - timedelta(seconds=1)
    type(job).objects.filter(pk=job.pk).update(status="running", lease_expires_at=long_ago, attempts=attempts, **fields)


def test_a_message_finding_a_live_lease_leaves_the_job_to_its_attempt(job):
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, lease_expires_at=timezone.now() + timedelta(seconds=20)
    )
    with pytest.raises(jobs.LeaseHeld) as held:
        export_jobs.export_job_run(job=job)
    assert 15 < held.value.retry_in <= 20
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1 and job.files == {}


def test_a_dead_run_is_taken_over_and_replaces_its_leftovers(job, media_root):
    """A worker died mid-export: its partial file is discarded and the rerun publishes exactly one file."""
    expire(job, attempts=1)
    leftover = storage.partial_path(job.pk, "data")
    leftover.write_text('{"messages": [trunc')
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2 and job.lease_expires_at is None
    assert not leftover.exists() and not list(storage.partial_dir().iterdir())
    assert published(media_root) == [f"{job.token}/report.json", f"{job.token}/sft-messages.jsonl"]


def test_a_job_out_of_attempts_is_failed_with_the_reason(job, media_root, settings):
    expire(job, attempts=settings.JOB_MAX_ATTEMPTS)
    storage.partial_path(job.pk, "data").write_text("partial")
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 3 and job.finished_at
    assert job.error.startswith("The worker stopped 3 time(s) before finishing this job, so it was not tried again.")
    assert published(media_root) == [] and not list(storage.partial_dir().iterdir())


def test_a_taken_over_attempt_stops_without_writing(job, media_root):
    taken = jobs.job_take(ExportJob, job.pk)
    ExportJob.objects.filter(pk=job.pk).update(attempts=taken.attempts + 1)
    with pytest.raises(jobs.LeaseLost):
        jobs.job_beat(taken, 1, 2)
    with pytest.raises(jobs.LeaseLost):
        jobs.job_finish(taken, status="succeeded")
    job.refresh_from_db()
    assert job.status == "running" and job.progress_done == 0 and published(media_root) == []


def test_the_stale_check_recovers_dead_jobs_and_fails_stuck_ones(job, admin, dataset, media_root, settings):
    now = timezone.now()
    exhausted, stuck, alive, finished = (
        export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", enqueue=False) for _ in range(4)
    )
    expire(job, attempts=1)
    expire(exhausted, attempts=settings.JOB_MAX_ATTEMPTS)
    live = now + timedelta(seconds=20)
    ExportJob.objects.filter(pk=stuck.pk).update(status="running", lease_expires_at=live, heartbeat_at=now - timedelta(hours=2))
    ExportJob.objects.filter(pk=alive.pk).update(status="running", lease_expires_at=live, heartbeat_at=now)
    ExportJob.objects.filter(pk=finished.pk).update(status="failed")
    old = (now - timedelta(minutes=5)).timestamp()
    for owner in (finished, alive):
        path = storage.partial_path(owner.pk, "data")
        path.write_text("partial")
        os.utime(path, (old, old))

    call_command("fail_stale_jobs")

    states = {j.pk: j for j in ExportJob.objects.all()}
    assert states[job.pk].status == "succeeded" and states[job.pk].attempts == 2
    assert states[exhausted.pk].status == "failed" and "stopped 3 time(s)" in states[exhausted.pk].error
    assert states[stuck.pk].status == "failed" and "no progress for more than 15 minute(s)" in states[stuck.pk].error
    assert states[alive.pk].status == "running" and states[alive.pk].error == ""
    assert not storage.partial_path(finished.pk, "data").exists()
    assert storage.partial_path(alive.pk, "data").exists()


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
