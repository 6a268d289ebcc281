"""Test settings: the real PostgreSQL and Redis on this machine.

The suite never falls back to SQLite or an in-memory cache: a missing service
fails the run (tests/conftest.py checks both before any test starts).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiangxue")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from lms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Django runs tests with DEBUG off, so the development key is not used: a
# fixed test-only key signs the certificates' credentials.
CREDENTIAL_SIGNING_KEY = "dGVzdC1vbmx5IGNyZWRlbnRpYWwgc2lnbmluZyBrZXk="
