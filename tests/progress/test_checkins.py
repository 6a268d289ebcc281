"""Daily check-in with streaks; classroom check-in with a rotating QR token."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import translation

from lms.exceptions import ApplicationError
from lms.models import LedgerEntry
from progress import selectors, services
from progress.models import ClassCheckIn, ClassSession, DailyCheckIn
from tests.courses.factories import instructor_create
from tests.progress import factories
from tests.progress.factories import worker_create

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …

UTC = dt.UTC
ROTATE = 10


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"), override_settings(PROGRESS_CHECKIN_ROTATE_SECONDS=ROTATE):
        yield


def entries(kind):
    return list(LedgerEntry.objects.filter(chain="progress", kind=kind).order_by("position"))


# --- daily check-in ------------------------------------------------------------------


def test_daily_checkin_is_once_per_china_day(worker):
    """The day is Asia/Shanghai's: 17:00 UTC is already the next day there.
    Checking in again the same day changes nothing."""
    morning = dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    first = services.daily_checkin_create(user=worker, now=morning)
    assert (first.created, first.streak, first.checkin.date) == (True, 1, dt.date(2026, 11, 20))

    again = services.daily_checkin_create(user=worker, now=morning + dt.timedelta(hours=14))
    assert (again.created, again.streak, again.checkin.pk) == (False, 1, first.checkin.pk)

    after_midnight = dt.datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st
    next_day = services.daily_checkin_create(user=worker, now=after_midnight)
    assert (next_day.created, next_day.streak) == (True, 2)
    assert next_day.checkin.date == dt.date(2026, 11, 21)

    assert DailyCheckIn.objects.filter(user=worker).count() == 2
    assert [e.payload for e in entries("progress.checkin.daily")] == [
        {"date": "2026-11-20"},
        {"date": "2026-11-21"},
    ]
    assert {e.subject for e in entries("progress.checkin.daily")} == {f"user:{worker.pk}"}


def noon(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_streak_counts_consecutive_days(worker):
    """Consecutive days ending today, or yesterday while today is still open;
    a missed day starts again from zero."""
    for day in (10, 11, 15, 16, 17):
        services.daily_checkin_create(user=worker, now=noon(day))

    assert selectors.checkin_streak_get(user=worker, now=noon(17)) == 3
    assert selectors.checkin_streak_get(user=worker, now=noon(18)) == 3  # not yet today
    assert selectors.checkin_streak_get(user=worker, now=noon(19)) == 0  # missed the 18th
    assert selectors.checkin_streak_get(user=worker, now=noon(11)) == 2
    assert selectors.checkin_streak_get(user=worker, now=noon(14)) == 0
    assert services.daily_checkin_create(user=worker, now=noon(19)).streak == 1


def test_streak_is_per_worker(worker, enterprise):
    colleague = worker_create(organisation=enterprise)
    services.daily_checkin_create(user=colleague, now=noon(16))
    services.daily_checkin_create(user=colleague, now=noon(17))
    assert selectors.checkin_streak_get(user=worker, now=noon(17)) == 0
    assert selectors.checkin_streak_get(user=colleague, now=noon(17)) == 2


# --- classroom sessions -------------------------------------------------------------

# A moment 1 s into a token window, so "now" and the window are predictable.
WINDOW = 178_000_000
NOW = dt.datetime.fromtimestamp(WINDOW * ROTATE + 1, tz=UTC)


@pytest.fixture
def session(course, instructor):
    course.instructors = [instructor]
    course.save()
    return services.class_session_create(
        actor=instructor,
        course=course,
        title="焊接实操第一课",
        starts_at=NOW - dt.timedelta(minutes=10),
        ends_at=NOW + dt.timedelta(hours=2),
        location="福州实训基地 2 号车间",
    )


@pytest.fixture
def enrolled(worker, course):
    services.enrolment_create(user=worker, course=course)
    return worker


def token_at(session, moment):
    return selectors.class_session_token_get(session=session, now=moment)


def assert_refused(*, user, session, token, now, code, status, message=None):
    checkins_before = ClassCheckIn.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        services.class_checkin_create(user=user, session=session, token=token, now=now)
    assert (excinfo.value.extra["code"], excinfo.value.extra["status"]) == (code, status)
    if message is not None:
        assert excinfo.value.message == message
    assert ClassCheckIn.objects.count() == checkins_before
    return excinfo.value


def test_class_session_create_by_the_course_instructor(session, instructor):
    assert session.created_by == instructor
    assert len(session.secret) == 64


def test_class_session_create_refusals(course, instructor, provider):
    course.instructors = [instructor]
    course.save()
    stranger = instructor_create(organisation=provider, username="stranger")
    with pytest.raises(ApplicationError) as excinfo:
        services.class_session_create(
            actor=stranger, course=course, title="x", starts_at=NOW, ends_at=NOW
        )
    assert excinfo.value.message == "Only the course's instructors can schedule its classes."
    with pytest.raises(ApplicationError) as excinfo:
        services.class_session_create(
            actor=instructor, course=course, title="x", starts_at=NOW, ends_at=NOW
        )
    assert excinfo.value.message == "The class must end after it starts."
    assert ClassSession.objects.count() == 0


def test_token_shape_and_rotation(session):
    token = token_at(session, NOW)
    session_id, window, mac = token.split(".")
    assert (int(session_id), int(window), len(mac)) == (session.pk, WINDOW, 20)
    assert token_at(session, NOW + dt.timedelta(seconds=ROTATE - 2)) == token
    assert token_at(session, NOW + dt.timedelta(seconds=ROTATE)) != token


def test_current_token_checks_in(session, enrolled):
    """The token on the screen now checks the worker in: a row and a ledger entry."""
    checkin = services.class_checkin_create(
        user=enrolled, session=session, token=token_at(session, NOW), now=NOW
    )
    assert (checkin.user, checkin.session, checkin.window) == (enrolled, session, WINDOW)
    [entry] = entries("progress.checkin.class")
    assert entry.subject == f"user:{enrolled.pk}"
    assert entry.payload == {
        "session": str(session.pk),
        "course": str(session.course_id),
        "window": WINDOW,
        "checked_in_at": NOW.isoformat(),
    }


def test_previous_window_token_is_still_accepted(session, enrolled):
    previous = token_at(session, NOW - dt.timedelta(seconds=ROTATE))
    checkin = services.class_checkin_create(user=enrolled, session=session, token=previous, now=NOW)
    assert checkin.window == WINDOW - 1


def test_stale_token_is_refused(session, enrolled):
    """Two windows old (a photo sent to a friend): expired, 410, nothing written."""
    stale = token_at(session, NOW - dt.timedelta(seconds=2 * ROTATE))
    assert_refused(
        user=enrolled,
        session=session,
        token=stale,
        now=NOW,
        code="token_expired",
        status=410,
        message="This code has expired: scan the code on the screen again.",
    )
    assert entries("progress.checkin.class") == []


def test_checking_in_twice_is_refused(session, enrolled):
    token = token_at(session, NOW)
    services.class_checkin_create(user=enrolled, session=session, token=token, now=NOW)
    assert_refused(
        user=enrolled,
        session=session,
        token=token,
        now=NOW,
        code="already_checked_in",
        status=409,
        message="You have already checked in to this class.",
    )
    assert len(entries("progress.checkin.class")) == 1


def test_another_workers_can_use_the_same_code(session, enrolled, enterprise, course):
    colleague = worker_create(organisation=enterprise)
    services.enrolment_create(user=colleague, course=course)
    token = token_at(session, NOW)
    services.class_checkin_create(user=enrolled, session=session, token=token, now=NOW)
    services.class_checkin_create(user=colleague, session=session, token=token, now=NOW)
    assert ClassCheckIn.objects.filter(session=session).count() == 2


def test_token_of_another_session_is_refused(session, enrolled, instructor, course):
    other = services.class_session_create(
        actor=instructor,
        course=course,
        title="焊接实操第二课",
        starts_at=NOW - dt.timedelta(minutes=5),
        ends_at=NOW + dt.timedelta(hours=1),
    )
    assert_refused(
        user=enrolled,
        session=session,
        token=token_at(other, NOW),
        now=NOW,
        code="token_other_session",
        status=400,
        message="This code belongs to another class. Scan the code on your classroom's screen.",
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # altered mac
        lambda token: token.replace(f".{WINDOW}.", f".{WINDOW + 1}."),  # shifted window
        lambda token: "999999." + token.split(".", 1)[1],  # no such session
    ],
    ids=["mac", "window", "session"],
)
def test_forged_token_is_refused(session, enrolled, forge):
    assert_refused(
        user=enrolled,
        session=session,
        token=forge(token_at(session, NOW)),
        now=NOW,
        code="token_invalid",
        status=400,
        message="This check-in code is not valid. Scan the code on the classroom screen.",
    )


def test_future_window_is_refused(session, enrolled):
    future = token_at(session, NOW + dt.timedelta(seconds=ROTATE))
    assert_refused(
        user=enrolled, session=session, token=future, now=NOW, code="token_invalid", status=400
    )


@pytest.mark.parametrize("token", ["", "abc", "1.2.3", "1.2." + "g" * 20, "1.2." + "a" * 64])
def test_malformed_token_is_refused(session, enrolled, token):
    assert_refused(
        user=enrolled,
        session=session,
        token=token,
        now=NOW,
        code="token_malformed",
        status=400,
        message="This is not a check-in code. Scan the code on the classroom screen.",
    )


def test_worker_not_enrolled_is_refused(session, worker):
    assert_refused(
        user=worker,
        session=session,
        token=token_at(session, NOW),
        now=NOW,
        code="not_enrolled",
        status=403,
        message="You are not enrolled in this class's course.",
    )


def test_session_must_be_open(session, enrolled):
    """From 30 minutes before the start until the end."""
    early = session.starts_at - dt.timedelta(minutes=31)
    assert_refused(
        user=enrolled,
        session=session,
        token=token_at(session, early),
        now=early,
        code="session_closed",
        status=403,
    )
    late = session.ends_at + dt.timedelta(seconds=1)
    assert_refused(
        user=enrolled,
        session=session,
        token=token_at(session, late),
        now=late,
        code="session_closed",
        status=403,
    )
    opening = session.starts_at - dt.timedelta(minutes=29)
    services.class_checkin_create(
        user=enrolled, session=session, token=token_at(session, opening), now=opening
    )


def test_ticket_gives_time_to_press_the_button(session, enrolled, enterprise, course):
    """A token checked when the link opened stays good for this worker for the
    confirmation; a ticket is not transferable."""
    token = token_at(session, NOW)
    ticket = selectors.class_checkin_ticket_get(
        user=enrolled, session=session, token=token, now=NOW
    )
    colleague = worker_create(organisation=enterprise)
    services.enrolment_create(user=colleague, course=course)
    later = NOW + dt.timedelta(seconds=60)
    with pytest.raises(ApplicationError) as excinfo:
        services.class_checkin_create(
            user=colleague, session=session, token=token, ticket=ticket, now=later
        )
    assert excinfo.value.extra["code"] == "token_expired"
    with pytest.raises(ApplicationError) as excinfo:
        services.class_checkin_create(user=enrolled, session=session, token=token, now=later)
    assert excinfo.value.extra["code"] == "token_expired"
    assert ClassCheckIn.objects.count() == 0

    checkin = services.class_checkin_create(
        user=enrolled, session=session, token=token, ticket=ticket, now=later
    )
    assert checkin.window == WINDOW


def test_tampered_ticket_is_refused(session, enrolled):
    token = token_at(session, NOW)
    ticket = selectors.class_checkin_ticket_get(
        user=enrolled, session=session, token=token, now=NOW
    )
    with pytest.raises(ApplicationError) as excinfo:
        services.class_checkin_create(
            user=enrolled, session=session, token=token, ticket=ticket + "x", now=NOW
        )
    assert excinfo.value.extra["code"] == "token_expired"
    assert ClassCheckIn.objects.count() == 0
