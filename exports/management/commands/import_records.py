"""`manage.py import_records WORKSPACE/DATASET FILE`: import records from CSV, JSONL, JSON or Parquet."""

import os
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from exports.commands import command_actor
from exports.models import JobStatus
from exports.progress import ProgressBar
from exports.services import import_jobs
from labeling.selectors.lookups import dataset_access_for, dataset_get_by_name


def _mapping(pairs: list[str]) -> dict:
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column:
            raise CommandError(f"--map takes COLUMN=TARGET (TARGET empty to ignore the column), not '{pair}'.")
        mapping[column] = target or None
    return mapping


class Command(BaseCommand):
    help = (
        "Import records from a CSV, JSON lines, JSON array or Parquet file whose columns name fields, "
        "external_id and metadata.<name>. Nothing is imported when a row is bad, unless --skip-bad-rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="WORKSPACE/DATASET")
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "jsonl", "json", "parquet"], help="default: from the extension")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=TARGET",
                            help="map a column to a field, external_id or metadata.<name>; COLUMN= ignores it")
        parser.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and list the bad ones")
        parser.add_argument("--user", help="act as this user (default: the only owner)")

    def handle(self, *args, **options):
        workspace_name, sep, dataset_name = options["dataset"].partition("/")
        if not sep:
            raise CommandError("Name the dataset as WORKSPACE/DATASET.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = command_actor(options["user"])
        bar = ProgressBar(self.stderr._out)
        try:
            dataset = dataset_get_by_name(user=actor, workspace_name=workspace_name, name=dataset_name)
            with open(path, "rb") as handle:
                upload = File(handle, name=path.name)
                upload.size = os.path.getsize(path)
                job = import_jobs.import_job_create(
                    access=dataset_access_for(user=actor, dataset=dataset), file=upload, filename=path.name,
                    format=options["format"],
                    mapping=_mapping(options["map"]), on_error="skip" if options["skip_bad_rows"] else "reject",
                    enqueue=False,
                )
            import_jobs.import_job_run(job=job, progress=bar)
            job.refresh_from_db()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        for row in job.error_details.get("rows", []):
            self.stderr.write(f"line {row['line']}: {row['field'] + ': ' if row.get('field') else ''}{row['message']}")
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error)
        self.stdout.write(
            f"{job.created_count} created, {job.updated_count} updated, {job.skipped_count} bad row(s) skipped."
        )
