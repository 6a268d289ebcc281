import socket

import pytest
from django.conf import settings


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
