"""The LRS under load: batch POST and filtered GET over 1,000,000 statements.

Fills database ``jiangxue_bench_xapi`` (kept between runs once full) with
1,000,000 statements built in Python and COPYed in, their relation rows
derived in SQL, indexes built after the load, then ANALYZE: 5,000 agents
(accounts of an HR system, 600 of them platform workers identified by
e-mail, in two enterprises under one union and one under another), six
verbs, 2,000 activities in 50 courses, a registration per agent and course,
``stored`` over the last year, one statement in a thousand voiding an earlier
one. Then, against gunicorn with production settings (``DEBUG=0``,
persistent connections), loaded by wrk in its own process:

- POST /xapi/statements, batches of 50 fresh statements, alternating with
  the same requests to a floor view behind the same middleware that only
  parses the JSON and answers 204 (``bench/urls.py``): statements/s, request
  p50/p99 and the ratio to the floor, per round;
- GET /xapi/statements with agent + verb + since (agents drawn among those
  with statements, since 180 days back), default limit, for a client that
  reads everything and for a client scoped to the union (its workers only);
- the ``more`` chain of a verb + since query followed 50 pages deep,
  sequentially from this process: page 1 against page 50;
- ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL the main GET runs, once.

    .venv/bin/python bench/xapi.py [--statements 1000000] [--rounds 3]
        [--seconds 15] [--connections 16] [--config gthread:2x8] [--reload]

Needs wrk (``apt-get install wrk``) and PostgreSQL on 127.0.0.1:5432.
"""

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

from common import ROOT, table, wait_for

DB_NAME = "jiangxue_bench_xapi"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings_heartbeats",  # bench.settings + bench/urls.py
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "DEBUG": "0",
}

AGENTS, WORKERS, ACTIVITIES, COURSES = 5_000, 600, 2_000, 50
HR = "https://hr.example.com"
HOMEPAGE = "http://127.0.0.1/xapi/"  # the authority's homePage written by the loader
VERBS = [  # (id, display, share of statements)
    ("http://adlnet.gov/expapi/verbs/experienced", "experienced", 0.40),
    ("http://adlnet.gov/expapi/verbs/attempted", "attempted", 0.20),
    ("http://adlnet.gov/expapi/verbs/completed", "completed", 0.15),
    ("http://adlnet.gov/expapi/verbs/progressed", "progressed", 0.15),
    ("http://adlnet.gov/expapi/verbs/passed", "passed", 0.05),
    ("http://adlnet.gov/expapi/verbs/failed", "failed", 0.05),
]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
QUERY_VERBS = [v[0] for v in VERBS[:3]]
SINCE_DAYS = 180
NONCES = random.SystemRandom()  # statement ids never repeat across runs
BATCH = 50
CLIENTS = {  # key: (secret, can_read_all, scoped to the union)
    "bench-loader": ("loader-secret", True, False),
    "bench-writer": ("writer-secret", True, False),
    "bench-union": ("union-secret", False, True),
}
# Workers 0–299 in enterprise A and 300–449 in enterprise B (both under the
# union the scoped client reads), 450–599 in enterprise C under another union.
ORGS = [("bench-xapi-a", 0, 300), ("bench-xapi-b", 300, 450), ("bench-xapi-c", 450, 600)]


# --- data ---------------------------------------------------------------------


def setup_django(*, fresh: bool) -> None:
    """Create the bench's own database (anew if ``fresh``), set Django up, migrate."""
    os.environ.update(BENCH_ENV)
    sys.path.insert(0, str(ROOT))
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if fresh:
            c.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            c.execute(f"CREATE DATABASE {DB_NAME}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def agent(i: int) -> dict:
    """Agent ``i``: workers (i < WORKERS) by the e-mail of their platform
    account, the others by an HR system account."""
    if i < WORKERS:
        return {
            "objectType": "Agent",
            "name": f"工人{i}",
            "mbox": f"mailto:bench-xapi-{i}@example.org",
        }
    return {
        "objectType": "Agent",
        "name": f"学员{i}",
        "account": {"homePage": HR, "name": f"w{i:05d}"},
    }


def agent_key_of(i: int) -> str:
    from progress.xapi.identity import agent_key

    return agent_key(agent(i))


def activity_id(i: int) -> str:
    return f"https://lms.example.com/activities/{i // (ACTIVITIES // COURSES)}/lesson-{i}"


def course_id(i: int) -> str:
    return f"https://lms.example.com/courses/{i // (ACTIVITIES // COURSES)}"


def ensure_people() -> tuple[dict[int, int], dict[str, object]]:
    """The three enterprises, the workers and the three clients; returns
    {agent index: user id} and {client key: client}."""
    from django.contrib.auth import get_user_model

    from lms.models import Membership
    from lms.services import organisation_create
    from progress.xapi.models import XAPIClient

    User = get_user_model()
    union = organisation_create(name="基准工会", kind="union", code="bench-xapi-union")
    other = organisation_create(name="另一工会", kind="union", code="bench-xapi-other")
    users = {u.email: u.pk for u in User.objects.filter(email__startswith="bench-xapi-")}
    missing = [
        User(username=f"bench-xapi-{i}", email=f"bench-xapi-{i}@example.org")
        for i in range(WORKERS)
        if f"bench-xapi-{i}@example.org" not in users
    ]
    User.objects.bulk_create(missing)
    users = {u.email: u.pk for u in User.objects.filter(email__startswith="bench-xapi-")}
    by_agent = {i: users[f"bench-xapi-{i}@example.org"] for i in range(WORKERS)}
    for code, first, last in ORGS:
        parent = other if code.endswith("-c") else union
        org = organisation_create(name=code, kind="enterprise", code=code, parent=parent)
        Membership.objects.bulk_create(
            [
                Membership(user_id=by_agent[i], organisation=org, role=Membership.Role.WORKER)
                for i in range(first, last)
            ],
            ignore_conflicts=True,
        )
    clients = {}
    for key, (secret, read_all, scoped) in CLIENTS.items():
        client = XAPIClient.objects.filter(key=key).first() or XAPIClient(name=key, key=key)
        client.can_read_all = read_all
        client.organisation = union if scoped else None
        client.set_secret(secret)
        client.save()
        clients[key] = client
    return by_agent, clients


def statement_dict(rng: random.Random, *, a: int, verb: int, act: int, stored: str, ts: str,
                   registration: str, statement_id: str, authority: dict) -> dict:  # fmt: skip
    verb_id, display, _share = VERBS[verb]
    data = {
        "id": statement_id,
        "actor": agent(a),
        "verb": {"id": verb_id, "display": {"en-US": display}},
        "object": {
            "objectType": "Activity",
            "id": activity_id(act),
            "definition": {
                "name": {"en-US": f"Lesson {act}", "zh-CN": f"第{act}课"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "context": {
            "registration": registration,
            "platform": "jiangxue",
            "language": "zh-CN",
            "contextActivities": {"parent": [{"id": course_id(act), "objectType": "Activity"}]},
        },
        "timestamp": ts,
        "stored": stored,
        "authority": authority,
        "version": "1.0.0",
    }
    if verb >= 2:
        data["result"] = {
            "completion": True,
            "success": verb != 5,
            "score": {"scaled": round(rng.random(), 2)},
            "duration": f"PT{rng.randint(60, 3600)}S",
        }
    return data


def _indexes_drop(cursor, tables: list[str]) -> list[str]:
    """Drop every index and unique constraint but the primary keys of
    ``tables``; return the SQL that recreates them."""
    recreate = []
    for table_name in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table_name],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
            recreate.append(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table_name],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            recreate.append(definition)
    return recreate


def fill(count: int, by_agent: dict[int, int], clients: dict) -> float:
    """Load ``count`` statements by the loader client (skipped when they are
    there); returns seconds taken."""
    from django.db import connection, transaction

    from progress.xapi.models import XAPIStatement, XAPIStatementRelation
    from progress.xapi.services.statements import iso

    loader = clients["bench-loader"]
    if XAPIStatement.objects.filter(client=loader).count() == count:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(20261122)
    statements = XAPIStatement._meta.db_table
    relations = XAPIStatementRelation._meta.db_table
    authority = {"objectType": "Agent", "name": loader.name,
                 "account": {"homePage": HOMEPAGE, "name": loader.key}}  # fmt: skip
    authority_key = f"account:{HOMEPAGE}|{loader.key}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = now - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / count
    keys = [agent_key_of(i) for i in range(AGENTS)]
    weights = [v[2] for v in VERBS]
    # A registration per agent and course, fixed by the seed.
    registrations = {}
    ids: list[str] = []
    columns = (
        "statement_id, data, stored, timestamp, verb_id, actor_key, object_activity_id, "
        "object_agent_key, object_statement_id, registration, is_voiding, voided, client_id, "
        "actor_user_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {statements}, {relations}, progress_xapiforward")
        recreate = _indexes_drop(cursor, [statements, relations])
        # Foreign keys are not checked row by row during the load (scratch database).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        with cursor.cursor.copy(f"COPY {statements} ({columns}) FROM STDIN") as copy:
            for n in range(count):
                stored = first + step * n
                stored_text = iso(stored)
                statement_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                ids.append(statement_id)
                # 30 % of statements come from 500 busy agents (not platform
                # workers), the rest from anyone.
                a = 1000 + rng.randrange(500) if rng.random() < 0.3 else rng.randrange(AGENTS)
                if n % 1000 == 999:  # voids a statement stored a little earlier
                    target = ids[n - rng.randint(1, 900)]
                    data = {
                        "id": statement_id,
                        "actor": agent(a),
                        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
                        "object": {"objectType": "StatementRef", "id": target},
                        "timestamp": stored_text,
                        "stored": stored_text,
                        "authority": authority,
                        "version": "1.0.0",
                    }
                    row = (statement_id, json.dumps(data), stored, stored, VOIDED, keys[a], "",
                           "", target, None, True, False, loader.pk, by_agent.get(a))  # fmt: skip
                else:
                    verb = rng.choices(range(len(VERBS)), weights)[0]
                    act = rng.randrange(ACTIVITIES)
                    course = act // (ACTIVITIES // COURSES)
                    registration = registrations.setdefault(
                        (a, course), str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    )
                    timestamp = stored - dt.timedelta(seconds=rng.randint(0, 600))
                    data = statement_dict(
                        rng,
                        a=a,
                        verb=verb,
                        act=act,
                        stored=stored_text,
                        ts=iso(timestamp),
                        registration=registration,
                        statement_id=statement_id,
                        authority=authority,
                    )
                    row = (statement_id, json.dumps(data, ensure_ascii=False), stored, timestamp,
                           VERBS[verb][0], keys[a], activity_id(act), "", None, registration,
                           False, False, loader.pk, by_agent.get(a))  # fmt: skip
                copy.write_row(row)
        print(f"  statements copied ({time.perf_counter() - started:.0f} s)", flush=True)
        # The relation rows progress.xapi.identity.statement_relations gives
        # these statements: actor and object (direct), parent course and
        # authority (related).
        cursor.execute(
            f"INSERT INTO {relations} (statement_id, kind, key, direct, stored) "
            f"SELECT id, 'agent', actor_key, true, stored FROM {statements} "
            f"UNION ALL SELECT id, 'activity', object_activity_id, true, stored FROM {statements} "
            "WHERE object_activity_id <> '' "
            "UNION ALL SELECT id, 'activity', "
            "data #>> '{context,contextActivities,parent,0,id}', "
            f"false, stored FROM {statements} WHERE data ? 'context' "
            f"UNION ALL SELECT id, 'agent', %s, false, stored FROM {statements}",
            [authority_key],
        )
        cursor.execute(
            f"UPDATE {statements} t SET voided = true FROM {statements} v "
            "WHERE v.is_voiding AND v.object_statement_id = t.statement_id AND NOT t.is_voiding"
        )
        print(f"  relations and voiding ({time.perf_counter() - started:.0f} s)", flush=True)
        for sql in recreate:
            cursor.execute(sql)
        print(f"  indexes built ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {statements}")
        cursor.execute(f"VACUUM ANALYZE {relations}")
    return time.perf_counter() - started


def verify_relations_sample() -> None:
    """The SQL-derived relation rows of a sample of loaded statements are
    exactly what the store would write (identity.statement_relations)."""
    from progress.xapi.identity import statement_relations
    from progress.xapi.models import XAPIStatement

    sample = XAPIStatement.objects.filter(client__key="bench-loader").order_by("?")[:50]
    for row in sample.prefetch_related("relations"):
        got = {(r.kind, r.key, r.direct) for r in row.relations.all()}
        assert got == statement_relations(row.data), (row.statement_id, got)


# --- server and load ------------------------------------------------------------


def basic(key: str) -> str:
    token = base64.b64encode(f"{key}:{CLIENTS[key][0]}".encode()).decode()
    return f"Basic {token}"


def lua(value) -> str:
    """A Python value as a Lua literal (dicts, lists, str, int, float)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{\n" + ",\n".join(lua(v) for v in value) + "}"
    if isinstance(value, str):
        # ASCII only here (agents are written as JSON escapes): JSON quoting is Lua quoting.
        return json.dumps(value)
    return repr(value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, config: str) -> subprocess.Popen:
    kind, _, size = config.partition(":")
    if kind == "sync":
        options = ["--worker-class", "sync", "--workers", size]
    else:
        workers, _, threads = size.partition("x")
        options = ["--worker-class", "gthread", "--workers", workers, "--threads", threads]
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ, **BENCH_ENV, PYTHONPATH=str(ROOT)),
    )
    wait_for(port)
    return process


def run_wrk(url: str, script: str, config: dict, *, seconds: int, connections: int,
            threads: int) -> dict:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as cfg:
        cfg.write("return " + lua({**config, "threads": threads}) + "\n")
        cfg.flush()
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / script),
            url,
            "--",
            cfg.name,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    if done.stderr.strip():
        print("    wrk: " + done.stderr.strip().replace("\n", "\n    wrk: "), flush=True)
    output = done.stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def get_paths(rng: random.Random, count: int, *, workers_of_union: bool) -> list[str]:
    """GET paths with agent + verb + since: agents drawn among those with
    statements (for the scoped client, among its union's workers)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=SINCE_DAYS)
    since_text = since.isoformat(timespec="seconds").replace("+00:00", "Z")
    paths = []
    for _ in range(count):
        a = rng.randrange(450) if workers_of_union else rng.randrange(AGENTS)
        params = {
            "agent": json.dumps(agent(a)),  # ensure_ascii: the Lua literal stays ASCII
            "verb": rng.choice(QUERY_VERBS),
            "since": since_text,
        }
        paths.append("/xapi/statements?" + urllib.parse.urlencode(params))
    return paths


def post_config(target: str, nonce: int) -> dict:
    return {
        "target": target,
        "path": "/xapi/statements" if target == "xapi" else "/bench/xapi-floor/",
        "auth": basic("bench-writer"),
        "nonce": nonce,
        "batch": BATCH,
        "agents": [json.dumps(agent(i)) for i in range(AGENTS)],
        "verbs": [v[0] for v in VERBS],
        "displays": [v[1] for v in VERBS],
        "activities": ACTIVITIES,
        "per_course": ACTIVITIES // COURSES,
    }


def more_chain(port: int, path: str, depth: int) -> list[float]:
    """Follow a query's ``more`` links ``depth`` pages deep on one keep-alive
    connection; seconds per page."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": basic("bench-loader"), "X-Experience-API-Version": "1.0.3"}
    times = []
    for _ in range(depth):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = json.loads(response.read())
        times.append(time.perf_counter() - started)
        assert response.status == 200, body
        assert body["statements"] and body["more"], "the chain ended early"
        path = body["more"]
    connection.close()
    return times


def measure(config: str, args) -> dict:
    """Alternating floor/POST runs, then GET runs, on one gunicorn configuration."""
    port = free_port()
    server = start_server(port, config)
    url = f"http://127.0.0.1:{port}"
    rng = random.Random(7)
    results = {"floor": [], "post": [], "get": [], "scoped": [], "more": []}
    get_config = {"paths": get_paths(rng, 2000, workers_of_union=False),
                  "auth": basic("bench-loader")}  # fmt: skip
    scoped_config = {"paths": get_paths(rng, 2000, workers_of_union=True),
                     "auth": basic("bench-union")}  # fmt: skip
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=SINCE_DAYS)
    try:
        for round_ in range(-1, args.rounds):  # round -1: warm-up, not counted
            seconds = 3 if round_ < 0 else args.seconds
            runs = [
                ("floor", "xapi_post.lua", post_config("floor", NONCES.getrandbits(31))),
                ("post", "xapi_post.lua", post_config("xapi", NONCES.getrandbits(31))),
                ("get", "xapi_get.lua", get_config),
                ("scoped", "xapi_get.lua", scoped_config),
            ]
            for name, script, cfg in runs:
                result = run_wrk(url, script, cfg, seconds=seconds,
                                 connections=args.connections, threads=args.threads)  # fmt: skip
                if round_ < 0:
                    continue
                results[name].append(result)
                print(
                    f"  {config} round {round_ + 1} {name}: {result['rps']:.0f} req/s, "
                    f"p50 {result['p50_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms, "
                    f"non-2xx {result['status_other']}, socket errors {result['socket_errors']}, "
                    f"statements/response {result['items'] / max(result['requests'], 1):.1f}",
                    flush=True,
                )
            verb = QUERY_VERBS[round_ % len(QUERY_VERBS)]
            path = "/xapi/statements?" + urllib.parse.urlencode(
                {"verb": verb, "since": since.isoformat(timespec="seconds")}
            )
            # Let the server finish what wrk left in flight before timing page 1.
            time.sleep(3)
            times = more_chain(port, path, args.depth)
            if round_ >= 0:
                results["more"].append(times)
                print(
                    f"  {config} round {round_ + 1} more: page 1 {times[0] * 1000:.1f} ms, "
                    f"page {args.depth} {times[-1] * 1000:.1f} ms, "
                    f"median of pages 2–{args.depth} {statistics.median(times[1:]) * 1000:.1f} ms",
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    return results


def explain_main_get() -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each SQL statement the main GET runs
    (agent + verb + since), for the client that reads everything and for the
    union-scoped one (one of its workers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from progress.xapi import selectors
    from progress.xapi.models import XAPIClient

    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=SINCE_DAYS)
    out = []
    for key, who in (("bench-loader", 3123), ("bench-union", 123)):
        client = XAPIClient.objects.select_related("organisation").get(key=key)
        params = {
            "agent": json.dumps(agent(who)),
            "verb": QUERY_VERBS[0],
            "since": since.isoformat(timespec="seconds"),
        }
        query = selectors.statement_query_parse(params=params)
        with CaptureQueriesContext(connection) as captured:
            rows, _more = selectors.statements_query(client=client, query=query)
        out.append(f"--- {key}, agent {who}: {len(rows)} statements, {len(captured)} queries")
        with connection.cursor() as cursor:
            for executed in captured.captured_queries:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + executed["sql"])
                out.append(executed["sql"])
                out.append("\n".join(r[0] for r in cursor.fetchall()))
    return "\n\n".join(out)


def in_process(count: int) -> list[list]:
    """The same requests through the whole Django stack in this process
    (Django's test client, no server, one at a time): median wall and CPU ms
    per request, and SQL queries per request. CPU time does not depend on
    what else runs on the machine, so it is the figure to compare."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(11)
    client = Client()
    floor_body = json.dumps([statement_dict(
        rng, a=i, verb=i % len(VERBS), act=i, stored="", ts="2026-01-01T00:00:00Z",
        registration=str(uuid.uuid4()), statement_id=str(uuid.uuid4()), authority={},
    ) for i in range(BATCH)])  # fmt: skip

    def post_body() -> str:
        batch = []
        for _ in range(BATCH):
            data = statement_dict(
                rng,
                a=rng.randrange(AGENTS),
                verb=rng.randrange(len(VERBS)),
                act=rng.randrange(ACTIVITIES),
                stored="",
                ts=iso_now(),
                registration=str(uuid.uuid4()),
                statement_id=str(uuid.uuid4()),
                authority={},
            )
            for name in ("stored", "authority", "version"):
                del data[name]
            batch.append(data)
        return json.dumps(batch)

    def auth(key):
        return {"HTTP_AUTHORIZATION": basic(key), "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}

    all_paths = get_paths(rng, count, workers_of_union=False)
    scoped_paths = get_paths(rng, count, workers_of_union=True)
    kinds = [
        ("floor: POST batch of 50", lambda i: client.post(
            "/bench/xapi-floor/", floor_body, content_type="application/json",
            **auth("bench-writer"))),
        ("POST batch of 50", lambda i: client.post(
            "/xapi/statements", post_body(), content_type="application/json",
            **auth("bench-writer"))),
        ("GET agent + verb + since (reads all)",
         lambda i: client.get(all_paths[i], **auth("bench-loader"))),
        ("GET agent + verb + since (union-scoped)",
         lambda i: client.get(scoped_paths[i], **auth("bench-union"))),
    ]  # fmt: skip
    rows = []
    for label, send in kinds:
        send(0)  # warm
        wall, cpu, queries = [], [], []
        for i in range(count):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = send(i)
                wall.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code in (200, 204), response.content[:300]
            queries.append(len(captured))
        rows.append(
            [
                label,
                f"{statistics.median(wall) * 1000:.1f}",
                f"{statistics.median(cpu) * 1000:.1f}",
                f"{statistics.median(queries):.0f}",
            ]
        )
    return rows


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def secret_check_cost() -> tuple[float, float]:
    """Median ms of one client secret check as the LRS does it (a SHA-256
    digest, ``XAPIClient.check_secret``) and as it did before 0091628 (a
    Django PBKDF2 password hash)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from progress.models import XAPIClient

    client = XAPIClient(key="cost")
    client.set_secret("writer-secret")
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode("writer-secret", hasher.salt())
    timings = []
    for check in (
        lambda: client.check_secret("writer-secret"),
        lambda: hasher.verify("writer-secret", encoded),
    ):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            assert check()
            samples.append(time.perf_counter() - started)
        timings.append(statistics.median(samples) * 1000)
    return timings[0], timings[1]


def summarise(config: str, results: dict) -> list[list]:
    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    ratio = statistics.median(
        p["rps"] / f["rps"] for f, p in zip(results["floor"], results["post"], strict=True)
    )
    rows = []
    for name, label in (
        ("floor", "floor: POST batch of 50, JSON parsed, 204"),
        ("post", "POST /xapi/statements, batch of 50"),
        ("get", "GET agent + verb + since (reads all)"),
        ("scoped", "GET agent + verb + since (union-scoped client)"),
    ):
        per_request = BATCH if name in ("floor", "post") else None
        items = statistics.median(r["items"] / max(r["requests"], 1) for r in results[name])
        bad = sum(r["status_other"] + r["socket_errors"] for r in results[name])
        rows.append(
            [
                f"{config}: {label}",
                f"{med(name, 'rps'):.0f}",
                f"{med(name, 'rps') * per_request:,.0f}" if per_request else "–",
                f"{med(name, 'p50_us') / 1000:.1f}",
                f"{med(name, 'p99_us') / 1000:.1f}",
                f"{ratio:.2f}" if name == "post" else "–",
                "–" if per_request else f"{items:.1f}",
                str(bad),
            ]
        )
    pages = results["more"]
    first = statistics.median(t[0] for t in pages) * 1000
    deep = statistics.median(t[-1] for t in pages) * 1000
    middle = statistics.median(statistics.median(t[1:]) for t in pages) * 1000
    rows.append(
        [
            f"{config}: more chain (verb + since), one client, page 1 / 2–50 / 50",
            "–",
            "–",
            f"{first:.1f} / {middle:.1f} / {deep:.1f}",
            "–",
            "–",
            "500",
            "0",
        ]
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--depth", type=int, default=50, help="pages of the more chain")
    parser.add_argument("--config", nargs="+", default=["gthread:2x8"])
    parser.add_argument("--reload", action="store_true", help="drop the database first")
    parser.add_argument("--in-process", type=int, default=200, help="requests per kind, in process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian/Ubuntu)")
    setup_django(fresh=args.reload)
    by_agent, clients = ensure_people()
    filled = fill(args.statements, by_agent, clients)
    if filled:
        print(f"loaded {args.statements:,} statements in {filled:.0f} s", flush=True)
    verify_relations_sample()
    print(explain_main_get(), flush=True)
    load = os.getloadavg()
    rows = []
    for config in args.config:
        rows += summarise(config, measure(config, args))
    digest, pbkdf2 = secret_check_cost()
    cpu_rows = in_process(args.in_process)
    print()
    print(
        table(
            [
                "gunicorn: request",
                "req/s",
                "statements stored/s",
                "p50 ms",
                "p99 ms",
                "ratio to floor (per round)",
                "statements per response",
                "non-2xx + socket errors",
            ],
            rows,
        )
    )
    print()
    print(
        table(
            ["in process, one at a time (median of " + str(args.in_process) + ")",
             "wall ms", "CPU ms (Django process)", "SQL queries"],
            cpu_rows,
        )
    )  # fmt: skip
    print(
        f"\n{args.connections} wrk connections, {args.rounds} rounds of {args.seconds} s, "
        f"medians; load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. "
        f"Client secret check per request: {digest:.3f} ms (SHA-256 digest, as stored), "
        f"{pbkdf2:.0f} ms with a PBKDF2 password hash (before 0091628)."
    )


if __name__ == "__main__":
    sys.exit(main())
