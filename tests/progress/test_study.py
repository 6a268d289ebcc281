"""Study time end to end below the browser: the player's endpoints, the Redis
buffer, the flusher, lesson progress, presence prompts and the ledger, on
real PostgreSQL and Redis."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from lms.ledger import verify_entries
from lms.models import LedgerEntry, Membership
from media_pipeline.models import VideoAsset
from progress import heartbeats as buffer
from progress import services
from progress.models import CreditedInterval, Enrolment, LessonProgress, PlaySession, PresencePrompt
from tests.courses.factories import CoursePageFactory, LessonPageFactory, TradePageFactory
from tests.lms.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DURATION = 120.0


@pytest.fixture
def asset(db):
    return VideoAsset.objects.create(
        title="平焊", status=VideoAsset.Status.READY, published_version="v1", duration=DURATION
    )


@pytest.fixture
def lesson(catalogue_page, asset):
    trade = TradePageFactory(parent=catalogue_page)
    course = CoursePageFactory(parent=trade)
    return LessonPageFactory(parent=course, video=asset)


@pytest.fixture
def catalogue_page(db):
    from courses.models import CatalogueIndexPage

    return CatalogueIndexPage.objects.get()


def browser() -> Client:
    """A browser that asks for English, so messages compare with their msgids."""
    return Client(headers={"accept-language": "en"})


def _worker():
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Membership.Role.WORKER)
    return user


@pytest.fixture
def worker(db):
    return _worker()


@pytest.fixture
def enrolment(worker, lesson):
    return services.enrolment_create(user=worker, course=lesson.get_parent().specific)


@pytest.fixture
def player(worker, enrolment):
    client = browser()
    client.force_login(worker)
    return client


TOKENS: dict[str, str] = {}


def start(client, lesson):
    response = client.post(reverse("progress-session-start", args=[lesson.pk]))
    assert response.status_code == 201, response.content
    data = response.json()
    TOKENS[data["session"]] = data["token"]
    return data


def token_of(session) -> dict:
    return {"X-Study-Token": TOKENS.get(str(session), "")}


def beat(client, session, token=None, **fields):
    body = {"position": 0, "rate": 1.0, "playing": True, "visible": True, "event": "tick"}
    body.update(fields)
    return client.post(
        reverse("progress-heartbeat", args=[session]),
        data=json.dumps(body),
        content_type="application/json",
        headers=token_of(session) if token is None else {"X-Study-Token": token},
    )


def play(client, session, *, seconds: float, step: float = 0.25, seq: int = 1, at: float = 0.0):
    """Really play for ``seconds``: a heartbeat every ``step`` of wall-clock time."""
    position = at
    beat(client, session, seq=seq, position=position, event="play")
    for _ in range(round(seconds / step)):
        time.sleep(step)
        seq, position = seq + 1, position + step
        assert beat(client, session, seq=seq, position=position).status_code in (200, 204)
    return seq, position


def stream_length() -> int:
    return buffer.client().xlen(buffer.STREAM)


def test_played_time_is_credited_by_the_flusher_and_never_beyond_the_clock(
    player, lesson, enrolment
):
    session = start(player, lesson)["session"]
    started = time.monotonic()
    play(player, session, seconds=1.0)
    wall = time.monotonic() - started
    assert not CreditedInterval.objects.exists()  # nothing credited before the flush

    assert services.heartbeats_flush() == 5

    intervals = list(CreditedInterval.objects.all())
    assert len(intervals) == 1  # continuous playback is one interval
    credited = intervals[0].seconds
    assert 0.6 <= credited <= wall
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.covered_seconds == pytest.approx(intervals[0].media_end, abs=0.01)
    assert progress.last_position == pytest.approx(1.0)
    enrolment.refresh_from_db()
    assert enrolment.study_seconds == pytest.approx(credited)
    assert PlaySession.objects.get(pk=session).heartbeats == 5


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"position": -1}, 400, "The position must be between 0 and the length of the video."),
        ({"position": DURATION + 5}, 400, "The position must be between 0 and the length"),
        ({"rate": 0}, 400, "The playback rate must be between 0.25 and 4."),
        ({"rate": 16}, 400, "The playback rate must be between 0.25 and 4."),
        ({"rate": "fast"}, 400, "must be a number"),
        ({"seq": 0}, 400, "The sequence number must be a positive whole number."),
        ({"seq": 1.5}, 400, "The sequence number must be a positive whole number."),
        ({"playing": "yes"}, 400, "must be true or false"),
        ({"event": "teleport"}, 400, "Unknown player event."),
        ({"event": "seek"}, 400, "must be a number"),
    ],
)
def test_malformed_heartbeats_are_refused_and_nothing_is_buffered(
    player, lesson, fields, status, message
):
    session = start(player, lesson)["session"]
    response = beat(player, session, **{"seq": 1, **fields})
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert stream_length() == 0


def test_sequence_going_backwards_gets_409_and_a_duplicate_changes_nothing(player, lesson):
    session = start(player, lesson)["session"]
    assert beat(player, session, seq=5, position=0).status_code == 204
    assert beat(player, session, seq=5, position=0).status_code == 204  # a retry
    response = beat(player, session, seq=3, position=0)
    assert response.status_code == 409
    assert "went backwards" in response.json()["detail"]
    assert stream_length() == 1


def _intruder_token(lesson) -> tuple[Client, str]:
    """Another enrolled worker, with a play token of their own."""
    intruder = _worker()
    services.enrolment_create(user=intruder, course=lesson.get_parent().specific)
    client = browser()
    client.force_login(intruder)
    return client, start(client, lesson)["token"]


def test_another_users_session_gets_403(player, lesson):
    session = start(player, lesson)["session"]
    client, own_token = _intruder_token(lesson)
    response = beat(client, session, token=own_token, seq=1)
    assert response.status_code == 403
    assert response.json()["detail"] == "This viewing session belongs to another user."
    forged = beat(client, session, token=f"{session}:1:forged", seq=1)
    assert forged.status_code == 403
    assert stream_length() == 0


def test_refusals_are_in_chinese_by_default(player, lesson):
    session = start(player, lesson)["session"]
    _client, own_token = _intruder_token(lesson)
    response = beat(Client(), session, token=own_token, seq=1)
    assert response.status_code == 403
    assert response.json()["detail"] == "这次观看属于另一位用户。"


def test_unknown_session_and_anonymous_are_refused(player, lesson, worker):
    unknown = "7d0f8e9a-0000-4000-8000-000000000000"
    token = services.play_token_make(session_id=unknown, user_id=worker.pk)
    assert beat(player, unknown, token=token, seq=1).status_code == 410
    assert beat(player, "not-a-uuid", seq=1).status_code == 404
    session = start(player, lesson)["session"]
    assert beat(browser(), session, token="", seq=1).status_code == 401
    assert stream_length() == 0


def test_session_start_needs_the_csrf_token_and_heartbeats_the_play_token(player, worker, lesson):
    strict = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    strict.force_login(worker)
    # The cookie session alone starts nothing without the CSRF token…
    assert strict.post(reverse("progress-session-start", args=[lesson.pk])).status_code == 403
    # …and heartbeats, CSRF-exempt, take the play token and nothing else: the
    # cookie a cross-site page could make the browser send is worthless.
    session = start(player, lesson)["session"]
    assert beat(strict, session, token="", seq=1).status_code == 401
    assert stream_length() == 0
    assert beat(strict, session, seq=1).status_code == 204
    assert stream_length() == 1


def test_a_batch_left_by_a_dead_flusher_is_folded_once(player, lesson, enrolment):
    session = start(player, lesson)["session"]
    play(player, session, seconds=0.5)
    # A flusher reads the batch, commits its effects and dies before the ack.
    dead = buffer.batch_read(consumer="dead-flusher")
    assert len(dead.ids) == 3
    services.heartbeats_fold(events=dead.events)  # the crash lands between commit and ack
    credited = CreditedInterval.objects.get().seconds

    # Another flusher claims what was left pending and folds it again.
    claimed = buffer.batch_read(consumer="next-flusher", claim_idle_ms=0)
    assert sorted(claimed.ids) == sorted(dead.ids)
    services.heartbeats_fold(events=claimed.events)
    buffer.batch_done(claimed)

    assert CreditedInterval.objects.get().seconds == pytest.approx(credited)
    assert stream_length() == 0
    assert services.heartbeats_flush() == 0


def test_seeking_ahead_credits_nothing_and_cannot_complete_the_lesson(player, lesson, enrolment):
    session = start(player, lesson)["session"]
    seq, _position = play(player, session, seconds=0.5)
    beat(player, session, seq=seq + 1, position=DURATION - 1, event="seek", **{"from": 0.5})
    time.sleep(0.5)
    beat(player, session, seq=seq + 2, position=DURATION, event="ended", playing=False)
    services.heartbeats_flush()

    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.covered_seconds < 2
    assert progress.completed_at is None


def test_presence_prompt_stops_crediting_until_answered(player, lesson, settings):
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 0
    session = start(player, lesson)["session"]
    assert beat(player, session, seq=1, position=0, event="play").status_code == 204
    time.sleep(0.3)
    response = beat(player, session, seq=2, position=0.3)
    assert response.status_code == 200
    prompt = response.json()["prompt"]
    # Unanswered: the player keeps "playing" (a bot), nothing more is credited.
    for seq in range(3, 6):
        time.sleep(0.2)
        assert beat(player, session, seq=seq, position=0.3 + (seq - 2) * 0.2).json() == {
            "prompt": prompt
        }
    services.heartbeats_flush()
    before = CreditedInterval.objects.get().seconds
    assert before <= 0.31

    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 3600
    url = reverse("progress-presence", args=[session])
    answer = player.post(
        url, {"prompt": prompt}, content_type="application/json", headers=token_of(session)
    )
    assert answer.status_code == 204
    again = player.post(
        url,
        {"prompt": "no-such-prompt"},
        content_type="application/json",
        headers=token_of(session),
    )
    assert again.status_code == 409
    time.sleep(0.3)
    beat(player, session, seq=6, position=1.1)
    time.sleep(0.3)
    beat(player, session, seq=7, position=1.4)
    services.heartbeats_flush()

    after = sum(i.seconds for i in CreditedInterval.objects.all())
    assert 0.2 <= after - before <= 0.61
    row = PresencePrompt.objects.get(pk=prompt)
    assert row.answered_at is not None and row.answered_at > row.issued_at
    kinds = list(LedgerEntry.objects.order_by("position").values_list("kind", flat=True))
    assert kinds[-2:] == ["progress.presence.asked", "progress.presence.answered"]


def test_a_reload_does_not_dodge_an_open_prompt(player, lesson, settings):
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 0
    first = start(player, lesson)["session"]
    beat(player, first, seq=1, event="play")
    time.sleep(0.1)
    prompt = beat(player, first, seq=2, position=0.1).json()["prompt"]

    reloaded = start(player, lesson)
    assert reloaded["prompt"] == prompt
    again = beat(player, reloaded["session"], seq=1, position=0.1, event="play").json()["prompt"]
    assert again and again != prompt  # asked again, in the new tab


def test_two_tabs_playing_at_once_credit_one(worker, enrolment, lesson):
    tab_a, tab_b = browser(), browser()
    tab_a.force_login(worker)
    tab_b.force_login(worker)
    a, b = start(tab_a, lesson)["session"], start(tab_b, lesson)["session"]
    started = time.monotonic()
    beat(tab_a, a, seq=1, event="play")
    beat(tab_b, b, seq=1, position=60, event="play")
    for seq in range(2, 6):
        time.sleep(0.25)
        beat(tab_a, a, seq=seq, position=(seq - 1) * 0.25)
        beat(tab_b, b, seq=seq, position=60 + (seq - 1) * 0.25)
    wall = time.monotonic() - started
    services.heartbeats_flush()

    total = sum(i.seconds for i in CreditedInterval.objects.all())
    assert 0.5 <= total <= wall
    enrolment.refresh_from_db()
    assert enrolment.study_seconds == pytest.approx(total)


def test_resume_at_the_last_position(player, lesson):
    session = start(player, lesson)["session"]
    play(player, session, seconds=0.5, at=42.0)
    assert start(player, lesson)["resume_at"] == pytest.approx(42.5)
    # A page opened and left without playing keeps the place for the next one.
    assert start(player, lesson)["resume_at"] == pytest.approx(42.5)
    # Once the buffer forgot the session, the flushed lesson progress answers.
    services.heartbeats_flush()
    for opened in PlaySession.objects.all():
        buffer.client().delete(f"jx:hb:s:{opened.pk}")
    assert start(player, lesson)["resume_at"] == pytest.approx(42.5)


def test_quiet_sessions_are_summarised_in_the_ledger_once(player, lesson, enrolment):
    session = start(player, lesson)["session"]
    play(player, session, seconds=0.5)
    services.heartbeats_flush()

    assert services.play_sessions_summarise(idle_seconds=0) == 1
    assert services.play_sessions_summarise(idle_seconds=0) == 0

    entry = LedgerEntry.objects.get(kind="progress.study.credited")
    interval = CreditedInterval.objects.get()
    assert entry.payload["session"] == session
    assert entry.payload["enrolment"] == str(enrolment.pk)
    assert entry.payload["intervals"][0][:2] == [0, round(interval.media_end * 1000)]
    assert entry.subject == f"user:{enrolment.user_id}"
    chain = LedgerEntry.objects.filter(chain="progress").order_by("position")
    assert verify_entries(chain) is None


def test_only_enrolled_workers_and_staff_fetch_the_video(player, lesson, asset, worker):
    stranger = browser()
    stranger.force_login(_worker())
    url = f"/media/hls/{asset.pk}/v1/master.m3u8"
    assert stranger.get(url).status_code == 403
    assert player.get(url).status_code == 404  # allowed; this test asset has no files
    Enrolment.objects.filter(user=worker).update(status=Enrolment.Status.WITHDRAWN)
    from django.core.cache import cache

    cache.clear()
    assert player.get(url).status_code == 403


def test_a_worker_not_enrolled_cannot_start_a_session(lesson):
    client = browser()
    client.force_login(_worker())
    response = client.post(reverse("progress-session-start", args=[lesson.pk]))
    assert response.status_code == 403
    assert response.json()["detail"] == "Enrol in this course to study its lessons."


def test_without_redis_the_in_process_buffer_credits_each_heartbeat_at_once(
    player, lesson, enrolment, settings
):
    """The embedded default (no REDIS_URL): same code on fakeredis, flushed inline."""
    settings.PROGRESS_REDIS_URL = ""
    settings.PROGRESS_FLUSH_INLINE = True
    session = start(player, lesson)["session"]
    play(player, session, seconds=0.5)

    assert CreditedInterval.objects.filter(session_id=session).get().seconds > 0.3
    assert buffer.client().xlen(buffer.STREAM) == 0


def test_a_heartbeat_touches_no_database(player, lesson, django_assert_num_queries):
    """The write path is one Redis script: no session, user or row lookup in
    PostgreSQL (the flusher does the database work in batches)."""
    session = start(player, lesson)["session"]
    with django_assert_num_queries(0):
        assert beat(player, session, seq=1, event="play").status_code == 204
        assert beat(player, session, seq=2, position=0.1).status_code == 204


def test_two_tabs_credit_one_across_flushes(worker, enrolment, lesson):
    tab_a, tab_b = browser(), browser()
    tab_a.force_login(worker)
    tab_b.force_login(worker)
    a, b = start(tab_a, lesson)["session"], start(tab_b, lesson)["session"]
    started = time.monotonic()
    beat(tab_a, a, seq=1, event="play")
    beat(tab_b, b, seq=1, position=60, event="play")
    time.sleep(0.5)
    beat(tab_a, a, seq=2, position=0.5)
    services.heartbeats_flush()  # tab A's first half second is credited
    time.sleep(0.5)
    beat(tab_a, a, seq=3, position=1.0)
    beat(tab_b, b, seq=2, position=61.0)  # tab B's whole second overlaps tab A
    wall = time.monotonic() - started
    services.heartbeats_flush()

    total = sum(i.seconds for i in CreditedInterval.objects.all())
    assert 0.8 <= total <= wall


def test_the_flusher_writes_set_wise_whatever_the_number_of_sessions(player, lesson):
    """A batch costs the same number of SQL statements for 2 sessions as
    for 6: every write is one bulk statement per table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for tabs in (1, 2, 6):  # the first round also creates the lesson progress row
        sessions = [start(player, lesson)["session"] for _ in range(tabs)]
        for session in sessions:
            beat(player, session, seq=1, position=10, event="play")
        time.sleep(0.2)
        for session in sessions:
            beat(player, session, seq=2, position=10.2)
        with CaptureQueriesContext(connection) as queries:
            assert services.heartbeats_flush() == 2 * tabs
        counts.append(len(queries))
    assert counts[1] == counts[2]
