"""File import throughput into PostgreSQL (DESIGN §8: ≥ 20,000 records/s through a file import job).

    python -m bench.file_import --n 100000 [--format csv|jsonl|json|parquet]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_file_import; created if missing
and migrated). Writes a file of N prompts with external ids and a metadata column, stores it as an
upload, and runs the import job service in-process (what the Celery task runs): the clock covers
validating the whole file, writing the records in batches, and the report. Prints one JSON line,
with the CPU figures described in bench.api_import (`app_cpu_s` is this process, which runs the
job); the bench's dataset is deleted afterwards.
"""

import argparse
import csv
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

from bench.api_import import cpu_figures, cpu_seconds, cpu_spent, database_backends, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_file_import"


def _write(path: Path, n: int, file_format: str) -> None:
    rows = ({"external_id": f"p{i}", "prompt": f"Prompt {i}: how do I order a new debit card for my account?",
             "metadata.topic": ("cards", "transfers", "fees")[i % 3]} for i in range(n))
    if file_format == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["external_id", "prompt", "metadata.topic"])
            writer.writeheader()
            writer.writerows(rows)
    elif file_format == "jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in rows)
    elif file_format == "json":
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(list(rows), handle)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = list(rows)
        pq.write_table(pa.table({key: [r[key] for r in rows] for key in rows[0]}), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--format", default="csv", choices=["csv", "jsonl", "json", "parquet"])
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    setup_django()
    from django.core.files import File

    from accounts.models import User, Workspace
    from exports.services import import_jobs
    from labeling.selectors.lookups import dataset_access_for
    from labeling.services import datasets as dataset_services

    run = uuid.uuid4().hex[:8]
    owner, _ = User.objects.get_or_create(username="bench-import-owner", defaults={"is_superuser": True})
    workspace, _ = Workspace.objects.get_or_create(name="bench-import")
    dataset = dataset_services.dataset_create(
        actor=owner, workspace=workspace, name=f"import-{run}", fields=[{"name": "prompt"}],
        questions=[{"name": "demonstration", "type": "text"}],
    )
    dataset = dataset_services.dataset_publish(access=dataset_access_for(user=owner, dataset=dataset))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"prompts.{args.format}"
        _write(path, args.n, args.format)
        size = path.stat().st_size
        backends = database_backends()
        load = os.getloadavg()[0]
        db_before, app_before = cpu_seconds(backends), time.process_time()
        started = time.perf_counter()
        with open(path, "rb") as handle:
            upload = File(handle, name=path.name)
            access = dataset_access_for(user=owner, dataset=dataset)
            job = import_jobs.import_job_create(access=access, file=upload, filename=path.name, enqueue=False)
        import_jobs.import_job_run(job=job)
        elapsed = time.perf_counter() - started
        app_cpu, db_cpu = time.process_time() - app_before, cpu_spent(db_before, cpu_seconds(backends))
    job.refresh_from_db()
    if job.status != "succeeded" or job.created_count != args.n:
        raise SystemExit(f"import failed: {job.status} {job.error} ({job.created_count} created)")
    print(json.dumps({"bench": "file_import", "format": args.format, "records": args.n, "file_mb": round(size / 2**20, 1),
                      "seconds": round(elapsed, 2), "records_per_s": round(args.n / elapsed),
                      **cpu_figures(args.n, app_cpu, db_cpu, load)}))
    dataset_services.dataset_delete(access=dataset_access_for(user=owner, dataset=dataset))


if __name__ == "__main__":
    main()
