"""Browser tests: Debian's Chromium driven by Playwright against a live server."""

import os

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# A slow shared CI machine: give assertions as long as actions.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {
        db.alias: db._test_serialized_contents
        for db in connections.all()
        if hasattr(db, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # Playwright's event loop gives this thread a new context and with it
        # new connection wrappers (asgiref Local). Without the database
        # contents serialized at setup, `serialized_rollback` would restore
        # nothing after the first browser test (no root page, no catalogue).
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    """A fresh phone-sized browser context that prefers Chinese."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    """Put ``user``'s session cookie into the browser (as after logging in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
