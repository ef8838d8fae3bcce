"""`make test-argilla`: both Argilla SDKs, unchanged, against our server (issue 7, argilla-compat.md).

Creates or reuses var/sdk-v1 (argilla-v1==1.29.1) and var/sdk-v2 (argilla==2.8.0), migrates the database
named by DATABASE_URL, mints an owner key, starts our server on a free 127.0.0.1 port and runs each
workflow script with its SDK. Exits non-zero when a workflow raises or finds a mismatch.

    .venv/bin/python -m tests.argilla_sdk.run [v1] [v2]
"""

import os
import subprocess
import sys
import time

from . import server

WORKFLOWS = {"v1": "workflow_v1.py", "v2": "workflow_v2.py"}


def main(argv: list[str]) -> int:
    chosen = argv or list(WORKFLOWS)
    pythons = {name: server.sdk_python(name) for name in chosen}
    server.setup_django()
    server.migrate()
    run = server.run_id()
    owner, key = server.owner_create(f"sdk-{run}")
    failures = []
    try:
        with server.Server() as srv:
            for name in chosen:
                script = server.ROOT / "tests" / "argilla_sdk" / WORKFLOWS[name]
                env = {**os.environ, "ARGILLA_API_URL": f"{srv.url}/argilla", "ARGILLA_API_KEY": key, "RUN_ID": run}
                started = time.monotonic()
                print(f"[argilla-sdk] {name}: {script.name}", flush=True)
                result = subprocess.run([str(pythons[name]), str(script)], env=env, cwd=server.ROOT)
                took = time.monotonic() - started
                status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
                print(f"[argilla-sdk] {name}: {status} in {took:.1f} s", flush=True)
                if result.returncode:
                    failures.append(name)
            if failures:
                print(f"[argilla-sdk] server log: {srv.log}", flush=True)
    finally:
        owner.delete()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
