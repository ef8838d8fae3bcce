"""Both Argilla SDKs, unchanged, against our server: push N records (each with a suggestion and an
annotator's submitted response) and pull them back with their responses (issue 7).

    DATABASE_URL=postgres://... .venv/bin/python -m bench.argilla_sdk --n 10000

Starts our app under gunicorn on a free 127.0.0.1 port against DATABASE_URL, runs bench/_argilla_sdk_v1.py
(argilla-v1==1.29.1, batches of 32 on push, pages of 250 on pull) and bench/_argilla_sdk_v2.py
(argilla==2.8.0, batches of 256 both ways) in their own virtualenvs, and prints one JSON line: records/s
per step and `*_server_share`, the fraction of the step's wall time spent waiting for the server's
answers (the rest is the SDK's own work on the client).
"""

import argparse
import json
import os
import subprocess
import sys

from tests.argilla_sdk import server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="records per SDK")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    pythons = {name: server.sdk_python(name) for name in ("v1", "v2")}
    server.setup_django()
    server.migrate()
    from django.conf import settings

    run = server.run_id()
    owner, key = server.owner_create(f"bench-{run}")
    figures = {"bench": "argilla_sdk", "n": args.n, "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
               "workers": args.workers}
    try:
        with server.Server(workers=args.workers, log=server.VAR / "bench-argilla-sdk-server.log") as srv:
            for name in ("v1", "v2"):
                env = {**os.environ, "ARGILLA_API_URL": f"{srv.url}/argilla", "ARGILLA_API_KEY": key,
                       "RUN_ID": run, "BENCH_N": str(args.n)}
                script = server.ROOT / "bench" / f"_argilla_sdk_{name}.py"
                done = subprocess.run([str(pythons[name]), str(script)], env=env, cwd=server.ROOT,
                                      capture_output=True, text=True)
                if done.returncode:
                    sys.stderr.write(done.stdout + done.stderr)
                    raise SystemExit(f"{name} benchmark failed; server log: {srv.log}")
                timings = json.loads(done.stdout.strip().splitlines()[-1])
                for step in ("push", "pull"):
                    seconds = timings[f"{step}_s"]
                    figures[f"{name}_{step}_records_per_s"] = round(args.n / seconds)
                    figures[f"{name}_{step}_s"] = round(seconds, 2)
                    figures[f"{name}_{step}_server_share"] = round(timings[f"{step}_server_s"] / seconds, 2)
    finally:
        owner.delete()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
