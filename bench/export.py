"""Export throughput and worker memory on PostgreSQL (DESIGN §8: ≥ 20,000 records/s, flat memory).

    python -m bench.export --n 100000 --responses 2 --format sft-messages
    python -m bench.export --datasets 4 --n 25000 --responses 2 --group-by external_id
    python -m bench.export --n 100000 --responses 2 --review

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_export; created if missing and
migrated). Builds two datasets, of `--small` (10,000) and `--n` records, each record with
`--responses` submitted responses (set up with bulk inserts, not timed; reused on the next run;
with `--review`, the datasets review every answer and each has a history: submitted, then accepted),
then exports each in a fresh worker process (`--worker JOB_ID`) running the export service exactly
as the Celery task does, `--repeat` times (medians reported). Prints one JSON line: records/s, the
worker's CPU seconds and peak RSS at both sizes, and the load average (other processes share the cores).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from bench.api_import import ROOT, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_export"


def _dataset(n: int, responses: int, copy: int = 0, review: bool = False):
    """A ready dataset of n records with `responses` submitted answers each (made once, then reused).

    Copies (`copy` > 0) hold the same prompts and external ids, as one workspace per labeler team would.
    With `review`, the dataset reviews every answer, and each answer was submitted then accepted: two
    entries of history, the export reading its values from the accept entry."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, User, Workspace
    from labeling.models import Dataset, Field, Question, Record, Response, ResponseVersion

    workspace, _ = Workspace.objects.get_or_create(name="bench-export")
    owner, _ = User.objects.get_or_create(username="bench-export-owner", defaults={"is_superuser": True})
    labelers = []
    for i in range(responses):
        user, _ = User.objects.get_or_create(username=f"bench-export-{i}")
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Membership.Role.ANNOTATOR})
        labelers.append(user)
    name = f"export-{n}-{responses}" + (f"-copy{copy}" if copy else "") + ("-review" if review else "")
    dataset = Dataset.objects.filter(workspace=workspace, name=name).first()
    if dataset and dataset.records.count() == n:
        return owner, dataset
    if dataset:
        dataset.delete()
    with transaction.atomic():
        dataset = Dataset.objects.create(workspace=workspace, name=name, status="ready", min_submitted=responses,
                                         review="all" if review else "off")
        Field.objects.create(dataset=dataset, name="prompt", title="Prompt")
        Question.objects.create(dataset=dataset, name="demonstration", title="Demonstration", type="text",
                                settings={"type": "text", "use_markdown": False})
        Question.objects.create(dataset=dataset, name="quality", title="Quality", type="rating", required=False,
                                settings={"type": "rating", "options": [{"value": v} for v in range(1, 6)]})
    now = timezone.now()
    for start in range(0, n, 10_000):
        records = [
            Record(dataset=dataset, ordinal=i + 1, external_id=f"p{i}", status="completed", submitted_count=responses,
                   fields={"prompt": f"Prompt {i}: explain how a bank transfer between two accounts works."})
            for i in range(start, min(n, start + 10_000))
        ]
        Record.objects.bulk_create(records, batch_size=5_000)
        answers = Response.objects.bulk_create([
            Response(record=record, user=user, status="submitted", submitted_at=now, started_at=now,
                     review_status="accepted" if review else None, version=2 if review else 0,
                     values={"demonstration": f"Answer {j} to {record.external_id}: first, check the IBAN; then "
                                              "confirm the amount and the date.", "quality": 1 + (j + record.ordinal) % 5})
            for record in records for j, user in enumerate(labelers)
        ], batch_size=5_000)
        if review:
            ResponseVersion.objects.bulk_create([
                ResponseVersion(dataset=dataset, record_id=answer.record_id, response_id=answer.pk,
                                respondent_id=answer.user_id, author=author, author_name=author.username,
                                number=number, kind=kind, values=answer.values, status="submitted",
                                review_status=status, reviewed_number=reviewed, inserted_at=now)
                for answer in answers
                for number, kind, author, status, reviewed in ((1, "submit", answer.user, "pending", None),
                                                               (2, "accept", owner, "accepted", 1))
            ], batch_size=5_000)
    # Plans as a running database makes them: autovacuum would gather these statistics only later.
    with connection.cursor() as cursor:
        for model in (Record, Response, ResponseVersion):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return owner, dataset


def _worker(job_id: str) -> None:
    """Run one export as a worker would; print elapsed seconds and this process's peak RSS."""
    from exports.models import ExportJob
    from exports.services import export_jobs

    job = ExportJob.objects.get(pk=job_id)
    started, cpu_started = time.perf_counter(), time.process_time()
    export_jobs.export_job_run(job=job)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    job.refresh_from_db()
    if job.status != "succeeded":
        sys.exit(f"export failed: {job.error}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_rss_mb": round(peak_kib / 1024, 1), "rows": job.row_count}))


def _measure(owner, datasets: list, export_format: str, repeat: int, options: dict | None = None) -> dict:
    """Export `datasets` together `repeat` times, each in a fresh worker process; the median of each figure."""
    from exports.services import export_jobs

    runs = []
    for _ in range(repeat):
        job = export_jobs.export_job_create(actor=owner, dataset_ids=[d.pk for d in datasets], format=export_format,
                                            options=options, enqueue=False)
        out = subprocess.run([sys.executable, "-m", "bench.export", "--worker", str(job.pk)], cwd=ROOT, env=os.environ,
                             check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(run["seconds"] for run in runs)
    records = sum(dataset.records.count() for dataset in datasets)
    return {"records": records, "rows": runs[0]["rows"], "seconds": round(seconds, 2),
            "records_per_s": round(records / seconds),
            "cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in runs), 2),
            "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in runs),
            "runs_seconds": [round(run["seconds"], 2) for run in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=2)
    parser.add_argument("--format", default="sft-messages")
    parser.add_argument("--repeat", type=int, default=1, help="exports per size; medians are reported")
    parser.add_argument("--datasets", type=int, default=1,
                        help="consolidate this many copies of the --n dataset (same external ids) in one export")
    parser.add_argument("--group-by", choices=("external_id", "prompt", "record"), help="the export's consolidation key")
    parser.add_argument("--review", action="store_true",
                        help="datasets that review every answer, each answer submitted then accepted (two versions)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    setup_django()
    if args.worker:
        _worker(args.worker)
        return
    options = {"group_by": args.group_by} if args.group_by else None
    if args.datasets > 1:
        _consolidation(args, options)
        return
    owner, small = _dataset(args.small, args.responses, review=args.review)
    _, large = _dataset(args.n, args.responses, review=args.review)
    load_before = os.getloadavg()[0]
    at_small = _measure(owner, [small], args.format, args.repeat, options)
    at_large = _measure(owner, [large], args.format, args.repeat, options)
    print(json.dumps({
        "bench": "export", "format": args.format, "responses_per_record": args.responses, "repeat": args.repeat,
        "review": args.review, "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "small": at_small, "large": at_large,
        "records_per_s": at_large["records_per_s"],
        "peak_rss_growth": round(at_large["peak_rss_mb"] / at_small["peak_rss_mb"] - 1, 3),
    }))


def _consolidation(args, options: dict | None) -> None:
    """One export over `--datasets` copies against the export of one of them: throughput and peak RSS."""
    copies = [_dataset(args.n, args.responses, copy, review=args.review) for copy in range(args.datasets)]
    owner, datasets = copies[0][0], [dataset for _, dataset in copies]
    load_before = os.getloadavg()[0]
    single = _measure(owner, datasets[:1], args.format, args.repeat, options)
    together = _measure(owner, datasets, args.format, args.repeat, options)
    print(json.dumps({
        "bench": "export", "format": args.format, "responses_per_record": args.responses, "repeat": args.repeat,
        "datasets": args.datasets, "group_by": args.group_by, "review": args.review,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "single": single, "consolidated": together,
        "records_per_s": together["records_per_s"],
        "peak_rss_vs_single": round(together["peak_rss_mb"] / single["peak_rss_mb"] - 1, 3),
    }))


if __name__ == "__main__":
    main()
