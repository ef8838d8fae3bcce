"""Export jobs (DESIGN §5): create one, and run it through the pipeline.

Creating a job checks access and options, stores the job, and enqueues its task once the
transaction commits. Running one walks the pipeline in order (`exports/pipeline/`): options →
reading → examples → writing → report, then publishes the files (lifecycle in `jobs`).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects

from accounts import tenancy
from accounts.models import User
from config.collector import cyclic_gc_paused
from exports import storage
from exports.errors import AccessLost
from exports.formats.registry import FLAT_FORMATS, file_name
from exports.models import ExportJob, JobStatus
from exports.pipeline import reading, versions, writing
from exports.pipeline.examples import ExamplePipeline
from exports.pipeline.options import flat_columns, normalize_options
from exports.pipeline.report import Report, report_document, skip_figures
from exports.selectors import export_request
from exports.services import jobs
from labeling.models import Dataset


def export_job_create(
    *, actor: User, dataset_ids: Iterable[Any], format: str, options: Mapping | None = None, enqueue: bool = True
) -> ExportJob:
    """Check access and options, store an export job and enqueue it after commit.

    The actor must administer every dataset (others' datasets are NotFound, visible ones they
    only annotate are PermissionDenied); datasets must share the schema the options name.
    """
    datasets, normalized = export_request(user=actor, dataset_ids=dataset_ids, format=format, options=options)
    stored = normalized.as_dict()
    stored.pop("answer_questions")
    with transaction.atomic():
        job = ExportJob.objects.create(
            workspace=datasets[0].workspace, requested_by=actor, format=format, options=stored, token=storage.new_token()
        )
        job.datasets.set(datasets)
        if enqueue:
            from exports.tasks import export_job_run_task

            jobs.job_enqueue(export_job_run_task, ExportJob, job.pk)
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


def export_job_run(*, job: ExportJob, progress: jobs.ProgressHook | None = None) -> ExportJob | None:
    """Produce an export's files and publish them; None when the job needs no run.

    Raises LeaseHeld when another attempt is running it, LeaseLost when this one was taken over
    (`jobs.job_take`); a run always starts from scratch, so a taken-over job ends with one file per role.
    """
    job = jobs.job_take(ExportJob, job.pk)
    if job is None:
        return None
    with jobs.job_lease_kept(job):
        datasets = _job_datasets(job)
        options = normalize_options(datasets, job.options)
        roles = writing.file_roles(job.format, options)
        report = Report()
        pipeline = ExamplePipeline(options, report, with_answers=job.format in FLAT_FORMATS)
        with writing.open_writers(job.pk, job.format, roles, flat_columns(options)) as writers, cyclic_gc_paused():
            selections = reading.selections(datasets, options)
            report.datasets = [selection.summary for selection in selections]
            if any(selection.has_reviews for selection in selections):
                report.review_decisions = versions.review_decisions(datasets)
            total = sum(selection.summary["selected"] for selection in selections)
            jobs.job_beat(job, 0, total)

            def on_chunk(done: int) -> None:
                jobs.job_beat(job, done, total)
                if progress:
                    progress("exporting", done, total)

            rows = writing.write_selections(selections, export_format=job.format, writers=writers, pipeline=pipeline,
                                            on_chunk=on_chunk)
        report.agreement = pipeline.agreement()
        report.skips = skip_figures([dataset.pk for dataset in datasets])
        report_path = jobs.report_write(job, report_document(job, options, report, rows, roles))
        files = {
            role: storage.publish(storage.partial_path(job.pk, role), f"exports/{job.token}/{file_name(job.format, role)}")
            for role in roles
        }
        files["report"] = storage.publish(report_path, f"exports/{job.token}/report.json")
        jobs.job_finish(job, status=JobStatus.SUCCEEDED, files=files, row_count=rows, progress_done=job.progress_total)
    return job
