"""The review loop through the API: the queue's next record, and a decision on each of its answers.

    python -m bench.review_loop --n 100000 [--samples 300]

Sets up its own PostgreSQL database like bench.api_import (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_api): a dataset with review on for every answer and `--n`
records, each answered by two labelers (responses and their first history entries are written by
set-based SQL before the clock starts, submission times spread so the queue has an order), and a
reviewer with an API key. The API is served by gunicorn (2 workers) on a free 127.0.0.1 port; the
reviewer loops GET /api/datasets/{id}/review/next/ then POST /api/responses/{id}/review/ for each
answer it may decide (accept, with every fourth a reject and every fifth a fix) until `--samples`
records are reviewed. Prints one JSON line with p50/p95 of "next" and of a decision; the bench's
dataset is deleted afterwards.
"""

import argparse
import json
import os
import statistics
import time

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

ANSWER = {"demonstration": "A clear, kind explanation."}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records, each with two answers waiting for review")
    parser.add_argument("--samples", type=int, default=300, help="records to review (default 300)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=gunicorn_settings.threads)
    args = parser.parse_args()
    setup_django()
    began = time.perf_counter()
    records = [{"external_id": f"r{i}", "fields": {"prompt": f"Explain topic number {i} to a child."}}
               for i in range(args.n)]
    dataset, _, _ = create_dataset(labelers=2, records=records)
    reviewer_key = _answers_waiting(dataset)
    setup_seconds = time.perf_counter() - began
    loop_before = host_loop_ms()
    next_ms: list[float] = []
    decision_ms: list[float] = []
    errors: list[str] = []
    try:
        with gunicorn(workers=args.workers, threads=args.threads) as port:
            client = Client(port, reviewer_key)
            client.request("GET", "/api/me")  # connect and warm up before the clock
            cpu_before = _cpu()
            _review(client, dataset, args.samples, next_ms, decision_ms, errors)
            cpu = {role: after - cpu_before.get(role, 0.0) for role, after in _cpu().items()}
            client.close()
    finally:
        drop_workspace(dataset)
    print(json.dumps({
        "bench": "review_loop", "records": args.n, "answers": 2 * args.n, "reviewed_records": len(next_ms),
        "decisions": len(decision_ms), "setup_s": round(setup_seconds, 1),
        **_percentiles("next", next_ms), **_percentiles("decision", decision_ms),
        # CPU per reviewed record (its next and its decisions), in ms: the loaded host's latency aside.
        **{f"{role}_cpu_ms_per_record": round(seconds * 1000 / len(next_ms), 2) if next_ms else None
           for role, seconds in cpu.items()},
        "errors": len(errors), "first_error": errors[0] if errors else None,
        "load_1m": round(os.getloadavg()[0], 2), "host_loop_ms": [loop_before, host_loop_ms()],
    }))


def _review(client: Client, dataset, samples: int, next_ms: list, decision_ms: list, errors: list) -> None:
    decisions = 0
    for _ in range(samples):
        started = time.perf_counter()
        status, body = client.request("GET", f"/api/datasets/{dataset.pk}/review/next/")
        next_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            if status != 204:
                errors.append(f"next {status} {body[:200]!r}")
            return
        for answer in (a for a in json.loads(body)["answers"] if a["is_decidable"]):
            decisions += 1
            decision = {"decision": "accept", "version": answer["version"]}
            if decisions % 5 == 0:
                decision.update(decision="fix", values={"demonstration": "A clearer explanation, fixed."})
            elif decisions % 4 == 0:
                decision.update(decision="reject", comment="Give an example a child knows.")
            started = time.perf_counter()
            status, body = client.request("POST", f"/api/responses/{answer['id']}/review/", json.dumps(decision).encode())
            decision_ms.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors.append(f"decision {status} {body[:200]!r}")


def _cpu() -> dict[str, float]:
    """CPU seconds so far of the gunicorn workers and of the bench database's PostgreSQL backends."""
    workers = [pid for master in child_pids(os.getpid()) for pid in child_pids(master)]
    return {"app": cpu_seconds(workers) or 0.0, "db": cpu_seconds(database_backends()) or 0.0}


def _percentiles(name: str, values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {f"{name}_p50_ms": None, f"{name}_p95_ms": None}
    return {f"{name}_p50_ms": round(statistics.median(ordered), 2),
            f"{name}_p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2)}


def _answers_waiting(dataset) -> str:
    """Give every record of the bench dataset two submitted answers waiting for review, with their
    "submit" history entries, the oldest record submitted first; add a reviewer; return its API key."""
    from django.db import connection, transaction

    from accounts.models import Membership, User
    from accounts.services import user_create
    from labeling.models import Dataset, Record, Response, ResponseVersion

    labelers = list(User.objects.filter(memberships__workspace_id=dataset.workspace_id,
                                        memberships__role=Membership.Role.ANNOTATOR).order_by("username"))
    record, response, version, user = (m._meta.db_table for m in (Record, Response, ResponseVersion, User))
    with transaction.atomic(), connection.cursor() as cursor:
        for offset, labeler in enumerate(labelers):
            cursor.execute(
                f"INSERT INTO {response} (id, inserted_at, updated_at, record_id, user_id, values, status, started_at, "
                "submitted_at, review_status, version) SELECT gen_random_uuid(), now(), now(), r.id, %s, %s, "
                "'submitted', now() - interval '1 day', now() - interval '1 hour' + (2 * r.ordinal + %s) "
                f"* interval '1 millisecond', 'pending', 1 FROM {record} r WHERE r.dataset_id = %s",
                [labeler.pk, json.dumps(ANSWER), offset, dataset.pk])
        cursor.execute(
            f"INSERT INTO {version} (id, dataset_id, record_id, response_id, respondent_id, author_id, author_name, "
            "number, kind, values, status, review_status, reviewed_number, comment, inserted_at) "
            "SELECT gen_random_uuid(), r.dataset_id, p.record_id, p.id, p.user_id, p.user_id, u.username, 1, 'submit', "
            f"p.values, 'submitted', 'pending', NULL, '', p.submitted_at FROM {response} p "
            f"JOIN {record} r ON r.id = p.record_id JOIN {user} u ON u.id = p.user_id WHERE r.dataset_id = %s",
            [dataset.pk])
        Record.objects.filter(dataset=dataset).update(submitted_count=2, status=Record.Status.COMPLETED)
        Dataset.objects.filter(pk=dataset.pk).update(review=Dataset.Review.ALL, min_submitted=2)
        cursor.execute(f"ANALYZE {record}, {response}, {version}")
    reviewer, key = user_create(actor=None, username=f"bench-reviewer-{dataset.workspace_id.hex[:8]}",
                                create_api_key=True)
    Membership.objects.create(user=reviewer, workspace_id=dataset.workspace_id, role=Membership.Role.REVIEWER)
    return key


if __name__ == "__main__":
    main()
