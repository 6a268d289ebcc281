import os
import socket

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import expect, sync_playwright


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """The suite runs against real PostgreSQL and Redis; a missing one fails the run."""
    from urllib.parse import urlparse

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError("The test suite must run on PostgreSQL (DATABASE_URL).")
    if not _reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        raise pytest.UsageError(f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']}")
    redis_url = urlparse(settings.REDIS_URL)
    if not _reachable(redis_url.hostname, redis_url.port or 6379):
        raise pytest.UsageError(f"Redis is not reachable at {settings.REDIS_URL}")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _ledger_truncate_in_test_flush():
    """Transactional tests end with Django's flush: one TRUNCATE of every
    table. The ledger's triggers refuse TRUNCATE unless the transaction has set
    ``jiangxue.ledger_maintenance`` (migration lms 0003); this flush of the
    test database is the one place that sets it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        # execute_sql_flush runs its statements in one transaction.
        return flush(self, ["SET LOCAL jiangxue.ledger_maintenance = 'on'", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


# --- The browser: one Chromium for every browser test of the session -----------
# Defined here, not in tests/e2e/conftest.py, so that a browser test in another
# folder shares it: a second sync_playwright() in the same thread fails (its
# event loop is already running), which is what happened when a test module
# imported the fixture and so got its own session-wide copy.

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
