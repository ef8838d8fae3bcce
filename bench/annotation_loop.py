"""The annotation loop through the API: next record + submit (DESIGN §8).

    python -m bench.annotation_loop --labelers 1    # p50/p95 of one labeler's next + submit
    python -m bench.annotation_loop --labelers 32   # submissions/s of 32 labelers at once
    python -m bench.annotation_loop --labelers 32 --skills 8               # routing by skill on
    python -m bench.annotation_loop --labelers 32 --skills 8 --routing-off # same data, routing off

With `--skills K`, records carry `domain` = one of K tags in turn and labeler i holds tag i mod K
(issue #19); the dataset routes by `domain` unless `--routing-off`. With fewer labelers than tags,
K times the records are loaded, so that each labeler still finds `--n` records of their own.

Sets up its own PostgreSQL database like bench.api_import (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_api), creates an open dataset with min_submitted=1 and
enough records, and serves the API with gunicorn (2 workers, gthread) on a free 127.0.0.1 port.
Each labeler is a thread with its own keep-alive connection and API key, looping GET next → PUT
response until `--n` submissions are in, the records run out (204), or `--max-seconds` pass.
Prints one JSON line, including how many records were handed to more than one labeler at once
(a record needs one submission here, so any such hand-out is duplicate work).
"""

import argparse
import json
import os
import statistics
import threading
import time
from collections import defaultdict

from config import gunicorn as gunicorn_settings

from .api_import import (
    Client,
    child_pids,
    cpu_seconds,
    create_dataset,
    database_backends,
    drop_workspace,
    gunicorn,
    host_loop_ms,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labelers", type=int, default=1)
    parser.add_argument("--n", type=int, default=None, help="submissions to make (default 300 per labeler, 3000 max)")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=gunicorn_settings.threads,
                        help="gunicorn threads per worker (default: config/gunicorn.py's)")
    parser.add_argument("--skills", type=int, default=0, help="route records by this many skill tags")
    parser.add_argument("--routing-off", action="store_true", help="with --skills: keep the tags, route nothing")
    args = parser.parse_args()
    target = args.n or min(300 * args.labelers, 3000)
    setup_django()
    records = [{"external_id": f"r{i}", "fields": {"prompt": f"Explain topic number {i} to a child."},
                **({"metadata": {"domain": f"skill{i % args.skills}"}} if args.skills else {})}
               for i in range((target + args.labelers) * (args.skills if 0 < args.labelers < args.skills else 1))]
    skills = [[f"skill{i % args.skills}"] for i in range(args.labelers)] if args.skills else None
    routing = "domain" if args.skills and not args.routing_off else ""
    dataset, _, keys = create_dataset(labelers=args.labelers, records=records, skills=skills, routing_property=routing)
    _vacuum_analyze()
    loop_before = host_loop_ms()

    lock = threading.Lock()
    latencies: list[float] = []
    handed: dict[str, set[int]] = defaultdict(set)
    errors: list[str] = []
    submitted = 0
    start = threading.Barrier(args.labelers + 1)

    def labeler(index: int, client: Client, deadline_box: list) -> None:
        nonlocal submitted
        client.request("GET", "/api/me")  # connect and warm up before the clock
        start.wait()
        while time.perf_counter() < deadline_box[0]:
            with lock:
                if submitted >= target:
                    return
            began = time.perf_counter()
            status, body = client.request("GET", f"/api/datasets/{dataset.pk}/next/")
            if status == 204:
                return
            if status != 200:
                errors.append(f"next {status} {body[:200]!r}")
                return
            record_id = json.loads(body)["id"]
            answer = json.dumps({"values": {"demonstration": "A clear, kind explanation."}, "status": "submitted"})
            status, body = client.request("PUT", f"/api/records/{record_id}/response/", answer.encode())
            elapsed = time.perf_counter() - began
            if status != 200:
                errors.append(f"submit {status} {body[:200]!r}")
                return
            with lock:
                handed[record_id].add(index)
                latencies.append(elapsed)
                submitted += 1

    try:
        with gunicorn(workers=args.workers, threads=args.threads) as port:
            deadline_box = [float("inf")]
            threads = [threading.Thread(target=labeler, args=(i, Client(port, key), deadline_box))
                       for i, key in enumerate(keys)]
            for thread in threads:
                thread.start()
            start.wait()
            cpu_before = _cpu_by_role()
            began = time.perf_counter()
            deadline_box[0] = began + args.max_seconds
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            cpu_after = _cpu_by_role()
            # Backends opened during the run count from zero.
            cpu_spent = {role: sum(seconds - cpu_before[role].get(pid, 0.0) for pid, seconds in by_pid.items())
                         for role, by_pid in cpu_after.items()}
        from django.db.models import Count

        from labeling.models import Response

        over = (Response.objects.filter(record__dataset=dataset, status="submitted").values("record_id")
                .order_by().annotate(n=Count("id")).filter(n__gt=1).count())
        across = _served_across_skills(handed, skills) if routing else None
    finally:
        drop_workspace(dataset)
    latencies.sort()
    figures = {
        "bench": "annotation_loop", "labelers": args.labelers, "skills": args.skills, "routing": bool(routing),
        "served_across_skills": across,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads, "submissions": submitted, "seconds": round(elapsed, 3),
        "submissions_per_s": round(submitted / elapsed, 1) if elapsed else None,
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2) if latencies else None,
        "duplicates_handed_out": sum(1 for users in handed.values() if len(users) > 1),
        "records_over_min_submitted": over, "errors": len(errors),
        # CPU per submission (next + submit), in ms: where the two cores went.
        **{f"{role}_cpu_ms_per_submission": round(seconds * 1000 / submitted, 2) if submitted else None
           for role, seconds in cpu_spent.items()},
        "load_1m": round(os.getloadavg()[0], 2),
        "host_loop_ms": [loop_before, host_loop_ms()],
    }
    print(json.dumps(figures))


def _served_across_skills(handed: dict, skills: list) -> int:
    """Records submitted by a labeler whose skill does not match the record's tag (routing on: must be 0)."""
    from labeling.models import Record

    tag_of = {str(pk): metadata.get("domain") for pk, metadata in Record.objects.filter(
        pk__in=list(handed)).values_list("pk", "metadata")}
    return sum(1 for record_id, users in handed.items() for user in users if tag_of.get(record_id) not in skills[user])


def _vacuum_analyze() -> None:
    """Start from the state autovacuum keeps a server in: earlier runs leave tens of thousands of dead
    records, responses and claims behind, and this machine's PostgreSQL runs with autovacuum off."""
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table
              for label in ("accounts", "labeling") for model in apps.get_app_config(label).get_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def _cpu_by_role() -> dict[str, dict[int, float]]:
    """CPU seconds so far per process: gunicorn workers, PostgreSQL backends, and this load generator."""
    workers = [pid for master in child_pids(os.getpid()) for pid in child_pids(master)]
    roles = {"app": workers, "db": database_backends(), "loadgen": [os.getpid()]}
    return {role: {pid: cpu_seconds([pid]) or 0.0 for pid in pids} for role, pids in roles.items()}


if __name__ == "__main__":
    main()
