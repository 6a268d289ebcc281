"""Settings come from the environment, with embedded defaults (subprocesses,
so each case imports the settings module afresh)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k" * 20 + "Q2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVbNm-_production"
ENV_NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "AWS_STORAGE_BUCKET_NAME",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    clean.update(env, DJANGO_SETTINGS_MODULE="lms.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def _settings(*names: str, **env: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    result = _run(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_environment():
    """With nothing set: SQLite, in-memory cache, eager Celery, local files."""
    values = _settings("DATABASES", "CACHES", "CELERY_TASK_ALWAYS_EAGER", "STORAGES")
    assert "sqlite3" in values["DATABASES"]
    assert "LocMemCache" in values["CACHES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert "FileSystemStorage" in values["STORAGES"]


def test_production_parts_switch_on_with_their_variables():
    """DATABASE_URL, REDIS_URL and the bucket switch each part to production."""
    values = _settings(
        "DATABASES",
        "CACHES",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "STORAGES",
        DATABASE_URL="postgres://u@db.internal:5432/jx",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="jx-media",
    )
    assert "'ENGINE': 'django.db.backends.postgresql'" in values["DATABASES"]
    assert "'CONN_MAX_AGE': 600" in values["DATABASES"]
    assert "RedisCache" in values["CACHES"]
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/0"
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"
    assert "storages.backends.s3.S3Storage" in values["STORAGES"]


def test_debug_off_requires_secret_key():
    """DEBUG=0 without SECRET_KEY is refused at start-up."""
    result = _run("import django; django.setup()", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_off_requires_allowed_hosts():
    """DEBUG=0 without ALLOWED_HOSTS is refused at start-up."""
    result = _run("import django; django.setup()", DEBUG="0", SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set when DEBUG is off." in result.stderr


def test_transcoding_has_its_own_queue():
    """Media pipeline tasks are routed to the reserved transcode queue."""
    code = (
        "import django; django.setup(); from lms.celery import app; "
        "print(app.amqp.router.route({}, 'media_pipeline.tasks.transcode')['queue'].name, "
        "app.amqp.router.route({}, 'progress.tasks.anything')['queue'].name)"
    )
    result = _run(code, REDIS_URL="redis://127.0.0.1:6379/9")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["transcode", "default"]


def test_check_deploy_passes_with_production_variables():
    """`manage.py check --deploy --fail-level WARNING` passes in production mode."""
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    clean.update(
        DEBUG="0",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="jiangxue.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
