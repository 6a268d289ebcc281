"""Memory of the web process during a large local-mode upload.

Starts the real web server (gunicorn, one sync worker, production settings)
with local file storage in a temporary MEDIA_ROOT, signs an instructor in,
and uploads a generated file of ``--gib`` GiB through the upload API exactly
as upload.js does: ``PUT .../chunk/`` with ``Content-Range``, ``--chunk-mib``
MiB at a time. A second run sends the whole file as ONE request, the worst a
client can do. The worker's resident set size is sampled every 20 ms from
/proc; the table gives it before the upload and at its peak.

    .venv/bin/python bench/upload_memory.py [--gib 2] [--chunk-mib 8]
"""

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from common import ROOT, setup_django, table, wait_for

MiB = 1024 * 1024
PORT = 8771
CSRF = "b" * 32


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True
        ).stdout.split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


class Zeros:
    """``size`` bytes made on the fly: the client holds at most one block."""

    def __init__(self, size: int):
        self.remaining = size
        self.block = b"\0" * MiB

    def read(self, n: int = -1) -> bytes:
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        n = min(n, MiB)
        self.remaining -= n
        return self.block[:n]


def request(method: str, path: str, cookie: str, body=None, headers=None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600, blocksize=MiB)
    all_headers = {
        "Cookie": cookie,
        "X-CSRFToken": CSRF,
        "Accept": "application/json",
        **(headers or {}),
    }
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, (json.loads(data) if data else {})


def upload(cookie: str, size: int, chunk: int) -> None:
    status, body = request(
        "POST",
        "/api/v1/media/uploads/",
        cookie,
        {"title": "bench", "filename": "bench.mp4", "size": size, "content_type": "video/mp4"},
    )
    assert status == 201, body
    url = f"/api/v1/media/uploads/{body['upload_id']}/chunk/"
    for start in range(0, size, chunk):
        length = min(chunk, size - start)
        status, reply = request(
            "PUT",
            url,
            cookie,
            Zeros(length),
            {
                "Content-Length": str(length),
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{start + length - 1}/{size}",
            },
        )
        assert status == 200, reply


def measure(pid: int, work) -> tuple[float, float, float]:
    """(RSS before, peak RSS during, seconds) of ``work()``."""
    before = rss_mib(pid)
    peak = [before]
    running = True

    def sample():
        while running:
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        running = False
        sampler.join()
    return before, peak[0], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=2)
    parser.add_argument("--chunk-mib", type=int, default=8)
    args = parser.parse_args()
    size = int(args.gib * 1024 * MiB)

    media_root = tempfile.mkdtemp(prefix="jx-bench-media-")
    os.environ["MEDIA_ROOT"] = media_root
    setup_django()
    from django.conf import settings
    from django.test import Client

    from lms.models import Membership, Organisation, User
    from lms.services import membership_grant, organisation_create, user_create

    user = User.objects.filter(email="bench-uploader@example.org").first()
    if user is None:
        user = user_create(email="bench-uploader@example.org", password="bench-pass-2026")
        organisation = organisation_create(
            name="Bench school", kind=Organisation.Kind.PROVIDER, code="bench-school"
        )
        membership_grant(user=user, organisation=organisation, role=Membership.Role.INSTRUCTOR)
    client = Client()
    client.force_login(user)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
        f"{settings.CSRF_COOKIE_NAME}={CSRF}"
    )

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT))
    # No ffmpeg run on a file of zeros: processing is not what is measured.
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "1",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        wait_for(PORT)
        pid = worker_pid(server.pid)
        # Warm the worker (imports, URLconf) before the baseline.
        request("GET", "/api/v1/media/assets/0/", cookie)
        for label, chunk in (
            (f"{args.chunk_mib} MiB chunks (upload.js)", args.chunk_mib * MiB),
            ("one request for the whole file", size),
        ):
            before, peak, seconds = measure(pid, lambda c=chunk: upload(cookie, size, c))
            rows.append(
                [
                    label,
                    f"{size / 1024**3:.3g} GiB",
                    f"{before:.0f}",
                    f"{peak:.0f}",
                    f"{peak - before:+.0f}",
                    f"{size / MiB / seconds:.0f}",
                ]
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
        subprocess.run(["rm", "-rf", media_root], check=False)
    print(
        table(
            ["upload", "size", "worker RSS before (MiB)", "peak (MiB)", "growth", "MiB/s"],
            rows,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
