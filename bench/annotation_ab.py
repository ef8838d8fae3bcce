"""The annotation loop of this tree against another revision's, served side by side (ratios, not speeds).

    python -m bench.annotation_ab --against c67cd03 [--labelers 32] [--burst 300] [--rounds 9]

The shared 2-core hosts change speed by up to 2× within minutes, so two runs of bench.annotation_loop
an hour apart cannot tell a 10% change from the host's drift. This bench checks `--against` out into a
temporary git worktree, serves it and this tree with gunicorn at the same time (2 workers each, with
this tree's config/gunicorn.py threads, against the same PostgreSQL database as bench.annotation_loop,
one dataset each), and sends alternating bursts of `--burst` submissions (next + submit) from
`--labelers` labelers to one server and then the other, switching which goes first every round. Each
burst opens fresh keep-alive connections (the idle server closes the old ones) and is timed on its own:
wall time, the server's worker CPU and the PostgreSQL backends' CPU (only one server is busy at a
time). Prints one JSON line: the median of each figure per tree, and the median of the per-round ratios
this/other, which is the number to read. The revision must run on this tree's database schema (same
migrations)."""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from config import gunicorn as gunicorn_settings

from .annotation_loop import _vacuum_analyze
from .api_import import (
    ROOT,
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

ANSWER = json.dumps({"values": {"demonstration": "A clear, kind explanation."}, "status": "submitted"}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="git revision to compare this tree with")
    parser.add_argument("--labelers", type=int, default=32)
    parser.add_argument("--burst", type=int, default=300, help="submissions per burst")
    parser.add_argument("--rounds", type=int, default=9, help="rounds of one burst per tree (the first warms up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as scratch:
        other = Path(scratch) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(other), args.against], cwd=ROOT, check=True)
        try:
            _require_same_migrations(other)
            figures = _compare({"this": ROOT, "other": other}, args)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=True)
    print(json.dumps({"bench": "annotation_ab", "against": args.against, "labelers": args.labelers,
                      "burst": args.burst, "rounds": args.rounds - 1, **figures}))


def _require_same_migrations(other: Path) -> None:
    def migrations(tree: Path) -> list[str]:
        return sorted(str(path.relative_to(tree)) for path in tree.glob("*/migrations/0*.py"))

    if migrations(other) != migrations(ROOT):
        raise SystemExit("The revision's migrations differ from this tree's: both must run on one schema.")


def _compare(trees: dict[str, Path], args) -> dict:
    setup_django()
    records = [{"external_id": f"r{i}", "fields": {"prompt": f"Explain topic number {i} to a child."}}
               for i in range(args.burst * args.rounds + args.labelers)]
    datasets = {name: create_dataset(labelers=args.labelers, records=records) for name in trees}
    _vacuum_analyze()
    loop_before = host_loop_ms()
    bursts: dict[str, list[dict]] = {name: [] for name in trees}
    try:
        with gunicorn(workers=2, threads=gunicorn_settings.threads, tree=trees["this"]) as this_port, \
                gunicorn(workers=2, threads=gunicorn_settings.threads, tree=trees["other"]) as other_port:
            ports = {"this": this_port, "other": other_port}
            for round_number in range(args.rounds):
                order = ("this", "other") if round_number % 2 == 0 else ("other", "this")
                for name in order:
                    dataset, _, keys = datasets[name]
                    figures = _burst(ports[name], dataset.pk, keys, args.burst)
                    if round_number:  # the first round warms both servers up
                        bursts[name].append(figures)
    finally:
        for dataset, _, _ in datasets.values():
            drop_workspace(dataset)
    figures = {"host_loop_ms": [loop_before, host_loop_ms()],
               "errors": sum(b["errors"] for runs in bursts.values() for b in runs)}
    for name in trees:
        for figure in ("submissions_per_s", "app_cpu_ms", "db_cpu_ms"):
            figures[f"{name}_{figure}"] = round(statistics.median(b[figure] for b in bursts[name]), 2)
    for figure in ("submissions_per_s", "app_cpu_ms", "db_cpu_ms"):
        ratios = [mine[figure] / theirs[figure] for mine, theirs in zip(bursts["this"], bursts["other"], strict=True)
                  if theirs[figure]]
        figures[f"ratio_{figure}"] = round(statistics.median(ratios), 3) if ratios else None
    return figures


def _burst(port: int, dataset_id, keys: list[str], submissions: int) -> dict:
    clients = [Client(port, key) for key in keys]
    for client in clients:
        client.request("GET", "/api/me")
    lock = threading.Lock()
    left, errors = [submissions], []

    def labeler(client: Client) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            status, body = client.request("GET", f"/api/datasets/{dataset_id}/next/")
            if status != 200:
                errors.append(status)
                return
            status, _ = client.request("PUT", f"/api/records/{json.loads(body)['id']}/response/", ANSWER)
            if status != 200:
                errors.append(status)
                return

    workers = _workers_of(port)
    app_before, db_before = cpu_seconds(workers), _backend_cpu()
    began = time.perf_counter()
    threads = [threading.Thread(target=labeler, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    app = cpu_seconds(workers) - app_before
    db_after = _backend_cpu()
    db = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in db_after.items())
    for client in clients:
        client.close()
    done = submissions - max(left[0], 0) - len(errors)
    if done <= 0:
        raise SystemExit(f"No submission went through on port {port}: {errors[:5]}")
    return {"submissions_per_s": done / elapsed, "app_cpu_ms": app * 1000 / done, "db_cpu_ms": db * 1000 / done,
            "errors": len(errors)}


def _workers_of(port: int) -> list[int]:
    """The worker processes of the gunicorn this process started on `port`."""
    for master in child_pids(os.getpid()):
        with open(f"/proc/{master}/cmdline", "rb") as handle:
            if f"127.0.0.1:{port}".encode() in handle.read():
                return child_pids(master)
    raise SystemExit(f"No gunicorn of ours listens on port {port}.")


def _backend_cpu() -> dict[int, float]:
    return {pid: cpu_seconds([pid]) or 0.0 for pid in database_backends()}


if __name__ == "__main__":
    main()
