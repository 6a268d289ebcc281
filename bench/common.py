"""Helpers shared by the benchmark scripts."""

import os
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, fresh: bool = False) -> None:
    """Create the benchmark database (anew if ``fresh``), set Django up, migrate."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    from urllib.parse import urlparse

    import psycopg

    # The bench's own database: DATABASE_URL's (a bench may set its own), else
    # jiangxue_bench.
    name = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "jiangxue_bench"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if fresh:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def wait_for(port: int, *, seconds: float = 30) -> None:
    """Wait until a server accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {seconds} s")
