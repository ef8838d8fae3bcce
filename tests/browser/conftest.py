"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

CI installs the browser with `apt-get install -y chromium`; without /usr/bin/chromium these tests skip.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
PASSWORD = "pw-for-tests-1"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium: apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # page actions are still plain synchronous code, so Django's async-safety guard is lifted here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.dialogs = []  # every dialog the page opened, for tests that expect none
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign in through the login form with the keyboard only."""

    def sign_in_as(login: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        # The login field has autofocus; wait for it before typing, or a loaded machine drops keys.
        page.wait_for_function("document.activeElement && document.activeElement.name === 'login'")
        page.keyboard.type(login)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/" not in url)
        return page

    return sign_in_as


@pytest.fixture
def output_dir():
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


def wait_ready(page, previous: str | None = None) -> str:
    """Wait until the annotation page is interactive (on a record other than `previous`); return its id."""
    handle = page.wait_for_function(
        """prev => {
            const ready = document.documentElement.dataset.ready;
            return ready && ready !== prev ? ready : false;
        }""",
        arg=previous or "",
    )
    return handle.json_value()


@pytest.fixture
def records(dataset):
    """Three records of the demo dataset, in creation order."""
    from ..factories import RecordFactory

    return [RecordFactory(dataset=dataset, fields={"prompt": f"Prompt number {i}"}) for i in range(1, 4)]
