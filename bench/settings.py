"""Settings for the benchmarks: production mode (DEBUG off) on this machine's
PostgreSQL, served over plain HTTP on loopback, with a fast password hasher so
a login measures the database and not PBKDF2."""

import os
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiangxue_bench")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault(
    "MEDIA_ROOT", str(Path(__file__).resolve().parent.parent / "var" / "bench-media")
)

from lms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic in a benchmark: plain static storage, no manifest.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# One client logs in hundreds of times a minute here: lift allauth's limits.
ACCOUNT_RATE_LIMITS = False
