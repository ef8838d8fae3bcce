"""`manage.py export_dataset WORKSPACE/DATASET [...] --format F --output DIR`: run an export in-process."""

import json
import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from exports.commands import command_actor
from exports.formats.registry import FORMATS
from exports.models import JobStatus
from exports.progress import ProgressBar
from exports.services import export_jobs, jobs
from labeling.selectors.lookups import dataset_get_by_name


class Command(BaseCommand):
    help = "Export one or more datasets with compatible schemas; writes the data file(s) and report.json into --output."

    def add_arguments(self, parser):
        parser.add_argument("datasets", nargs="+", help="WORKSPACE/DATASET, one or more")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--output", type=Path, required=True, help="directory to write the files into")
        parser.add_argument("--options", default="{}", help='export options as JSON, e.g. \'{"text_strategy": "longest"}\'')
        parser.add_argument("--user", help="act as this user (default: the only owner)")

    def handle(self, *args, **options):
        try:
            export_options = json.loads(options["options"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--options is not valid JSON: {exc}") from None
        actor = command_actor(options["user"])
        bar = ProgressBar(self.stderr._out)
        try:
            datasets = []
            for label in options["datasets"]:
                workspace_name, sep, name = label.partition("/")
                if not sep:
                    raise CommandError(f"Name each dataset as WORKSPACE/DATASET, not '{label}'.")
                datasets.append(dataset_get_by_name(user=actor, workspace_name=workspace_name, name=name))
            job = export_jobs.export_job_create(
                actor=actor, dataset_ids=[d.pk for d in datasets], format=options["format"], options=export_options,
                enqueue=False,
            )
            try:
                export_jobs.export_job_run(job=job, progress=bar)
            except DomainError as exc:
                jobs.job_fail(job=job, reason=exc.message, details=exc.details)
                raise
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error or "The export did not finish.")
        output: Path = options["output"]
        output.mkdir(parents=True, exist_ok=True)
        for name in job.files.values():
            target = output / name.rsplit("/", 1)[-1]
            with default_storage.open(name, "rb") as source, open(target, "wb") as handle:
                shutil.copyfileobj(source, handle, 1024 * 1024)
            self.stdout.write(str(target))
        self.stdout.write(f"{job.row_count} row(s) exported.")
