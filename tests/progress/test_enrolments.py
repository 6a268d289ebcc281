"""Enrolment, withdrawal, lesson access and the "my learning" list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from lms.exceptions import ApplicationError
from lms.models import LedgerEntry, Membership
from progress import selectors, services, signals
from progress.models import Enrolment, LessonProgress
from tests.lms.factories import UserFactory
from tests.progress import factories
from tests.progress.factories import enrolment_make, staff_create, worker_create

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def progress_entries():
    return list(LedgerEntry.objects.filter(chain="progress").order_by("position"))


def refused(**kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        services.enrolment_create(**kwargs)
    return excinfo.value


# --- enrolment_create -----------------------------------------------------------


def test_worker_enrols_in_a_free_course(worker, course, django_capture_on_commit_callbacks):
    """A worker enrols in a free course: an active enrolment, a ledger entry in
    the same transaction, and the enrolment_created signal after commit."""
    received = []

    def receiver(sender, enrolment, **kwargs):
        received.append(enrolment.pk)

    signals.enrolment_created.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = services.enrolment_create(user=worker, course=course)
    finally:
        signals.enrolment_created.disconnect(receiver)

    enrolment.refresh_from_db()
    assert (enrolment.user, enrolment.course_id) == (worker, course.pk)
    assert enrolment.source == Enrolment.Source.SELF
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert received == [enrolment.pk]
    [entry] = progress_entries()
    assert entry.kind == "progress.enrolled"
    assert entry.subject == f"user:{worker.pk}"
    assert entry.actor_id == worker.pk
    assert entry.payload == {
        "enrolment": str(enrolment.pk),
        "course": str(course.pk),
        "source": "self",
        "assigned_by": None,
    }


def test_paid_course_is_refused_without_a_voucher(worker, make_course, welder):
    """A paid course cannot be self-enrolled; nothing is written."""
    paid = make_course(parent=welder, voucher_price=Decimal("120.00"))
    error = refused(user=worker, course=paid)
    assert error.message == (
        "This course is paid with a training voucher: enrol with your voucher code."
    )
    assert error.extra["status"] == 403
    assert Enrolment.objects.count() == 0
    assert progress_entries() == []


def test_voucher_enrolment_of_a_paid_course(worker, make_course, welder):
    """The hook the voucher app calls: source=voucher enrols in a paid course."""
    paid = make_course(parent=welder, voucher_price=Decimal("120.00"))
    enrolment = services.enrolment_create(user=worker, course=paid, source=Enrolment.Source.VOUCHER)
    assert enrolment.source == "voucher"
    assert [e.payload["source"] for e in progress_entries()] == ["voucher"]


def test_a_voucher_is_not_spent_on_a_course_already_enrolled(worker, course):
    services.enrolment_create(user=worker, course=course)
    error = refused(user=worker, course=course, source=Enrolment.Source.VOUCHER)
    assert error.extra["code"] == "already_enrolled"
    assert Enrolment.objects.count() == 1


def test_only_workers_enrol(course):
    """A user without a worker membership or real-name profile is refused."""
    user = UserFactory()
    error = refused(user=user, course=course)
    assert error.message == (
        "Only workers can enrol in courses. Add your real-name identity on your profile first."
    )
    assert Enrolment.objects.count() == 0
    assert progress_entries() == []


def test_draft_course_is_refused(worker, make_course, welder):
    draft = make_course(parent=welder, publish=False)
    error = refused(user=worker, course=draft)
    assert error.message == "This course is not open for enrolment."
    assert Enrolment.objects.count() == 0


def test_prerequisites_must_be_completed(worker, make_course, welder):
    """A course with prerequisites lists the ones not completed; once they
    are completed, enrolment goes through."""
    basics = make_course(parent=welder, title="焊接安全")
    theory = make_course(parent=welder, title="焊接识图")
    advanced = make_course(parent=welder, title="压力管道焊接")
    advanced.prerequisites = [basics, theory]
    advanced.save()

    enrolment_make(user=worker, course=theory, status=Enrolment.Status.ACTIVE)
    error = refused(user=worker, course=advanced)
    assert error.message == "Complete these courses first: “焊接安全”, “焊接识图”."
    assert error.extra["code"] == "prerequisites_missing"

    enrolment_make(user=worker, course=basics, status=Enrolment.Status.COMPLETED)
    error = refused(user=worker, course=advanced)
    assert error.message == "Complete these courses first: “焊接识图”."
    assert Enrolment.objects.filter(course=advanced).count() == 0
    assert progress_entries() == []

    Enrolment.objects.filter(course=theory).update(status=Enrolment.Status.COMPLETED)
    enrolment = services.enrolment_create(user=worker, course=advanced)
    assert enrolment.course_id == advanced.pk


def test_another_workers_completion_does_not_count(worker, enterprise, make_course, welder):
    basics = make_course(parent=welder, title="焊接安全")
    advanced = make_course(parent=welder, title="压力管道焊接")
    advanced.prerequisites = [basics]
    advanced.save()
    colleague = worker_create(organisation=enterprise)
    enrolment_make(user=colleague, course=basics, status=Enrolment.Status.COMPLETED)
    enrolment_make(user=worker, course=basics, status=Enrolment.Status.WITHDRAWN)
    assert refused(user=worker, course=advanced).extra["code"] == "prerequisites_missing"


def test_enrolling_twice(worker, course, union):
    """Self-enrolling twice says so; assigning again returns the open
    enrolment unchanged (idempotent) and writes nothing more."""
    first = services.enrolment_create(user=worker, course=course)
    error = refused(user=worker, course=course)
    assert error.message == "You are already enrolled in this course."
    assert error.extra["status"] == 409
    again = services.enrolment_create(
        user=worker, course=course, source=Enrolment.Source.ASSIGNED, assigned_by=union
    )
    assert again.pk == first.pk
    assert again.source == Enrolment.Source.SELF
    assert Enrolment.objects.count() == 1
    assert len(progress_entries()) == 1


def test_assigned_enrolment_records_the_organisation_and_actor(worker, course, union):
    auditor = staff_create(organisation=union, role=Membership.Role.AUDITOR)
    enrolment = services.enrolment_create(
        user=worker,
        course=course,
        source=Enrolment.Source.ASSIGNED,
        assigned_by=union,
        actor=auditor,
    )
    assert enrolment.assigned_by == union
    [entry] = progress_entries()
    assert entry.actor_id == auditor.pk
    assert entry.subject == f"user:{worker.pk}"
    assert entry.payload["assigned_by"] == str(union.pk)


# --- enrolment_withdraw ---------------------------------------------------------


def test_withdraw_then_enrol_again(worker, course, django_capture_on_commit_callbacks):
    """Withdrawal closes the enrolment (ledger entry, signal with the reason
    after commit); the worker may enrol again and gets a fresh enrolment."""
    enrolment = services.enrolment_create(user=worker, course=course)
    received = []

    def receiver(sender, enrolment, reason, **kwargs):
        received.append((enrolment.pk, reason))

    signals.enrolment_withdrawn.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.enrolment_withdraw(enrolment=enrolment, actor=worker, reason=" 没时间 ")
    finally:
        signals.enrolment_withdrawn.disconnect(receiver)

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawn_at is not None
    assert received == [(enrolment.pk, "没时间")]
    assert selectors.enrolment_get_open(user=worker, course=course) is None

    again = services.enrolment_create(user=worker, course=course)
    assert again.pk != enrolment.pk
    assert [e.kind for e in progress_entries()] == [
        "progress.enrolled",
        "progress.withdrawn",
        "progress.enrolled",
    ]
    assert progress_entries()[1].payload == {
        "enrolment": str(enrolment.pk),
        "course": str(course.pk),
        "reason": "没时间",
    }


def test_withdraw_refusals_change_nothing(worker, enterprise, course):
    enrolment = services.enrolment_create(user=worker, course=course)
    colleague = worker_create(organisation=enterprise)
    with pytest.raises(ApplicationError) as excinfo:
        services.enrolment_withdraw(enrolment=enrolment, actor=colleague)
    assert excinfo.value.message == "You can only withdraw from your own courses."

    services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    with pytest.raises(ApplicationError) as excinfo:
        services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    assert excinfo.value.extra["code"] == "already_withdrawn"
    assert [e.kind for e in progress_entries()] == ["progress.enrolled", "progress.withdrawn"]


def test_a_completed_course_cannot_be_withdrawn(worker, course):
    enrolment = enrolment_make(user=worker, course=course, status=Enrolment.Status.COMPLETED)
    with pytest.raises(ApplicationError) as excinfo:
        services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    assert excinfo.value.extra["code"] == "completed"
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert progress_entries() == []


# --- lesson_access_get ----------------------------------------------------------


def complete(enrolment, lesson):
    LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, completed_at=timezone.now())


def test_lesson_access_needs_an_enrolment(worker, course, lessons):
    access = selectors.lesson_access_get(user=worker, lesson=lessons[2])
    assert (access.allowed, access.enrolment) == (False, None)
    assert access.reason == "Enrol in this course to study its lessons."

    anonymous = selectors.lesson_access_get(user=AnonymousUser(), lesson=lessons[0])
    assert anonymous.allowed is False
    assert anonymous.reason == "Log in and enrol in the course to study this lesson."

    enrolment = services.enrolment_create(user=worker, course=course)
    access = selectors.lesson_access_get(user=worker, lesson=lessons[2])
    assert (access.allowed, access.enrolment) == (True, enrolment)


def test_locked_order_means_no_skipping_to_the_end(worker, course, lessons):
    """In a course with lessons in order, a lesson opens only once every
    earlier lesson is completed."""
    course.lessons_in_order = True
    course.save()
    enrolment = services.enrolment_create(user=worker, course=course)

    assert selectors.lesson_access_get(user=worker, lesson=lessons[0]).allowed is True
    last = selectors.lesson_access_get(user=worker, lesson=lessons[2])
    assert last.allowed is False
    assert last.reason == "This course's lessons are taken in order: finish “安全防护” first."
    assert last.required_lesson.pk == lessons[0].pk

    complete(enrolment, lessons[0])
    assert selectors.lesson_access_get(user=worker, lesson=lessons[1]).allowed is True
    last = selectors.lesson_access_get(user=worker, lesson=lessons[2])
    assert (last.allowed, last.required_lesson.pk) == (False, lessons[1].pk)

    complete(enrolment, lessons[1])
    assert selectors.lesson_access_get(user=worker, lesson=lessons[2]).allowed is True


def test_the_course_page_shows_done_watched_and_locked_lessons(worker, course, lessons, client):
    """The enrolled worker's course page: the first lesson done, the second
    part-watched and open, the third locked (no link) until the second is done."""
    course.lessons_in_order = True
    course.save()
    enrolment = services.enrolment_create(user=worker, course=course)
    complete(enrolment, lessons[0])
    LessonProgress.objects.create(
        enrolment=enrolment, lesson=lessons[1], duration=600, covered_seconds=150
    )
    client.force_login(worker)

    html = client.get(course.url, headers={"accept-language": "en"}).content.decode()
    items = html.split('<ol class="lessons">')[1].split("</ol>")[0].split("<li")[1:]
    assert "Done" in items[0] and f'href="{lessons[0].url}"' in items[0]
    assert "25% watched" in items[1] and f'href="{lessons[1].url}"' in items[1]
    assert 'class="locked"' in items[2] and "Locked" in items[2]
    assert f'href="{lessons[2].url}"' not in items[2]

    states = selectors.course_enrolment_state_get(user=worker, course=course).lessons
    assert [states[lesson.pk].locked for lesson in lessons] == [False, False, True]


def test_staff_may_always_view(course, lessons, instructor, provider, union):
    course.lessons_in_order = True
    course.instructors = [instructor]
    course.save()
    auditor = staff_create(organisation=union, role=Membership.Role.AUDITOR)
    for user in (instructor, auditor):
        access = selectors.lesson_access_get(user=user, lesson=lessons[2])
        assert (access.allowed, access.is_staff) == (True, True)
    from tests.courses.factories import instructor_create

    other = instructor_create(organisation=provider, username="other-teacher")
    assert selectors.lesson_access_get(user=other, lesson=lessons[2]).allowed is False


def test_withdrawn_worker_loses_access(worker, course, lessons):
    enrolment = services.enrolment_create(user=worker, course=course)
    services.enrolment_withdraw(enrolment=enrolment, actor=worker)
    assert selectors.lesson_access_get(user=worker, lesson=lessons[0]).allowed is False


# --- my_learning_list -------------------------------------------------------------


def test_my_learning_list(worker, course, lessons, make_course, make_lesson, welder,
                          django_assert_num_queries):  # fmt: skip
    """Each open enrolment with lessons completed out of live lessons,
    credited hours (45-minute 学时) and the lesson to resume, in three queries."""
    other = make_course(parent=welder, title="气焊")
    other_lesson = make_lesson(parent=other, title="气焊安全")
    make_lesson(parent=other, title="草稿", publish=False)
    gone = make_course(parent=welder, title="退出的课")

    arc = services.enrolment_create(user=worker, course=course)
    Enrolment.objects.filter(pk=arc.pk).update(study_seconds=4050)  # 1.5 学时
    complete(arc, lessons[0])
    LessonProgress.objects.create(enrolment=arc, lesson=lessons[1], last_position=95.6)
    now = timezone.now()
    LessonProgress.objects.filter(lesson=lessons[0]).update(updated_at=now - timedelta(hours=1))
    LessonProgress.objects.filter(lesson=lessons[1]).update(updated_at=now)
    second = services.enrolment_create(user=worker, course=other)
    withdrawn = services.enrolment_create(user=worker, course=gone)
    services.enrolment_withdraw(enrolment=withdrawn, actor=worker)

    with django_assert_num_queries(3):
        items = selectors.my_learning_list(user=worker)

    assert [item.enrolment.pk for item in items] == [second.pk, arc.pk]
    fresh, studied = items
    assert (fresh.lessons_completed, fresh.lessons_total) == (0, 1)
    assert (fresh.resume_lesson.pk, fresh.resume_position) == (other_lesson.pk, 0)
    assert fresh.study_hours == Decimal("0.0")
    assert (studied.lessons_completed, studied.lessons_total, studied.percent) == (1, 3, 33)
    assert studied.study_hours == Decimal("1.5")
    assert (studied.resume_lesson.pk, studied.resume_position) == (lessons[1].pk, 95)
