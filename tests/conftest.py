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
