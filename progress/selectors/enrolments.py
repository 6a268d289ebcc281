"""Enrolment reads: a worker's open enrolment, their "my learning" list, who
may open a lesson, and what bulk assignment may touch."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.selectors import course_lesson_list, lesson_course_get
from lms.models import Membership, Organisation, User, WorkerProfile
from lms.selectors import user_is_platform_admin, user_roles
from progress.models import AssignmentJob, Enrolment, LessonProgress

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

__all__ = [
    "SECONDS_PER_STUDY_HOUR",
    "CourseEnrolmentState",
    "LessonAccess",
    "MyLearningItem",
    "assignable_workers",
    "assignment_job_get_for",
    "assignment_job_list_for",
    "assignment_organisations_for",
    "course_enrolment_state_get",
    "enrolment_get_open",
    "lesson_access_get",
    "my_learning_list",
    "user_is_worker",
]

# A credited study hour (学时) is 45 minutes.
SECONDS_PER_STUDY_HOUR = 2700

_OPEN = ~Q(status=Enrolment.Status.WITHDRAWN)
_ASSIGNING_ROLES = (Membership.Role.AUDITOR, Membership.Role.FUNDER)


def user_is_worker(*, user) -> bool:
    """Whether ``user`` may study: a worker membership, or a real-name worker
    profile (a worker who signed up on their own, before any union listed
    them)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Membership.objects.filter(user=user, role=Membership.Role.WORKER).exists()
        or WorkerProfile.objects.filter(user=user).exists()
    )


def enrolment_get_open(*, user, course: CoursePage) -> Enrolment | None:
    """The user's enrolment on ``course`` that is not withdrawn (studying or
    completed), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(_OPEN, user=user, course=course).first()


# --- My learning -----------------------------------------------------------------


@dataclass
class MyLearningItem:
    enrolment: Enrolment
    course: CoursePage
    lessons_total: int = 0
    lessons_completed: int = 0
    resume_lesson: LessonPage | None = None
    resume_position: int = 0

    @property
    def study_hours(self) -> Decimal:
        """Credited study hours (学时), one decimal."""
        hours = Decimal(str(self.enrolment.study_seconds)) / SECONDS_PER_STUDY_HOUR
        return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> int:
        return int(100 * self.lessons_completed / self.lessons_total) if self.lessons_total else 0


def my_learning_list(*, user: User) -> list[MyLearningItem]:
    """The worker's open enrolments, newest first, each with lessons completed
    out of the course's live lessons, credited study hours and where to resume
    (the most recently studied lesson and position, else the first lesson).
    Three queries however many courses."""
    enrolments = list(
        Enrolment.objects.filter(_OPEN, user=user).select_related("course").order_by("-enrolled_at")
    )
    if not enrolments:
        return []
    course_paths = {e.course.path: e.course_id for e in enrolments}
    lessons_by_course: dict[int, list[LessonPage]] = {}
    in_courses = Q()
    for path in course_paths:
        in_courses |= Q(path__startswith=path)
    lessons = (
        LessonPage.objects.live().filter(in_courses).defer("body", "attachments").order_by("path")
    )
    lesson_by_id = {}
    for lesson in lessons:
        course_id = course_paths.get(lesson.path[: -Page.steplen])
        if course_id is not None:
            lessons_by_course.setdefault(course_id, []).append(lesson)
            lesson_by_id[lesson.pk] = lesson
    progress_rows = LessonProgress.objects.filter(
        enrolment__in=[e.pk for e in enrolments], lesson_id__in=list(lesson_by_id)
    ).values_list("enrolment_id", "lesson_id", "completed_at", "last_position", "updated_at")
    completed: dict = {}
    latest: dict = {}
    for enrolment_id, lesson_id, completed_at, position, updated_at in progress_rows:
        if completed_at is not None:
            completed[enrolment_id] = completed.get(enrolment_id, 0) + 1
        if enrolment_id not in latest or updated_at > latest[enrolment_id][0]:
            latest[enrolment_id] = (updated_at, lesson_id, position)
    items = []
    for enrolment in enrolments:
        course_lessons = lessons_by_course.get(enrolment.course_id, [])
        item = MyLearningItem(
            enrolment=enrolment,
            course=enrolment.course,
            lessons_total=len(course_lessons),
            lessons_completed=completed.get(enrolment.pk, 0),
        )
        if enrolment.pk in latest:
            _updated, lesson_id, position = latest[enrolment.pk]
            item.resume_lesson = lesson_by_id[lesson_id]
            item.resume_position = int(position or 0)
        elif course_lessons:
            item.resume_lesson = course_lessons[0]
        items.append(item)
    return items


# --- Lesson access ---------------------------------------------------------------


@dataclass
class LessonAccess:
    """Whether ``user`` may study a lesson. ``reason`` (translated) says why
    not; ``required_lesson`` is the earlier lesson to finish first when the
    course locks its order."""

    enrolment: Enrolment | None
    allowed: bool
    reason: str = ""
    required_lesson: LessonPage | None = None
    is_staff: bool = False


def _is_course_staff(*, user, course: CoursePage) -> bool:
    if user.is_superuser:
        return True
    roles = user_roles(user=user)
    if Membership.Role.PLATFORM_ADMIN in roles or Membership.Role.AUDITOR in roles:
        return True
    return Membership.Role.INSTRUCTOR in roles and course.instructors.filter(pk=user.pk).exists()


def lesson_access_get(*, user: User | AnonymousUser, lesson: LessonPage) -> LessonAccess:
    """May ``user`` open ``lesson``? Enrolled workers may, except that in a
    course with ``lessons_in_order`` every earlier lesson must be completed
    first. The course's instructors, platform admins and auditors may always
    view."""
    course = lesson_course_get(lesson=lesson)
    if course is None:
        return LessonAccess(None, False, _("This lesson is not part of a course."))
    if not user.is_authenticated:
        return LessonAccess(None, False, _("Log in and enrol in the course to study this lesson."))
    enrolment = enrolment_get_open(user=user, course=course)
    if _is_course_staff(user=user, course=course):
        return LessonAccess(enrolment, True, is_staff=True)
    if enrolment is None:
        return LessonAccess(None, False, _("Enrol in this course to study its lessons."))
    if not course.lessons_in_order:
        return LessonAccess(enrolment, True)
    earlier = []
    for item in course_lesson_list(course=course):
        if item.pk == lesson.pk:
            break
        earlier.append(item)
    done = set(
        LessonProgress.objects.filter(
            enrolment=enrolment,
            lesson_id__in=[item.pk for item in earlier],
            completed_at__isnull=False,
        ).values_list("lesson_id", flat=True)
    )
    for item in earlier:
        if item.pk not in done:
            return LessonAccess(
                enrolment,
                False,
                _("This course's lessons are taken in order: finish “%(title)s” first.")
                % {"title": item.title},
                required_lesson=item,
            )
    return LessonAccess(enrolment, True)


# --- The course page ------------------------------------------------------------


@dataclass(frozen=True)
class LessonState:
    """One lesson of the course page for an enrolled worker: how much of it
    is covered, whether it is done, and whether it is still locked (a course
    with ``lessons_in_order`` and an earlier lesson not done)."""

    percent: int
    completed: bool
    locked: bool


@dataclass
class CourseEnrolmentState:
    """What the course page offers: log in, enrol, continue, or why not."""

    enrolment: Enrolment | None = None
    logged_in: bool = False
    is_worker: bool = False
    needs_voucher: bool = False
    missing_prerequisites: list[CoursePage] = field(default_factory=list)
    lessons: dict[int, LessonState] = field(default_factory=dict)

    @property
    def can_enrol(self) -> bool:
        return (
            self.logged_in
            and self.is_worker
            and self.enrolment is None
            and not self.needs_voucher
            and not self.missing_prerequisites
        )


def _lesson_states(*, enrolment: Enrolment, course: CoursePage) -> dict[int, LessonState]:
    """Per lesson, in two queries; the same lock rule as ``lesson_access_get``."""
    rows = {
        row.lesson_id: row
        for row in LessonProgress.objects.filter(enrolment=enrolment).only(
            "lesson_id", "covered_seconds", "duration", "completed_at"
        )
    }
    states, blocked = {}, False
    for lesson in course_lesson_list(course=course):
        row = rows.get(lesson.pk)
        completed = bool(row and row.completed_at)
        percent = 100 if completed else 0
        if row and not completed and row.duration:
            percent = min(99, int(100 * row.covered_seconds / row.duration))
        states[lesson.pk] = LessonState(
            percent=percent, completed=completed, locked=course.lessons_in_order and blocked
        )
        blocked = blocked or not completed
    return states


def course_enrolment_state_get(*, user, course: CoursePage) -> CourseEnrolmentState:
    """The enrolment state of ``user`` on ``course`` for its page."""
    state = CourseEnrolmentState(needs_voucher=not course.is_free)
    if not course.pk or not user.is_authenticated:
        return state
    state.logged_in = True
    state.is_worker = user_is_worker(user=user)
    state.enrolment = enrolment_get_open(user=user, course=course)
    if state.enrolment is not None:
        state.lessons = _lesson_states(enrolment=state.enrolment, course=course)
    if state.enrolment is None:
        completed = Enrolment.objects.filter(
            user=user, course=OuterRef("pk"), status=Enrolment.Status.COMPLETED
        )
        state.missing_prerequisites = list(
            course.prerequisites.filter(~Exists(completed)).order_by("path")
        )
    return state


# --- Bulk assignment ---------------------------------------------------------------


def assignment_organisations_for(*, user) -> QuerySet[Organisation]:
    """Organisations for which ``user`` may assign courses to workers: every
    one for platform admins; for union auditors and funders, the
    organisations where they hold that role and everything under them."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user_is_platform_admin(user=user):
        return Organisation.objects.order_by("path")
    holds_role_above = Membership.objects.filter(user=user, role__in=_ASSIGNING_ROLES).filter(
        StartsWith(OuterRef("path"), F("organisation__path"))
    )
    return Organisation.objects.filter(Exists(holds_role_above)).order_by("path")


def assignable_workers(*, organisation: Organisation) -> QuerySet[User]:
    """Workers an organisation may assign: those with a worker membership in
    its subtree, or employed by an enterprise in its subtree."""
    member_below = Membership.objects.filter(
        user=OuterRef("pk"),
        role=Membership.Role.WORKER,
        organisation__path__startswith=organisation.path,
    )
    employed_below = WorkerProfile.objects.filter(
        user=OuterRef("pk"), employer__path__startswith=organisation.path
    )
    is_worker = Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.WORKER)
    return User.objects.filter(Exists(member_below) | (Exists(employed_below) & Exists(is_worker)))


def assignment_job_list_for(*, user) -> QuerySet[AssignmentJob]:
    """Assignment jobs of the organisations ``user`` may assign for, newest first."""
    return (
        AssignmentJob.objects.filter(organisation__in=assignment_organisations_for(user=user))
        .select_related("organisation", "created_by")
        .order_by("-created_at")
    )


def assignment_job_get_for(*, user, job_id: int) -> AssignmentJob | None:
    return assignment_job_list_for(user=user).filter(pk=job_id).first()
