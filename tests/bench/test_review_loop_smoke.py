"""`python -m bench.review_loop` runs end to end at a small size and prints its one JSON line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_review_loop_prints_its_figures():
    # The bench migrates and fills a database of its own on the test run's server, never the test database.
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0] + "/bench_review_smoke"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run([sys.executable, "-m", "bench.review_loop", "--n", "30", "--samples", "10"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "review_loop" and figures["errors"] == 0, figures
    assert (figures["records"], figures["reviewed_records"], figures["decisions"]) == (30, 10, 20)
    assert figures["next_p50_ms"] > 0 and figures["decision_p95_ms"] > 0
