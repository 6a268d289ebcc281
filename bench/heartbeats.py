"""Heartbeat ingestion under concurrent learners, against the framework floor.

Starts the real web server (gunicorn, production settings, PostgreSQL, the
Redis-cached sessions and the Redis heartbeat buffer on a Redis database of
its own) and loads it from a separate process, wrk, with a few thousand
logged-in learners, each with a play session started through the real
endpoint. In the same run, alternating, the same requests (cookies, CSRF
header, JSON body) go to a floor view behind the same middleware that only
parses the JSON and answers 204 (``bench/urls.py``): heartbeat requests/s as
a ratio to the floor. After each heartbeat run, the flusher
(``progress.services.heartbeats_flush``) drains the backlog the run left in
the stream into PostgreSQL, timed.

    .venv/bin/python bench/heartbeats.py [--learners 1024] [--rounds 3]
        [--seconds 15] [--connections 32] [--config gthread:2x8 gthread:4x4 sync:4 ...]

Needs wrk (``apt-get install wrk``), PostgreSQL on 127.0.0.1:5432 and Redis
on 127.0.0.1:6379; uses database ``jiangxue_bench_heartbeats`` (created anew
each run) and Redis db 5 (flushed).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from common import ROOT, table, wait_for

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
HEARTBEAT_EVERY = 10  # seconds between two heartbeats of one learner (the figure)
TARGET_RATIO, TARGET_P99_MS, TARGET_LEARNERS = 0.6, 50, 20_000
SEQ_STEP = 10_000_000  # each wrk run counts sequence numbers from its own base

# The bench process and gunicorn read the same settings: heartbeats and the
# session cache on the bench's Redis db, no inline flush, no presence prompts
# during the run (they would answer 200 with a prompt instead of 204).
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings_heartbeats",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jiangxue_bench_heartbeats",
    "REDIS_URL": REDIS_URL,
    "PROGRESS_REDIS_URL": REDIS_URL,
    "PROGRESS_FLUSH_INLINE": "0",
    "PROGRESS_PROMPT_MIN_SECONDS": str(10**8),
    "PROGRESS_PROMPT_MAX_SECONDS": str(10**8 + 1),
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "DEBUG": "0",
}


def setup_django() -> None:
    os.environ.update(BENCH_ENV)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from common import setup_django as common_setup

    # A fresh database each run: credited intervals left by earlier runs slow
    # the flusher (30 % after a few runs), and runs must be comparable.
    common_setup(fresh=True)


def ensure_lesson():
    """A live course with one lesson whose video is ready (3,600 s)."""
    from django.db import transaction

    with transaction.atomic():
        return _ensure_lesson()


def _ensure_lesson():
    from catalogue import ensure_tree

    from courses.models import CoursePage, LessonPage, TradePage
    from media_pipeline.models import VideoAsset

    catalogue, _trades, provider = ensure_tree()
    trade = TradePage.objects.filter(slug="bench-hb-trade").first()
    if trade is None:
        trade = catalogue.add_child(
            instance=TradePage(
                title="心跳工种",
                slug="bench-hb-trade",
                occupation_name="心跳工种",
                occupation_code="9-99-98-01",
            )
        )
    course = CoursePage.objects.filter(slug="bench-hb-course").first()
    if course is None:
        course = trade.add_child(
            instance=CoursePage(
                title="心跳基准课程",
                slug="bench-hb-course",
                provider=provider,
                study_hours=Decimal("1.0"),
                summary="基准",
            )
        )
    lesson = LessonPage.objects.child_of(course).first()
    if lesson is None:
        asset = VideoAsset.objects.create(
            title="心跳基准视频",
            status=VideoAsset.Status.READY,
            published_version="v1",
            duration=3600.0,
        )
        lesson = course.add_child(
            instance=LessonPage(title="第1课", slug="lesson-0", summary="基准", video=asset)
        )
    return course, lesson


def ensure_learners(course, count: int) -> list:
    """``count`` workers enrolled in ``course`` (created on the first run)."""
    from django.contrib.auth import get_user_model

    from lms.models import Membership
    from lms.services import membership_grant, organisation_create, user_create
    from progress.models import Enrolment
    from progress.services import enrolment_create

    User = get_user_model()
    employer = organisation_create(name="心跳基准企业", kind="enterprise", code="bench-hb-employer")
    users = {u.email: u for u in User.objects.filter(email__startswith="bench-hb-learner-")}
    enrolled = set(
        Enrolment.objects.filter(course=course, user__in=users.values()).values_list(
            "user_id", flat=True
        )
    )
    learners = []
    for i in range(count):
        email = f"bench-hb-learner-{i}@example.org"
        user = users.get(email)
        if user is None:
            user = user_create(email=email, display_name=f"学员{i}")
            membership_grant(user=user, organisation=employer, role=Membership.Role.WORKER)
        if user.pk not in enrolled:
            enrolment_create(user=user, course=course)
        learners.append(user)
    return learners


def start_sessions(learners, lesson) -> list[dict]:
    """Log each learner in and start a play session through the real endpoint;
    returns what wrk needs to speak for them (path, cookies, CSRF header)."""
    from django.conf import settings
    from django.middleware.csrf import get_token
    from django.test import Client, RequestFactory
    from django.urls import reverse

    sessions = []
    factory = RequestFactory()
    for user in learners:
        client = Client()
        client.force_login(user)
        response = client.post(reverse("progress-session-start", args=[lesson.pk]))
        assert response.status_code == 201, response.content
        request = factory.get("/")
        token = get_token(request)  # masked, as a page's form or cookie gives it
        secret = request.META["CSRF_COOKIE"]
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={secret}"
        )
        sessions.append(
            {
                "path": reverse("progress-heartbeat", args=[response.json()["session"]]),
                "cookie": cookie,
                "csrf": token,
                "study_token": response.json()["token"],
            }
        )
    return sessions


def lua(value) -> str:
    """A Python value as a Lua literal (dicts, lists, str, int, float)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{\n" + ",\n".join(lua(v) for v in value) + "}"
    if isinstance(value, str):
        return json.dumps(value)  # the strings here are ASCII: JSON quoting is Lua quoting
    return repr(value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, config: str) -> subprocess.Popen:
    config, _, variant = config.partition("+")
    kind, _, size = config.partition(":")
    if kind == "sync":
        options = ["--worker-class", "sync", "--workers", size]
    else:
        workers, _, threads = size.partition("x")
        options = ["--worker-class", "gthread", "--workers", workers, "--threads", threads]
    env = dict(os.environ, **BENCH_ENV, PYTHONPATH=str(ROOT))
    if variant == "reuse":  # what-if: one redis client per pool for the cache (sessions)
        env["BENCH_REUSE_REDIS_CLIENT"] = "1"
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for(port)
    return process


def run_wrk(url: str, config_path: Path, *, seconds: int, connections: int, threads: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "heartbeats.lua"),
        url,
        "--",
        str(config_path),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def flush_all() -> tuple[int, float]:
    """Drain the stream into PostgreSQL; (heartbeats folded, seconds)."""
    from progress.services import heartbeats_flush

    folded = 0
    started = time.perf_counter()
    while n := heartbeats_flush(consumer="bench-flusher"):
        folded += n
    return folded, time.perf_counter() - started


def measure(config: str, sessions: list[dict], args, clock: dict) -> dict:
    """Alternating floor and heartbeat runs on one gunicorn configuration."""
    from django.db import connection

    port = free_port()
    server = start_server(port, config)
    url = f"http://127.0.0.1:{port}"
    results = {"floor": [], "heartbeat": [], "flush": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(-1, args.rounds):  # round -1: warm-up, not counted
                for target in ("floor", "heartbeat"):
                    clock["run"] += 1
                    path = Path(tmp) / f"{target}.lua"
                    path.write_text(
                        "return "
                        + lua(
                            {
                                "target": target,
                                "threads": args.threads,
                                "seq_base": clock["run"] * SEQ_STEP,
                                "position": int(time.time() - clock["start"]),
                                "floor_path": "/bench/floor/",
                                "sessions": sessions,
                            }
                        )
                        + "\n"
                    )
                    seconds = 3 if round_ < 0 else args.seconds
                    result = run_wrk(
                        url,
                        path,
                        seconds=seconds,
                        connections=args.connections,
                        threads=args.threads,
                    )
                    if round_ >= 0:
                        results[target].append(result)
                        print(
                            f"  {config} round {round_ + 1} {target}: {result['rps']:.0f} req/s, "
                            f"p50 {result['p50_us'] / 1000:.1f} ms, "
                            f"p99 {result['p99_us'] / 1000:.1f} ms, "
                            f"409 {result['status_409']}, "
                            f"other non-2xx {result['status_other']}, "
                            f"socket errors {result['socket_errors']}",
                            flush=True,
                        )
                    if target == "heartbeat":
                        folded, took = flush_all()
                        if round_ >= 0:
                            results["flush"].append((folded, took))
                            print(
                                f"  {config} round {round_ + 1} flush: {folded} heartbeats "
                                f"in {took:.1f} s, {folded / took:.0f}/s",
                                flush=True,
                            )
                        connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    return results


def summarise(config: str, results: dict) -> list:
    def med(target, key):
        return statistics.median(r[key] for r in results[target])

    beat_rps, beat_p99 = med("heartbeat", "rps"), med("heartbeat", "p99_us") / 1000
    # Each heartbeat run against the floor run just before it: machine noise
    # moves both alike, so the ratio is taken per round, then the median.
    ratio = statistics.median(
        b["rps"] / f["rps"] for f, b in zip(results["floor"], results["heartbeat"], strict=True)
    )
    flush_rate = statistics.median(n / s for n, s in results["flush"])
    learners = min(beat_rps, flush_rate) * HEARTBEAT_EVERY
    bad = sum(r["status_409"] + r["status_other"] for r in results["heartbeat"])
    bad_floor = sum(r["status_409"] + r["status_other"] for r in results["floor"])
    return [
        config,
        f"{med('floor', 'rps'):.0f}",
        f"{med('floor', 'p50_us') / 1000:.1f}",
        f"{med('floor', 'p99_us') / 1000:.1f}",
        f"{beat_rps:.0f}",
        f"{med('heartbeat', 'p50_us') / 1000:.1f}",
        f"{beat_p99:.1f}",
        f"{ratio:.2f}",
        f"{bad_floor} / {bad}",
        f"{flush_rate:.0f}",
        f"{learners:,.0f}" + ("" if beat_p99 < TARGET_P99_MS else " (p99 missed)"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--config",
        nargs="+",
        default=["gthread:2x8", "gthread:4x4"],
        help="gunicorn configurations: sync:WORKERS or gthread:WORKERSxTHREADS, "
        "with +reuse: the cache reuses one redis client (bench/settings_heartbeats.py)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian/Ubuntu)")

    started = time.perf_counter()
    setup_django()
    course, lesson = ensure_lesson()
    learners = ensure_learners(course, args.learners)
    sessions = start_sessions(learners, lesson)
    print(
        f"{len(sessions)} learners logged in with a play session each "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    clock = {"start": time.time(), "run": 0}
    rows = [summarise(c, measure(c, sessions, args, clock)) for c in args.config]
    print()
    print(
        table(
            [
                "gunicorn",
                "floor req/s",
                "floor p50 ms",
                "floor p99 ms",
                "heartbeat req/s",
                "heartbeat p50 ms",
                "heartbeat p99 ms",
                "ratio to floor (per round)",
                "non-2xx floor / heartbeat",
                "flusher heartbeats/s",
                f"learners carried (1 per {HEARTBEAT_EVERY} s)",
            ],
            rows,
        )
    )
    print(
        f"\n{args.connections} connections, {args.rounds} rounds of {args.seconds} s, medians; "
        f"targets: ratio ≥ {TARGET_RATIO}, p99 < {TARGET_P99_MS} ms, "
        f"≥ {TARGET_LEARNERS:,} learners. learners = min(heartbeat req/s, flusher/s) × "
        f"{HEARTBEAT_EVERY} s"
    )


if __name__ == "__main__":
    sys.exit(main())
