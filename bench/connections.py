"""Persistent database connections on a write path.

Starts the real web server (gunicorn, one sync worker) twice against this
machine's PostgreSQL: once with Django's default of a new connection per
request (CONN_MAX_AGE=0), once with persistent connections (CONN_MAX_AGE=600,
the project default). Each round logs a user in and out over HTTP (session
insert and delete, last_login update). Rounds alternate so machine noise hits
both alike. Prints medians and the ratio.

    .venv/bin/python bench/connections.py [--requests 300]
"""

import argparse
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from common import ROOT, median_ms, setup_django, table, wait_for

EMAIL = "bench-writer@example.org"
PASSWORD = "bench-password-2026"


def start_server(port: int, conn_max_age: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", CONN_MAX_AGE=str(conn_max_age))
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for(port)
    return process


def login_logout(base: str, count: int) -> list[float]:
    """Time `count` login POSTs with their redirect to the profile (each round
    then logs out, untimed)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    samples = []
    for _ in range(count):
        page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": EMAIL, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
        )
        started = time.perf_counter()
        response = opener.open(request, timeout=10)
        samples.append(time.perf_counter() - started)
        assert "/accounts/login/" not in response.url, "login failed"
        # Read and close every response: an open one stalls the sync worker.
        response.read()
        response.close()
        page = opener.open(f"{base}/profile/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        logout = opener.open(
            urllib.request.Request(
                f"{base}/accounts/logout/",
                data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
                headers={"Referer": f"{base}/profile/"},
            ),
            timeout=10,
        )
        logout.read()
        logout.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    setup_django()
    from django.contrib.auth import get_user_model

    from lms.services import user_create

    if not get_user_model().objects.filter(email=EMAIL).exists():
        user_create(email=EMAIL, password=PASSWORD, display_name="bench")

    servers = {0: start_server(8761, 0), 600: start_server(8762, 600)}
    samples: dict[int, list[float]] = {0: [], 600: []}
    try:
        per_round = max(1, args.requests // args.rounds)
        for _ in range(args.rounds):
            for age, port in ((0, 8761), (600, 8762)):
                samples[age] += login_logout(f"http://127.0.0.1:{port}", per_round)
    finally:
        for process in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait()

    per_request, persistent = median_ms(samples[0]), median_ms(samples[600])
    print(
        table(
            ["CONN_MAX_AGE", "login POSTs", "median ms", "ratio to persistent"],
            [
                [
                    "0 (new connection per request)",
                    len(samples[0]),
                    per_request,
                    f"{per_request / persistent:.2f}×",
                ],
                ["600 (persistent, default)", len(samples[600]), persistent, "1.00×"],
            ],
        )
    )


if __name__ == "__main__":
    sys.exit(main())
