"""Forwarding the platform's statements to an external LRS
(``services.forwarding``): the outbox keeps statements while the receiver is
down and delivers each exactly once when it is back; retries back off; after
too many failures a statement is a dead letter that an admin revives.

The external LRS is a stand-in: a small HTTP server on a loopback port that
speaks the Statement resource (POST a batch, PUT one) and counts what it
receives. It is an external system, so a stand-in is what a test can run."""

import base64
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import transaction
from django.utils import timezone

from progress import services
from progress.tasks import xapi_forwards_deliver
from progress.xapi import platform
from progress.xapi import services as xapi_services
from progress.xapi.models import XAPIForward, XAPIStatement
from tests.lms.factories import UserFactory
from tests.progress import factories
from tests.progress.factories import worker_create

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …

USERNAME, PASSWORD = "jiangxue", "forward-secret"


class StandInLRS:
    """A tiny external LRS. ``mode`` decides its answers: "ok" (a conformant
    LRS), "error" (503 to everything), "conflict" (409 to any batch holding a
    statement it already has, as some LRSs answer), "refuse:<id>" (400 to a
    batch or PUT holding that statement)."""

    def __init__(self):
        self.received: dict[str, int] = {}  # statement id -> times stored or resent
        self.requests: list[tuple[str, int]] = []  # (method, status)
        self.mode = "ok"
        self.server = None
        self.port = 0

    def start(self):
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                lrs.requests.append((self.command, status))

            def _read(self):
                expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return 401, None
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return 400, None
                if urlparse(self.path).path != "/xapi/statements":
                    return 404, None
                length = int(self.headers.get("Content-Length", 0))
                return None, json.loads(self.rfile.read(length))

            def do_POST(self):
                status, batch = self._read()
                if status:
                    return self._answer(status)
                ids = [s["id"] for s in batch]
                if lrs.mode == "error":
                    return self._answer(503, {"error": "maintenance"})
                if lrs.mode.startswith("refuse:") and lrs.mode[7:] in ids:
                    return self._answer(400, {"error": "bad statement"})
                if lrs.mode == "conflict" and any(i in lrs.received for i in ids):
                    return self._answer(409, {"error": "already have one of these"})
                for statement_id in ids:
                    lrs.received[statement_id] = lrs.received.get(statement_id, 0) + 1
                return self._answer(200, ids)

            def do_PUT(self):
                status, statement = self._read()
                if status:
                    return self._answer(status)
                statement_id = parse_qs(urlparse(self.path).query)["statementId"][0]
                assert statement_id == statement["id"]
                if lrs.mode == "error":
                    return self._answer(503)
                if lrs.mode == f"refuse:{statement_id}":
                    return self._answer(400, {"error": "bad statement"})
                if statement_id in lrs.received:
                    return self._answer(409, {"error": "already stored"})
                lrs.received[statement_id] = 1
                return self._answer(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"


@pytest.fixture
def lrs(settings):
    server = StandInLRS()
    server.start()
    settings.XAPI_FORWARD_URL = server.url
    settings.XAPI_FORWARD_USERNAME = USERNAME
    settings.XAPI_FORWARD_PASSWORD = PASSWORD
    settings.XAPI_FORWARD_TIMEOUT = 2
    settings.XAPI_FORWARD_BATCH_SIZE = 3
    settings.XAPI_FORWARD_MAX_ATTEMPTS = 4
    yield server
    if server.server is not None:
        try:
            server.stop()
        except OSError:
            pass


@pytest.fixture
def facts(lrs, course, enterprise):
    """Five statements in the outbox: five workers enrol."""
    for _ in range(5):
        services.enrolment_create(user=worker_create(organisation=enterprise), course=course)
    assert XAPIForward.objects.count() == 5
    return [str(i) for i in XAPIStatement.objects.values_list("statement_id", flat=True)]


def make_due():
    """Let the clock reach every scheduled retry (the test's time machine)."""
    XAPIForward.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def pending() -> int:
    return XAPIForward.objects.filter(delivered_at__isnull=True, dead=False).count()


def test_delivered_in_batches_exactly_once(lrs, facts):
    report = xapi_services.forwards_deliver(limit=100)

    assert report == xapi_services.DeliveryReport(delivered=5)
    assert lrs.received == dict.fromkeys(facts, 1)
    assert lrs.requests == [("POST", 200), ("POST", 200)]  # batches of 3 and 2
    assert pending() == 0
    assert not XAPIForward.objects.filter(delivered_at__isnull=True).exists()
    # Nothing is sent twice.
    make_due()
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport()
    assert len(lrs.requests) == 2


def test_the_outbox_keeps_statements_while_the_receiver_is_down(lrs, facts):
    lrs.stop()

    report = xapi_services.forwards_deliver()

    assert report == xapi_services.DeliveryReport(failed=5)
    assert pending() == 5
    for row in XAPIForward.objects.all():
        assert row.attempts == 1
        assert "ConnectionError" in row.last_error
        assert row.next_attempt_at > timezone.now()
    # Not due yet: a second run sends nothing and changes nothing.
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport()
    assert set(XAPIForward.objects.values_list("attempts", flat=True)) == {1}

    lrs.start()  # back, on the same port
    make_due()
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(delivered=5)
    assert lrs.received == dict.fromkeys(facts, 1)
    assert pending() == 0


def test_retries_back_off_exponentially_with_jitter(lrs, facts, settings):
    settings.XAPI_FORWARD_MAX_ATTEMPTS = 10
    lrs.mode = "error"
    delays = []
    for _ in range(4):
        make_due()
        before = timezone.now()
        xapi_services.forwards_deliver()
        row = XAPIForward.objects.order_by("pk").first()
        delays.append((row.next_attempt_at - before).total_seconds())
    base = settings.XAPI_FORWARD_BACKOFF_SECONDS
    for attempt, delay in enumerate(delays, start=1):
        full = base * 2 ** (attempt - 1)
        assert full / 2 - 1 <= delay <= full + 1
    assert delays[3] > delays[0] * 2
    assert row.attempts == 4 and row.last_error.startswith("HTTP 503")

    for attempts in range(1, 30):
        delay = xapi_services.forward_retry_delay(attempts)
        ceiling = min(settings.XAPI_FORWARD_BACKOFF_MAX_SECONDS, base * 2 ** (attempts - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_dead_after_max_attempts_and_the_retry_revives(lrs, facts):
    lrs.mode = "error"
    for _ in range(4):
        make_due()
        xapi_services.forwards_deliver()
    assert XAPIForward.objects.filter(dead=True).count() == 5
    assert set(XAPIForward.objects.values_list("attempts", flat=True)) == {4}
    sent = len(lrs.requests)
    make_due()
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport()
    assert len(lrs.requests) == sent  # dead letters are not sent

    lrs.mode = "ok"
    first = XAPIForward.objects.order_by("pk").first()
    assert xapi_services.forwards_retry_dead(ids=[first.pk]) == 1
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(delivered=1)
    assert xapi_services.forwards_retry_dead() == 4
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(delivered=4)
    assert lrs.received == dict.fromkeys(facts, 1)


def test_a_refused_batch_is_sent_one_by_one(lrs, facts):
    """409 on a batch (the receiver already had one of its statements, e.g.
    after a crash between its answer and our commit): each is PUT alone; the
    409 for the one it has counts as delivered."""
    lrs.received[facts[0]] = 1
    lrs.mode = "conflict"

    report = xapi_services.forwards_deliver()

    assert report == xapi_services.DeliveryReport(delivered=5)
    assert lrs.received == dict.fromkeys(facts, 1)
    assert lrs.requests[0] == ("POST", 409)
    assert ("PUT", 409) in lrs.requests
    known = XAPIForward.objects.get(statement__statement_id=facts[0])
    assert known.delivered_at is not None and "409" in known.last_error


def test_a_statement_the_receiver_refuses_is_a_dead_letter_at_once(lrs, facts):
    lrs.mode = f"refuse:{facts[1]}"

    report = xapi_services.forwards_deliver()

    assert report == xapi_services.DeliveryReport(delivered=4, dead=1)
    refused = XAPIForward.objects.get(statement__statement_id=facts[1])
    assert refused.dead and refused.attempts == 1
    assert refused.last_error.startswith("HTTP 400")
    assert facts[1] not in lrs.received


def test_wrong_credentials_are_retried_not_lost(lrs, facts, settings):
    settings.XAPI_FORWARD_PASSWORD = "wrong"
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(failed=5)
    assert set(XAPIForward.objects.values_list("last_error", flat=True)) == {"HTTP 401: "}


@pytest.mark.django_db(transaction=True)
def test_rows_another_worker_holds_are_skipped(lrs, django_db_blocker):
    """Rows are claimed with SKIP LOCKED: while another worker's transaction
    holds some, a delivery run sends the others, and the held ones later.
    (Committed rows, so that the other connection sees them: the statements
    are made without pages, which a transactional test's flush removes.)"""
    from django.db import connection

    user = UserFactory()
    xapi_services.platform_statements_record(
        statements=[
            platform.daily_checkin(user_id=user.pk, url="/learning/checkin/daily/", when=now)
            for now in (timezone.now() - dt.timedelta(days=d) for d in range(5))
        ]
    )
    facts = [str(i) for i in XAPIStatement.objects.values_list("statement_id", flat=True)]
    held: list[int] = []
    ready, release = threading.Event(), threading.Event()

    def other_worker():
        with django_db_blocker.unblock():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT id FROM progress_xapiforward ORDER BY id LIMIT 2 FOR UPDATE"
                    )
                    held.extend(row[0] for row in cursor.fetchall())
                    ready.set()
                    release.wait(10)
            finally:
                connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert ready.wait(10)
        report = xapi_services.forwards_deliver()
    finally:
        release.set()
        thread.join()
    assert len(held) == 2 and report == xapi_services.DeliveryReport(delivered=3)
    held_ids = {
        str(i)
        for i in XAPIForward.objects.filter(pk__in=held).values_list(
            "statement__statement_id", flat=True
        )
    }
    assert held_ids.isdisjoint(lrs.received)
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(delivered=2)
    assert lrs.received == dict.fromkeys(facts, 1)


def test_the_beat_task_delivers(lrs, facts, settings):
    assert settings.CELERY_BEAT_SCHEDULE["xapi-forwards-deliver"]["task"] == (
        "progress.tasks.xapi_forwards_deliver"
    )
    assert xapi_forwards_deliver.delay().get() == 5
    assert lrs.received == dict.fromkeys(facts, 1)


def test_nothing_is_queued_or_sent_without_a_receiver(settings, worker, course):
    settings.XAPI_FORWARD_URL = ""
    services.enrolment_create(user=worker, course=course)
    assert XAPIStatement.objects.count() == 1
    assert XAPIForward.objects.count() == 0
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport()


# --- the Wagtail admin ------------------------------------------------------------------


@pytest.fixture
def platform_admin(client, django_user_model, enterprise):
    from lms.models import Membership
    from lms.services import membership_grant
    from tests.courses.conftest import staff_login
    from tests.lms.factories import UserFactory

    user = UserFactory(is_staff=True)
    membership_grant(user=user, organisation=enterprise, role=Membership.Role.PLATFORM_ADMIN)
    staff_login(client, user)
    return client


def test_admins_see_dead_letters_and_revive_them(lrs, facts, platform_admin):
    lrs.mode = "error"
    for _ in range(4):
        make_due()
        xapi_services.forwards_deliver()
    assert XAPIForward.objects.filter(dead=True).count() == 5

    listing = platform_admin.get(
        "/admin/xapi-forwards/?state=dead", headers={"accept-language": "en"}
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert facts[0] in html and "HTTP 503" in html and "dead letter" in html
    confirm = platform_admin.get("/admin/xapi-forwards/retry/", headers={"accept-language": "en"})
    assert (
        confirm.status_code == 200
        and "5 statements could not be delivered" in confirm.content.decode()
    )

    one = XAPIForward.objects.order_by("pk").first()
    assert f"/admin/xapi-forwards/retry/?id={one.pk}" in html  # a row's own retry
    response = platform_admin.post(f"/admin/xapi-forwards/retry/?id={one.pk}")
    assert response.status_code == 302
    assert list(XAPIForward.objects.filter(dead=False).values_list("pk", flat=True)) == [one.pk]

    response = platform_admin.post("/admin/xapi-forwards/retry/")
    assert response.status_code == 302
    assert not XAPIForward.objects.filter(dead=True).exists()
    assert set(XAPIForward.objects.values_list("attempts", flat=True)) == {0}
    lrs.mode = "ok"
    assert xapi_services.forwards_deliver() == xapi_services.DeliveryReport(delivered=5)


def test_other_staff_cannot_see_or_retry(lrs, facts, client, instructor):
    from tests.courses.conftest import staff_login

    lrs.mode = "error"
    for _ in range(4):
        make_due()
        xapi_services.forwards_deliver()
    staff_login(client, instructor)
    assert client.get("/admin/xapi-forwards/").status_code in (302, 403)
    assert client.post("/admin/xapi-forwards/retry/").status_code in (302, 403)
    assert client.get("/admin/xapi-clients/new/").status_code in (302, 403)
    assert XAPIForward.objects.filter(dead=True).count() == 5


def test_a_new_client_shows_its_secret_once_and_it_works(platform_admin, client):
    from progress.xapi.models import XAPIClient

    response = platform_admin.post(
        "/admin/xapi-clients/new/",
        {"name": "总工会数据仓库", "active": "on", "can_write": "", "can_read_all": "on"},
    )
    assert response.status_code == 200, response.content
    html = response.content.decode()
    created = XAPIClient.objects.get()
    assert (created.name, created.can_write, created.can_read_all) == (
        "总工会数据仓库",
        False,
        True,
    )
    secret = html.split("data-xapi-secret>")[1].split("<")[0]
    assert created.check_secret(secret) and secret not in created.secret_hash
    token = base64.b64encode(f"{created.key}:{secret}".encode()).decode()
    about = client.get(
        "/xapi/statements",
        HTTP_AUTHORIZATION=f"Basic {token}",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert about.status_code == 200
    # The list and the edit page never show it again.
    assert secret not in platform_admin.get("/admin/xapi-clients/").content.decode()
    edit = platform_admin.get(f"/admin/xapi-clients/edit/{created.pk}/")
    assert edit.status_code == 200 and secret not in edit.content.decode()
