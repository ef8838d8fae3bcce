"""The annotation loop in the labeler portal, driven through headless Chromium (issue 4).

    python -m bench.portal_loop --n 200

Creates its own SQLite database under var/ (removed afterwards), a workspace, an annotator and an open
dataset shaped like the demo (a `prompt` field, a required text question and an optional rating) with
`--n` + 1 records, and serves the site with gunicorn on a free 127.0.0.1 port. Chromium signs in, opens the
dataset and, `--n` times, fills the answer, picks a rating with a number key and presses Ctrl+Enter.
It times each step from the key press to the next record being interactive (the page's script has set
`data-ready` to the new record's id), and prints one JSON line with the median and p95 in ms.
Needs /usr/bin/chromium (apt-get install -y chromium).
"""

import argparse
import json
import os
import secrets
import statistics
import time
from pathlib import Path

from .api_import import gunicorn

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "portal-bench-password-1"
READY = "prev => { const r = document.documentElement.dataset.ready; return r && r !== prev ? r : false; }"
# Timed inside the browser, so the driver's own round trips do not count: the Ctrl+Enter keydown stamps the
# clock in sessionStorage (it survives the navigation), and the next page stamps the moment the portal's
# script marks the record ready. Both stamps are performance.timeOrigin + performance.now() (epoch ms).
PROBE = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener("keydown", e => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") sessionStorage.setItem("bench:submitAt", String(now()));
  }, true);
  new MutationObserver(() => {
    if (document.documentElement.dataset.ready && !window.__benchReadyAt) window.__benchReadyAt = now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
})();
"""
IN_PAGE_MS = "() => window.__benchReadyAt - Number(sessionStorage.getItem('bench:submitAt'))"


def setup_django(db_path: Path) -> None:
    """Point this process (and the gunicorn it starts) at a fresh SQLite database, migrated, DEBUG off."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_dataset(n: int):
    """A demo-like open dataset with `n` records and one annotator; returns (dataset, username)."""
    from accounts import services as accounts
    from labeling.selectors.lookups import dataset_access_for
    from labeling.services import datasets as dataset_services
    from labeling.services import records as record_services

    owner, _ = accounts.user_create(actor=None, username="bench-owner", password=PASSWORD, is_owner=True)
    annotator, _ = accounts.user_create(actor=None, username="bench-labeler", password=PASSWORD)
    workspace = accounts.workspace_create(actor=owner, name="bench-portal")
    accounts.membership_set(actor=owner, workspace=workspace, user=annotator)
    dataset = dataset_services.dataset_create(
        actor=owner, workspace=workspace, name="portal-loop",
        guidelines="Write the answer **you** would want to receive.\n\n- Be correct first, then brief.",
        fields=[{"name": "prompt", "title": "Prompt"}],
        questions=[
            {"name": "demonstration", "title": "Write the ideal response", "type": "text"},
            {"name": "quality", "title": "Prompt quality", "type": "rating", "required": False,
             "settings": {"options": [1, 2, 3, 4, 5]}},
        ],
    )
    dataset = dataset_services.dataset_publish(access=dataset_access_for(user=owner, dataset=dataset))
    record_services.records_upsert(access=dataset_access_for(user=owner, dataset=dataset), items=[
        {"external_id": f"p{i}", "fields": {"prompt": f"Prompt {i}: explain a tricky idea to a curious twelve-year-old."}}
        for i in range(n)
    ])
    return dataset, annotator.username


def drive(port: int, dataset_id, username: str, n: int) -> tuple[list[float], list[float]]:
    """Sign in, then make `n` submissions; return the ms from each Ctrl+Enter to the next ready record,
    as measured inside the page and as seen by the driver."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    in_page, driver = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(PROBE)
        page.set_default_timeout(15_000)
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", username)
        page.fill("#id_password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/" not in url)
        page.goto(f"{base}/datasets/{dataset_id}/")
        current = page.wait_for_function(READY, arg="").json_value()
        for i in range(n):
            page.fill("textarea[name=q-demonstration]", f"A careful, friendly explanation number {i}.")
            page.keyboard.press("Escape")
            page.locator("input[name=q-quality]").first.focus()
            page.keyboard.press(str(1 + i % 5))
            began = time.perf_counter()
            page.keyboard.press("Control+Enter")
            current = page.wait_for_function(READY, arg=current).json_value()
            driver.append((time.perf_counter() - began) * 1000)
            in_page.append(page.evaluate(IN_PAGE_MS))
        browser.close()
    return in_page, driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="submissions to make (at most 2000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    args = parser.parse_args()
    if not 1 <= args.n <= 2000:
        raise SystemExit("--n must be between 1 and 2000")
    if not Path(CHROMIUM).exists():
        raise SystemExit("needs Chromium at /usr/bin/chromium: apt-get install -y chromium")
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    db_path = var / f"bench-portal-{os.getpid()}.sqlite3"
    try:
        setup_django(db_path)
        # One record more than submissions, so that every Submit is followed by a record, not "all done".
        dataset, username = create_dataset(args.n + 1)
        with gunicorn(workers=args.workers, threads=args.threads) as port:
            in_page, driver = drive(port, dataset.pk, username, args.n)
        from labeling.models import Response

        submitted = Response.objects.filter(record__dataset=dataset, status="submitted").count()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    print(json.dumps({
        "bench": "portal_loop", "n": args.n, "server": "gunicorn", "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads, "database": "sqlite", "submitted": submitted,
        "median_ms": _median(in_page), "p95_ms": _p95(in_page), "max_ms": round(max(in_page), 1),
        "driver_median_ms": _median(driver), "driver_p95_ms": _p95(driver),
    }))


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)


if __name__ == "__main__":
    main()
