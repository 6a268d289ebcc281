"""The platform's own facts as xAPI statements (``progress.xapi.platform`` and
``services.outbox``): one statement per ledger fact, in the fact's
transaction, readable through the LRS; client statements change no progress.
Real PostgreSQL and Redis."""

import base64
import datetime as dt
import json
import re
import time
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lms.exceptions import ApplicationError
from lms.models import LedgerEntry
from media_pipeline.models import VideoAsset
from progress import selectors, services
from progress.models import Enrolment, LessonProgress
from progress.xapi import platform
from progress.xapi.identity import agent_key
from progress.xapi.models import XAPIClient, XAPIForward, XAPIStatement, XAPIStatementRelation
from progress.xapi.validation import statement_validate
from tests.progress import factories

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …

BASE = "https://jx.example.org"
HOMEPAGE = "https://jx.example.org/"
ADL = "http://adlnet.gov/expapi/verbs/"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def xapi_settings(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.XAPI_ACCOUNT_HOMEPAGE = HOMEPAGE
    settings.XAPI_FORWARD_URL = ""
    with translation.override("en"):
        yield settings


def statements(verb: str | None = None) -> list[dict]:
    rows = XAPIStatement.objects.order_by("id")
    if verb:
        rows = rows.filter(verb_id=ADL + verb)
    return [row.data for row in rows]


def worker_actor(user) -> dict:
    return {"objectType": "Agent", "account": {"homePage": HOMEPAGE, "name": str(user.pk)}}


def assert_platform_statement(data: dict) -> None:
    """Valid xAPI 1.0.3 as stored: id, stored, the platform as authority."""
    assert statement_validate(json.loads(json.dumps(data))) == data
    uuid.UUID(data["id"])
    assert data["stored"].endswith("Z") and data["version"] == "1.0.3"
    assert data["authority"] == {
        "objectType": "Agent",
        "name": "Jiangxue",
        "account": {"homePage": HOMEPAGE, "name": "jiangxue"},
    }


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- enrolment and withdrawal -------------------------------------------------------


def test_enrolment_is_a_registered_statement(worker, course):
    """Actor is the worker's account (user id, no name or phone), the object
    the course page's absolute URL, the registration the enrolment's UUID."""
    enrolment = services.enrolment_create(user=worker, course=course)

    [data] = statements()
    assert_platform_statement(data)
    assert data["actor"] == worker_actor(worker)
    assert worker.phone not in json.dumps(data) and "王师傅" not in json.dumps(data)
    assert data["verb"]["id"] == ADL + "registered"
    assert data["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/courses/welder/arc/",
        "definition": {
            "name": {"zh-CN": "手工电弧焊入门"},
            "type": "http://adlnet.gov/expapi/activities/course",
        },
    }
    assert data["context"] == {"registration": str(enrolment.pk), "platform": "Jiangxue"}
    assert instant(data["timestamp"]) == enrolment.enrolled_at
    row = XAPIStatement.objects.get()
    assert (row.actor_user, row.client, row.registration) == (worker, None, enrolment.pk)
    assert row.object_activity_id == f"{BASE}/courses/welder/arc/"
    keys = set(row.relations.values_list("kind", "key", "direct"))
    assert ("agent", agent_key(worker_actor(worker)), True) in keys
    assert ("activity", f"{BASE}/courses/welder/arc/", True) in keys


def test_withdrawal_is_an_exited_statement(worker, course):
    enrolment = services.enrolment_create(user=worker, course=course)
    enrolment = services.enrolment_withdraw(enrolment=enrolment, actor=worker, reason="换工作")

    data = statements("exited")[0]
    assert_platform_statement(data)
    assert data["actor"] == worker_actor(worker)
    assert data["object"]["id"] == f"{BASE}/courses/welder/arc/"
    assert data["context"]["registration"] == str(enrolment.pk)
    assert instant(data["timestamp"]) == enrolment.withdrawn_at
    assert XAPIStatement.objects.count() == LedgerEntry.objects.filter(chain="progress").count()


def test_a_refused_enrolment_writes_no_statement(worker, course):
    services.enrolment_create(user=worker, course=course)
    with pytest.raises(ApplicationError):
        services.enrolment_create(user=worker, course=course)  # already enrolled
    assert len(statements()) == 1


def test_a_fact_rolled_back_leaves_no_statement(worker, course):
    """The statement is written in the fact's transaction: when the
    enrolment rolls back, so does its statement (and its outbox row)."""

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.enrolment_create(user=worker, course=course)
        assert XAPIStatement.objects.count() == 1
        raise Abort
    assert Enrolment.objects.count() == 0
    assert XAPIStatement.objects.count() == 0
    assert XAPIStatementRelation.objects.count() == 0


def test_outbox_rows_only_when_a_receiver_is_configured(worker, course, xapi_settings):
    enrolment = services.enrolment_create(user=worker, course=course)
    assert XAPIForward.objects.count() == 0

    xapi_settings.XAPI_FORWARD_URL = "http://127.0.0.1:9/xapi/"
    services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    [forward] = XAPIForward.objects.all()
    assert forward.statement.verb_id == ADL + "exited"
    assert (forward.attempts, forward.delivered_at, forward.dead) == (0, None, False)


# --- check-ins ------------------------------------------------------------------------


def test_daily_checkin_is_an_attended_statement(worker):
    now = dt.datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    services.daily_checkin_create(user=worker, now=now)
    services.daily_checkin_create(user=worker, now=now + dt.timedelta(hours=1))  # same day

    [data] = statements()
    assert_platform_statement(data)
    assert data["actor"] == worker_actor(worker)
    assert data["verb"]["id"] == ADL + "attended"
    assert data["object"]["id"] == f"{BASE}/learning/checkin/daily/"
    assert instant(data["timestamp"]) == now


def test_class_checkin_is_attending_a_meeting_of_the_course(
    worker, course, instructor, xapi_settings
):
    xapi_settings.PROGRESS_CHECKIN_ROTATE_SECONDS = 10
    now = dt.datetime.fromtimestamp(178_000_000 * 10 + 1, tz=UTC)
    enrolment = services.enrolment_create(user=worker, course=course)
    course.instructors = [instructor]
    course.save()
    session = services.class_session_create(
        actor=instructor,
        course=course,
        title="焊接实操第一课",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
    )
    token = selectors.class_session_token_get(session=session, now=now)
    services.class_checkin_create(user=worker, session=session, token=token, now=now)

    data = statements("attended")[0]
    assert_platform_statement(data)
    assert data["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/learning/checkin/{session.pk}/",
        "definition": {
            "name": {"zh-CN": "焊接实操第一课"},
            "type": "http://adlnet.gov/expapi/activities/meeting",
        },
    }
    assert data["context"]["registration"] == str(enrolment.pk)
    assert [a["id"] for a in data["context"]["contextActivities"]["parent"]] == [
        f"{BASE}/courses/welder/arc/"
    ]
    assert instant(data["timestamp"]) == now


# --- study: credited time and presence prompts ---------------------------------------


@pytest.fixture
def video_lesson(course, make_lesson):
    asset = VideoAsset.objects.create(
        title="平焊", status=VideoAsset.Status.READY, published_version="v1", duration=120.0
    )
    return make_lesson(parent=course, title="平焊", slug="flat", video=asset)


@pytest.fixture
def player(worker, course, video_lesson):
    services.enrolment_create(user=worker, course=course)
    client = Client(headers={"accept-language": "en"})
    client.force_login(worker)
    return client


def start(client, lesson) -> dict:
    response = client.post(reverse("progress-session-start", args=[lesson.pk]))
    assert response.status_code == 201, response.content
    return response.json()


def beat(client, started, **fields):
    body = {"position": 0, "rate": 1.0, "playing": True, "visible": True, "event": "tick"}
    body.update(fields)
    return client.post(
        reverse("progress-heartbeat", args=[started["session"]]),
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Study-Token": started["token"]},
    )


def test_credited_study_is_a_progressed_statement_with_its_duration(
    player, worker, course, video_lesson
):
    started = start(player, video_lesson)
    beat(player, started, seq=1, position=0, event="play")
    for seq in range(2, 6):
        time.sleep(0.25)
        beat(player, started, seq=seq, position=(seq - 1) * 0.25)
    services.heartbeats_flush()
    assert services.play_sessions_summarise(idle_seconds=0) == 1

    [data] = statements("progressed")
    entry = LedgerEntry.objects.get(kind="progress.study.credited")
    assert_platform_statement(data)
    assert data["actor"] == worker_actor(worker)
    lesson_url = f"{BASE}/courses/welder/arc/flat/"
    assert data["object"]["id"] == lesson_url
    assert data["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert data["result"] == {"duration": platform.duration(entry.payload["credited_ms"] / 1000)}
    assert re.fullmatch(r"PT(0\.\d+|1(\.\d+)?)S", data["result"]["duration"])
    enrolment = Enrolment.objects.get()
    assert data["context"]["registration"] == str(enrolment.pk)
    assert data["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE}/courses/welder/arc/"
    wall_end_us = max(interval[3] for interval in entry.payload["intervals"])
    assert instant(data["timestamp"]).timestamp() == pytest.approx(wall_end_us / 1e6, abs=1e-6)


def test_presence_prompts_asked_and_answered(player, worker, video_lesson, settings):
    """Asked: the platform asked the worker (the worker is the object, the
    prompt a context activity); answered: the worker answered the prompt."""
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 0
    started = start(player, video_lesson)
    beat(player, started, seq=1, position=0, event="play")
    time.sleep(0.2)
    prompt = beat(player, started, seq=2, position=0.2).json()["prompt"]
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 3600
    answer = player.post(
        reverse("progress-presence", args=[started["session"]]),
        {"prompt": prompt},
        content_type="application/json",
        headers={"X-Study-Token": started["token"]},
    )
    assert answer.status_code == 204
    services.heartbeats_flush()

    lesson_url = f"{BASE}/courses/welder/arc/flat/"
    question = f"{lesson_url}#presence-{prompt}"
    registration = str(Enrolment.objects.get().pk)
    [asked] = statements("asked")
    assert_platform_statement(asked)
    assert asked["actor"]["account"]["name"] == "jiangxue"
    assert asked["object"] == worker_actor(worker)
    assert asked["context"]["registration"] == registration
    assert "platform" not in asked["context"]  # the object is not an Activity
    activities = asked["context"]["contextActivities"]
    assert [a["id"] for a in activities["parent"]] == [lesson_url]
    assert [a["id"] for a in activities["other"]] == [question]
    [answered] = statements("answered")
    assert_platform_statement(answered)
    assert answered["actor"] == worker_actor(worker)
    assert answered["object"]["id"] == question
    assert answered["context"]["platform"] == "Jiangxue"
    assert instant(answered["timestamp"]) > instant(asked["timestamp"])
    # Both are about the worker: an organisation-scoped client sees them.
    assert set(XAPIStatement.objects.values_list("actor_user", flat=True)) == {worker.pk}


# --- through the LRS ------------------------------------------------------------------


def lrs_client(**fields) -> dict:
    client = XAPIClient(name="Warehouse", key="warehouse", can_read_all=True, **fields)
    client.set_secret("s3cret")
    client.save()
    token = base64.b64encode(b"warehouse:s3cret").decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


def test_the_statements_of_a_registration_are_served_by_the_lrs(client, worker, course):
    enrolment = services.enrolment_create(user=worker, course=course)
    services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    services.enrolment_create(user=worker, course=course)  # a new registration
    auth = lrs_client()

    response = client.get(f"/xapi/statements?registration={enrolment.pk}&ascending=true", **auth)
    assert response.status_code == 200
    verbs = [s["verb"]["id"] for s in response.json()["statements"]]
    assert verbs == [ADL + "registered", ADL + "exited"]


def test_client_statements_change_no_progress(client, worker, course, lessons):
    """A client system claiming the worker completed a lesson changes no
    lesson progress, study time or enrolment status."""
    enrolment = services.enrolment_create(user=worker, course=course)
    auth = lrs_client()
    claim = {
        "actor": worker_actor(worker),
        "verb": {"id": ADL + "completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": f"{BASE}/courses/welder/arc/arc-1/"},
        "result": {"completion": True, "duration": "PT8H"},
        "context": {"registration": str(enrolment.pk)},
    }
    response = client.post(
        "/xapi/statements", data=json.dumps(claim), content_type="application/json", **auth
    )
    assert response.status_code == 200
    stored = XAPIStatement.objects.get(verb_id=ADL + "completed")
    assert stored.actor_user == worker  # recognised as the worker, yet:
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.study_seconds) == (Enrolment.Status.ACTIVE, 0)
    assert LessonProgress.objects.count() == 0
    assert not LedgerEntry.objects.filter(kind__startswith="progress.study").exists()


def test_a_played_lesson_is_found_by_its_registration_through_the_lrs(
    client, player, worker, video_lesson, settings
):
    """The worker's trail below the browser: enrol, get asked, answer, play;
    a union's system reads it with ``registration=<enrolment id>``."""
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 0
    started = start(player, video_lesson)
    beat(player, started, seq=1, position=0, event="play")
    time.sleep(0.2)
    prompt = beat(player, started, seq=2, position=0.2).json()["prompt"]
    services.heartbeats_flush()
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 3600
    player.post(
        reverse("progress-presence", args=[started["session"]]),
        {"prompt": prompt},
        content_type="application/json",
        headers={"X-Study-Token": started["token"]},
    )
    for seq in range(3, 6):
        time.sleep(0.2)
        beat(player, started, seq=seq, position=0.2 + (seq - 2) * 0.2)
    services.heartbeats_flush()
    services.play_sessions_summarise(idle_seconds=0)
    enrolment = Enrolment.objects.get()
    auth = lrs_client()

    response = client.get(
        "/xapi/statements", {"registration": str(enrolment.pk), "ascending": "true"}, **auth
    )

    assert response.status_code == 200
    found = response.json()["statements"]
    assert [s["verb"]["id"] for s in found] == [
        ADL + "registered",
        ADL + "asked",
        ADL + "answered",
        ADL + "progressed",
    ]
    assert {s["context"]["registration"] for s in found} == {str(enrolment.pk)}
    agent = json.dumps(worker_actor(worker))
    by_agent = client.get("/xapi/statements", {"agent": agent}, **auth).json()["statements"]
    assert len(by_agent) == 4  # the asked statement names the worker as its object


def test_study_statements_are_written_set_wise(player, video_lesson):
    """The flusher's statements cost the same queries for 2 facts as for 12:
    pages looked up together, one insert per table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms.ledger import Fact
    from progress.models import PlaySession
    from progress.xapi.services import study_facts_record

    session_id = start(player, video_lesson)["session"]
    sessions = {session_id: PlaySession.objects.get(pk=session_id)}

    def facts(n: int) -> list[Fact]:
        at_us = round(time.time() * 1_000_000)
        return [
            Fact(
                kind=f"progress.presence.{'asked' if i % 2 == 0 else 'answered'}",
                payload={
                    "prompt": str(uuid.uuid4()),
                    "session": session_id,
                    "asked_at_us": at_us,
                    "answered_at_us": at_us,
                },
            )
            for i in range(n)
        ]

    counts = []
    for n in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            assert len(study_facts_record(facts=facts(n), sessions=sessions)) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4
    assert XAPIStatement.objects.filter(verb_id__in=[ADL + "asked", ADL + "answered"]).count() == 14
