"""Workload distribution and the dataset dashboard at scale on PostgreSQL (issue 5: distribute ≤ 5 s).

    python -m bench.distribute --records 100000 --annotators 50 --k 3

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_distribute; created if missing
and migrated). Builds once, and reuses on later runs, a workspace with `--annotators` annotators and
a dataset of `--records` records, two of which answer each record (submitted responses with
ratings, spread over 30 days, so the dashboard has medians, a chart and agreement to compute).
Then, timed: distribute every record to `k` annotators from scratch (`--repeat` times; median wall
time, and median CPU seconds of this process, `app_cpu_s`, and of the database backends, `db_cpu_s`,
which stay meaningful when other work shares the cores), the same call again (nothing to do), a
reassign of one annotator's records, and the dashboard page (its SQL query count and the median
time of three loads). Prints one JSON line.
"""

import argparse
import json
import os
import statistics
import time
from datetime import timedelta

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_distribute"
BATCH = 5_000


def _world(n_records: int, n_annotators: int):
    """(admin, annotators, dataset), built once per size and reused."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Membership, User, Workspace
    from labeling.models import Dataset, Field, Question, Record, Response

    workspace, _ = Workspace.objects.get_or_create(name="bench-distribute")
    admin, _ = User.objects.get_or_create(username="bench-distribute-admin")
    Membership.objects.get_or_create(user=admin, workspace=workspace, defaults={"role": Membership.Role.ADMIN})
    annotators = []
    for i in range(n_annotators):
        user, _ = User.objects.get_or_create(username=f"bench-distribute-{i:03d}")
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Membership.Role.ANNOTATOR})
        annotators.append(user)
    name = f"distribute-{n_records}-{n_annotators}"
    dataset = Dataset.objects.filter(workspace=workspace, name=name).first()
    if dataset and dataset.records.count() == n_records:
        return admin, annotators, dataset
    if dataset:
        dataset.delete()
    with transaction.atomic():
        dataset = Dataset.objects.create(workspace=workspace, name=name, status="ready", min_submitted=2,
                                         distribution="assigned")
        Field.objects.create(dataset=dataset, name="prompt", title="Prompt")
        Question.objects.create(dataset=dataset, name="demonstration", title="Demonstration", type="text",
                                settings={"type": "text", "use_markdown": False})
        Question.objects.create(dataset=dataset, name="quality", title="Quality", type="rating", required=False,
                                settings={"type": "rating", "options": [{"value": v} for v in range(1, 6)]})
    now = timezone.now()
    for start in range(0, n_records, BATCH):
        records = [
            Record(dataset=dataset, ordinal=i + 1, external_id=f"p{i}", status="completed", submitted_count=2,
                   fields={"prompt": f"Prompt {i}: explain how a card payment is authorised."},
                   metadata={"category": f"c{i % 10}"})
            for i in range(start, min(n_records, start + BATCH))
        ]
        Record.objects.bulk_create(records)
        responses = []
        for record in records:
            i = record.ordinal
            for j in range(2):
                submitted = now - timedelta(days=i % 30, seconds=i % 3600)
                responses.append(Response(
                    record=record, user=annotators[(i + j * 7) % n_annotators], status="submitted",
                    values={"demonstration": f"Answer {j} to {i}.", "quality": 1 + (i + j * (i % 2)) % 5},
                    started_at=submitted - timedelta(seconds=30 + (i * 7 + j) % 300), submitted_at=submitted,
                ))
        Response.objects.bulk_create(responses)
    return admin, annotators, dataset


def _distribute_from_scratch(admin, dataset, k: int) -> dict:
    """Remove the dataset's assignments, then time one distribution of every record to `k` annotators.

    The reset is vacuumed first: a server with autovacuum off (or not yet run) would otherwise
    keep the dead rows of the previous run, and re-inserting the very same (record, user) pairs
    then visits every dead version under the unique index, which a fresh dataset never does.
    """
    from django.db import connection

    from bench.api_import import cpu_seconds, cpu_spent, database_backends
    from labeling.models import Assignment
    from labeling.selectors.lookups import dataset_access_for
    from labeling.services.distribution import assignments_distribute

    Assignment.objects.filter(record__dataset=dataset).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Assignment._meta.db_table}")
    backends = database_backends()
    db_before, app_before = cpu_seconds(backends), time.process_time()
    started = time.perf_counter()
    result = assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=k)
    seconds = time.perf_counter() - started
    return {"result": result, "seconds": seconds, "app_cpu": time.process_time() - app_before,
            "db_cpu": cpu_spent(db_before, cpu_seconds(backends))}


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def _dashboard(admin, dataset) -> tuple[int, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(admin)
    url = f"/datasets/{dataset.pk}/dashboard/"
    if client.get(url).status_code != 200:
        raise AssertionError("the dashboard did not load")
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
    return len(queries), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="distributions from scratch; medians are reported")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    from bench.api_import import host_loop_ms, setup_django

    setup_django()
    from labeling.selectors.lookups import dataset_access_for
    from labeling.services.distribution import assignments_distribute, assignments_reassign

    started = time.perf_counter()
    admin, annotators, dataset = _world(args.records, args.annotators)
    setup_s = time.perf_counter() - started

    load, loop_before = os.getloadavg()[0], host_loop_ms()
    runs = [_distribute_from_scratch(admin, dataset, args.k) for _ in range(args.repeat)]
    result = runs[-1]["result"]
    loads = result.loads.values()
    if result.created != args.records * args.k or max(loads) - min(loads) > 1:
        raise AssertionError(f"unexpected distribution: {result.created} created, loads {min(loads)}..{max(loads)}")

    started = time.perf_counter()
    again = assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=args.k)
    again_s = time.perf_counter() - started
    if again.created:
        raise AssertionError("the second distribution changed something")

    started = time.perf_counter()
    access = dataset_access_for(user=admin, dataset=dataset)
    moved = assignments_reassign(access=access, from_user=annotators[0].username)
    reassign_s = time.perf_counter() - started

    queries, dashboard_s = _dashboard(admin, dataset)
    distribute_s = statistics.median(run["seconds"] for run in runs)

    def median(key):
        values = [run[key] for run in runs]
        return None if None in values else statistics.median(values)

    app_cpu, db_cpu = median("app_cpu"), median("db_cpu")
    print(json.dumps({
        "records": args.records,
        "annotators": args.annotators,
        "k": args.k,
        "assignments_created": result.created,
        "distribute_s": round(distribute_s, 3),
        "distribute_runs_s": [round(run["seconds"], 3) for run in runs],
        "assignments_per_s": round(result.created / distribute_s),
        "app_cpu_s": _rounded(app_cpu),
        "db_cpu_s": _rounded(db_cpu),
        "assignments_per_cpu_s": None if None in (app_cpu, db_cpu) else round(result.created / (app_cpu + db_cpu)),
        "load_1m": round(load, 2),
        "host_loop_ms": [loop_before, host_loop_ms()],
        "distribute_again_s": round(again_s, 3),
        "reassign_moved": moved.moved,
        "reassign_s": round(reassign_s, 3),
        "dashboard_queries": queries,
        "dashboard_s": round(dashboard_s, 3),
        "setup_s": round(setup_s, 1),
    }))


if __name__ == "__main__":
    main()
