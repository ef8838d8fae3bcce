"""An import attempt that is killed or taken over writes no records; the next one writes each row once."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from exports.models import ImportJob
from exports.services import import_jobs, jobs
from exports.tasks import import_job_run_task
from labeling.models import Record
from labeling.selectors.lookups import dataset_access_for

# Two rows without an external_id: only an all-or-nothing attempt keeps them from doubling.
CSV = b"prompt,external_id\nfirst,e1\nsecond,\nthird,\n"


@pytest.fixture
def import_job(admin, dataset):
    access = dataset_access_for(user=admin, dataset=dataset)
    return import_jobs.import_job_create(
        access=access, file=ContentFile(CSV, name="p.csv"), filename="p.csv", enqueue=False
    )


def test_a_taken_over_import_attempt_writes_nothing(import_job, dataset):
    def taken_over(phase, done, total):
        if phase == "writing" and done:
            # Another worker took the job over while this attempt was writing.
            ImportJob.objects.filter(pk=import_job.pk).update(attempts=99)

    with pytest.raises(jobs.LeaseLost):
        import_jobs.import_job_run(job=import_job, progress=taken_over)
    assert Record.objects.filter(dataset=dataset).count() == 0
    import_job.refresh_from_db()
    assert import_job.status == "running" and import_job.created_count == 0 and import_job.upload


def test_an_interrupted_import_runs_again_and_writes_each_row_once(import_job, dataset):
    long_ago = timezone.now() - jobs.lease_duration() - timedelta(seconds=1)
    ImportJob.objects.filter(pk=import_job.pk).update(status="running", attempts=1, lease_expires_at=long_ago)
    import_job_run_task.delay(str(import_job.pk))
    import_job.refresh_from_db()
    assert import_job.status == "succeeded" and import_job.attempts == 2 and import_job.created_count == 3
    assert sorted(Record.objects.filter(dataset=dataset).values_list("fields__prompt", flat=True)) == [
        "first", "second", "third"
    ]
    import_job_run_task.delay(str(import_job.pk))
    assert Record.objects.filter(dataset=dataset).count() == 3
