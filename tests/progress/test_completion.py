"""The completion rule: each criterion, idempotence, finality after a rule
edit, the ledger fact and xAPI statements, and the flusher evaluating it when
credited study crosses a threshold (on PostgreSQL and Redis)."""

import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from lms.ledger import verify_entries
from lms.models import LedgerEntry
from progress import selectors, services
from progress.models import Certificate, CourseCompletion, Enrolment
from progress.xapi.models import XAPIStatement
from tests.courses import conftest as courses_conftest
from tests.progress import completion_factories
from tests.progress.completion_factories import DURATION, complete, cover

globals().update(completion_factories.fixtures())
globals().update({"admin_user_client": courses_conftest.admin_user_client})

pytestmark = pytest.mark.django_db


def criteria(enrolment) -> dict:
    status = selectors.completion_status_for(enrolment=enrolment)
    return {c.key: (c.met, c.done, c.total) for c in status.criteria}


def assert_nothing_completed(enrolment) -> None:
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.completed_at is None
    assert not CourseCompletion.objects.exists()
    assert not Certificate.objects.exists()
    assert not LedgerEntry.objects.filter(kind="progress.completed").exists()
    assert not XAPIStatement.objects.filter(verb_id__endswith="/completed").exists()


# --- Lesson coverage -----------------------------------------------------------------


def test_every_video_lesson_must_reach_the_threshold(enrolment, video_lessons):
    """Default 90 %: one lesson at 95 % and one at 89 % is not enough."""
    first, second = video_lessons
    cover(enrolment, first, 95)
    cover(enrolment, second, 89)

    assert criteria(enrolment) == {"coverage": (False, "1", "2")}
    assert services.completion_evaluate(enrolment=enrolment) is False
    assert_nothing_completed(enrolment)

    cover(enrolment, second, 90)
    assert criteria(enrolment) == {"coverage": (True, "2", "2")}
    assert services.completion_evaluate(enrolment=enrolment) is True
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None


def test_reading_only_lessons_are_not_part_of_coverage(enrolment, video_lessons, reading_lesson):
    """The reading lesson has no progress row at all, and the course completes."""
    for lesson in video_lessons:
        cover(enrolment, lesson, 100)
    assert criteria(enrolment)["coverage"] == (True, "2", "2")
    assert services.completion_evaluate(enrolment=enrolment) is True


def test_the_course_sets_its_own_threshold(enrolment, video_course, video_lessons):
    video_course.completion_coverage_percent = 100
    video_course.save()
    enrolment.refresh_from_db()
    for lesson in video_lessons:
        cover(enrolment, lesson, 99)
    assert criteria(enrolment)["coverage"] == (False, "0", "2")
    assert services.completion_evaluate(enrolment=enrolment) is False
    assert_nothing_completed(enrolment)


def test_a_lesson_never_played_is_not_covered(enrolment, video_lessons):
    cover(enrolment, video_lessons[0], 100)
    assert criteria(enrolment)["coverage"] == (False, "1", "2")
    assert services.completion_evaluate(enrolment=enrolment) is False


# --- Study hours ---------------------------------------------------------------------


def test_minimum_study_hours(enrolment, video_course, video_lessons):
    """1 study hour is 2,700 credited seconds (45 minutes)."""
    video_course.completion_min_study_hours = Decimal("1")
    video_course.save()
    enrolment.refresh_from_db()
    cover(enrolment, video_lessons[0], 100, study_seconds=1349.5)
    cover(enrolment, video_lessons[1], 100, study_seconds=1350)

    assert criteria(enrolment) == {
        "coverage": (True, "2", "2"),
        "study_hours": (False, "0.9", "1.0"),
    }
    assert services.completion_evaluate(enrolment=enrolment) is False
    assert_nothing_completed(enrolment)

    cover(enrolment, video_lessons[1], 100, study_seconds=0.5)
    assert criteria(enrolment)["study_hours"] == (True, "1.0", "1.0")
    assert services.completion_evaluate(enrolment=enrolment) is True


def test_no_hours_criterion_when_the_minimum_is_zero(enrolment):
    assert "study_hours" not in criteria(enrolment)


# --- What completion writes ------------------------------------------------------------


def test_completion_writes_the_ledger_xapi_and_the_certificate(enrolment, video_course, worker):
    assert complete(enrolment) is True

    enrolment.refresh_from_db()
    completion = CourseCompletion.objects.get(enrolment=enrolment)
    entry = LedgerEntry.objects.get(kind="progress.completed")
    assert entry.entry_hash == completion.ledger_entry_hash
    assert entry.subject == f"user:{worker.pk}"
    assert entry.payload["enrolment"] == str(enrolment.pk)
    assert entry.payload["course_revision"] == video_course.live_revision_id
    assert entry.payload["rule"] == {
        "coverage_percent": 90,
        "requires_quizzes": True,
        "requires_final_exam": True,
        "requires_practical": True,
        "min_study_hours": "0.0",
    }
    assert entry.payload["figures"]["criteria"] == {
        "coverage": {"met": True, "done": "2", "total": "2"}
    }
    assert completion.course_revision_id == video_course.live_revision_id
    assert completion.completed_at == enrolment.completed_at
    assert verify_entries(LedgerEntry.objects.filter(chain="progress").order_by("position")) is None

    statement = XAPIStatement.objects.get(verb_id="http://adlnet.gov/expapi/verbs/completed")
    assert statement.actor_user_id == worker.pk
    assert statement.data["result"]["completion"] is True
    assert statement.data["result"]["duration"] == "PT3M20S"  # 200 s credited
    assert statement.data["context"]["registration"] == str(enrolment.pk)
    # No final exam in this course: no "passed" statement.
    assert not XAPIStatement.objects.filter(verb_id__endswith="/passed").exists()

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.ledger_entry_hash == entry.entry_hash
    assert certificate.course_revision_id == video_course.live_revision_id


def test_evaluating_again_changes_nothing(enrolment):
    assert complete(enrolment) is True
    first = Certificate.objects.get()
    for _ in range(3):
        assert services.completion_evaluate(enrolment=enrolment) is True
        fresh = Enrolment.objects.get(pk=enrolment.pk)
        assert services.completion_evaluate(enrolment=fresh) is True
    assert CourseCompletion.objects.count() == 1
    assert Certificate.objects.get() == first
    assert LedgerEntry.objects.filter(kind="progress.completed").count() == 1
    assert XAPIStatement.objects.filter(verb_id__endswith="/completed").count() == 1


def test_completion_is_final_after_the_rule_is_edited(enrolment, video_course):
    assert complete(enrolment) is True
    completion = CourseCompletion.objects.get()

    video_course.completion_coverage_percent = 100
    video_course.completion_min_study_hours = Decimal("40")
    video_course.save_revision().publish()
    enrolment = Enrolment.objects.get(pk=enrolment.pk)

    assert services.completion_evaluate(enrolment=enrolment) is True
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    completion.refresh_from_db()
    assert completion.rule["coverage_percent"] == 90
    assert completion.rule["min_study_hours"] == "0.0"
    assert Certificate.objects.get().revoked_at is None


def test_a_withdrawn_enrolment_does_not_complete(enrolment, video_lessons, worker):
    for lesson in video_lessons:
        cover(enrolment, lesson, 100)
    services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    enrolment.refresh_from_db()
    assert services.completion_evaluate(enrolment=enrolment) is False
    assert not CourseCompletion.objects.exists()


def test_a_completed_enrolment_cannot_be_withdrawn(enrolment, worker):
    from lms.exceptions import ApplicationError

    complete(enrolment)
    with pytest.raises(ApplicationError):
        services.enrolment_withdraw(enrolment=enrolment, actor=worker)


def test_completion_sends_the_signal_after_commit(enrolment, django_capture_on_commit_callbacks):
    from progress import signals

    received = []

    def receiver(sender, enrolment, **kwargs):
        received.append(enrolment.pk)

    signals.enrolment_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            complete(enrolment)
        assert received == [enrolment.pk]
    finally:
        signals.enrolment_completed.disconnect(receiver)


# --- Where the worker sees it --------------------------------------------------------


def english(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_the_course_page_and_my_learning_show_the_checklist(enrolment, worker, video_lessons):
    cover(enrolment, video_lessons[0], 95)
    client = english(worker)

    page = client.get(enrolment.course.url).content.decode()
    assert "To complete this course" in page
    assert "Watch at least 90% of every video lesson" in page
    assert "1 of 2 lessons" in page

    mine = client.get(reverse("progress:my-learning")).content.decode()
    assert "1 of 2 lessons" in mine
    assert 'data-criterion="coverage"' in mine


def test_a_completed_course_offers_the_certificate(enrolment, worker):
    complete(enrolment)
    code = Certificate.objects.get().code
    client = english(worker)
    for url in (enrolment.course.url, reverse("progress:my-learning")):
        page = client.get(url).content.decode()
        assert reverse("certificates:pdf", args=[code]) in page
        assert reverse("certificates:credential", args=[code]) in page
        assert reverse("verify:detail", args=[code]) in page
        assert "To complete this course" not in page


# --- The flusher -----------------------------------------------------------------------


@pytest.fixture
def short_video(video):
    video.duration = 2.0
    video.save()
    return video


def test_the_flusher_completes_the_course_when_the_last_lesson_crosses(
    short_video, enrolment, video_lessons, worker
):
    """Real heartbeats for the last lesson, through Redis and the flusher."""
    cover(enrolment, video_lessons[0], 100)
    client = english(worker)
    response = client.post(reverse("progress-session-start", args=[video_lessons[1].pk]))
    assert response.status_code == 201, response.content
    session, token = response.json()["session"], response.json()["token"]

    def beat(seq, position, event="tick"):
        body = {"seq": seq, "position": position, "rate": 1.0, "playing": True}
        body.update(visible=True, event=event)
        response = client.post(
            reverse("progress-heartbeat", args=[session]),
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-Study-Token": token},
        )
        assert response.status_code in (200, 204), response.content

    beat(1, 0.0, "play")
    for seq in range(2, 10):
        time.sleep(0.25)
        beat(seq, min(2.0, (seq - 1) * 0.25))
    assert services.heartbeats_flush() == 9

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert Certificate.objects.filter(enrolment=enrolment).exists()
    assert LedgerEntry.objects.filter(kind="progress.completed").count() == 1


def test_the_flusher_leaves_a_course_open_below_the_threshold(enrolment, video_lessons):
    """Credited study that crosses no threshold completes nothing."""
    from progress.crediting import Beat

    cover(enrolment, video_lessons[0], 10)
    start = services.play_session_start(
        user=enrolment.user, lesson=video_lessons[0], enrolment=enrolment, duration=DURATION
    )
    now = time.time()
    events = [
        (str(start.session.pk), Beat(seq=1, at=now, position=0.0, rate=1.0, playing=True,
                                     visible=True, event="play")),
        (str(start.session.pk), Beat(seq=2, at=now + 1, position=1.0, rate=1.0, playing=True,
                                     visible=True, event="tick")),
    ]  # fmt: skip
    services.heartbeats_fold(events=events)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert not CourseCompletion.objects.exists()


@pytest.mark.parametrize("threshold, done", [(60, True), (62, False)])
def test_a_lesson_is_done_at_the_coverage_its_course_asks_for(
    enrolment, video_course, video_lessons, threshold, done
):
    """The lesson's "done" (which unlocks the next lesson) and the course's
    coverage criterion use one threshold: the course's."""
    from progress.crediting import Beat
    from progress.models import LessonProgress
    from progress.selectors import course_enrolment_state_get

    video_course.completion_coverage_percent = threshold
    video_course.save()
    lesson = video_lessons[0]
    cover(enrolment, lesson, 59)
    start = services.play_session_start(
        user=enrolment.user, lesson=lesson, enrolment=enrolment, duration=DURATION
    )
    now = time.time()
    events = [
        (str(start.session.pk), Beat(seq=1, at=now, position=59.0, rate=1.0, playing=True,
                                     visible=True, event="play")),
        (str(start.session.pk), Beat(seq=2, at=now + 2, position=61.0, rate=1.0, playing=True,
                                     visible=True, event="tick")),
    ]  # fmt: skip
    services.heartbeats_fold(events=events)

    row = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert row.covered_seconds == pytest.approx(61.0)
    assert (row.completed_at is not None) is done
    state = course_enrolment_state_get(user=enrolment.user, course=video_course)
    assert state.lessons[lesson.pk].completed is done


# --- Publishing the course or its lessons --------------------------------------------


def test_publishing_an_easier_rule_completes_who_now_meets_it(
    enrolment, video_course, video_lessons, django_capture_on_commit_callbacks
):
    cover(enrolment, video_lessons[0], 100)
    cover(enrolment, video_lessons[1], 85)
    assert services.completion_evaluate(enrolment=enrolment) is False

    video_course.completion_coverage_percent = 80
    with django_capture_on_commit_callbacks(execute=True):
        video_course.save_revision().publish()

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert CourseCompletion.objects.get().rule["coverage_percent"] == 80


def test_unpublishing_a_lesson_not_studied_completes_the_course(
    enrolment, video_lessons, django_capture_on_commit_callbacks
):
    cover(enrolment, video_lessons[0], 100)
    assert services.completion_evaluate(enrolment=enrolment) is False

    with django_capture_on_commit_callbacks(execute=True):
        video_lessons[1].unpublish()

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert CourseCompletion.objects.get().figures["criteria"]["coverage"] == {
        "met": True,
        "done": "1",
        "total": "1",
    }


@pytest.mark.parametrize(("field", "value"), [("completion_coverage_percent", "101"),
                                              ("completion_coverage_percent", "0"),
                                              ("completion_min_study_hours", "-1")])  # fmt: skip
def test_the_admin_refuses_a_rule_out_of_range(admin_user_client, video_course, field, value):
    """The Completion panel refuses a coverage outside 1-100 % and negative
    hours with the field's message; the course keeps its rule."""
    from tests.courses.test_admin import course_form

    response = admin_user_client.post(
        f"/admin/pages/{video_course.pk}/edit/",
        course_form(video_course, **{field: value, "action-publish": "1"}),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "The page could not be saved due to validation errors" in response.content.decode()
    video_course.refresh_from_db()
    assert (video_course.completion_coverage_percent, video_course.completion_min_study_hours) == (
        90,
        Decimal("0.0"),
    )
    assert not video_course.has_unpublished_changes
