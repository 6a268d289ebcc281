"""Reads of practical tasks (photos or videos of the worker's own work,
graded by an instructor): the outcomes the completion rule counts, the
worker's view of a lesson's task, and the instructors' review queue (only
submissions for courses of the training providers they teach for)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from courses.models import CoursePage, LessonPage
from courses.selectors import course_lesson_list
from lms.models import Membership
from progress.models import Enrolment, PracticalPhoto, PracticalSubmission

if TYPE_CHECKING:
    from lms.models import User

__all__ = [
    "PracticalOutcomes",
    "PracticalView",
    "practical_grader_provider_ids",
    "practical_may_grade",
    "practical_outcomes_for",
    "practical_photo_get_for",
    "practical_review_queue_for",
    "practical_submission_get_for_grader",
    "practical_video_owned",
    "practical_view_for",
]


@dataclass(frozen=True)
class PracticalOutcomes:
    """Practical tasks of the course's live lessons, and how many of them the
    worker passed (graded by an instructor)."""

    tasks: int = 0
    tasks_passed: int = 0


def practical_outcomes_for(*, enrolment) -> PracticalOutcomes:
    """How many of the course's live lessons have a practical task, and for
    how many of them this enrolment has a passing grade (two queries)."""
    # A task without a rubric cannot be graded, so it does not count.
    lesson_ids = set(
        course_lesson_list(course=enrolment.course)
        .filter(practical_enabled=True, rubric_criteria__isnull=False)
        .values_list("pk", flat=True)
    )
    if not lesson_ids:
        return PracticalOutcomes()
    passed = (
        PracticalSubmission.objects.filter(
            enrolment=enrolment,
            lesson_id__in=lesson_ids,
            status=PracticalSubmission.Status.GRADED,
            passed=True,
        )
        .values("lesson_id")
        .distinct()
        .count()
    )
    return PracticalOutcomes(tasks=len(lesson_ids), tasks_passed=passed)


# --- the worker's view of a lesson's task ---------------------------------------


@dataclass
class PracticalView:
    """What the lesson page shows of its practical task to one user."""

    lesson: LessonPage
    enrolment: Enrolment | None
    submissions: list[PracticalSubmission] = field(default_factory=list)

    @property
    def latest(self) -> PracticalSubmission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def waiting(self) -> bool:
        latest = self.latest
        return latest is not None and latest.status == PracticalSubmission.Status.SUBMITTED

    @property
    def passed(self) -> bool:
        return any(s.passed for s in self.submissions)

    @property
    def can_submit(self) -> bool:
        return (
            self.enrolment is not None
            and self.enrolment.status == Enrolment.Status.ACTIVE
            and bool(self.lesson.rubric_criteria.all())
            and not self.waiting
            and not self.passed
        )


def practical_view_for(*, lesson: LessonPage, enrolment: Enrolment | None) -> PracticalView:
    """The lesson's task with the enrolment's submissions, newest first, their
    photos and videos loaded (three queries)."""
    submissions = []
    if enrolment is not None:
        submissions = list(
            PracticalSubmission.objects.filter(enrolment=enrolment, lesson=lesson)
            .select_related("video")
            .prefetch_related("photos")
            .order_by("-submitted_at")
        )
    return PracticalView(lesson=lesson, enrolment=enrolment, submissions=submissions)


def practical_video_owned(*, user: User, asset_id: int) -> bool:
    """Is the video ``asset_id`` one the user handed in for a practical task?"""
    return PracticalSubmission.objects.filter(user=user, video_id=asset_id).exists()


# --- graders --------------------------------------------------------------------


def practical_grader_provider_ids(*, user: User) -> set[int]:
    """The training providers ``user`` is an instructor of."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.INSTRUCTOR).values_list(
            "organisation_id", flat=True
        )
    )


def practical_may_grade(*, user: User, course: CoursePage) -> bool:
    """Only instructors of the course's training provider grade its tasks."""
    return course.provider_id is not None and course.provider_id in (
        practical_grader_provider_ids(user=user)
    )


def _graded_by(user: User) -> QuerySet[PracticalSubmission]:
    providers = practical_grader_provider_ids(user=user)
    return PracticalSubmission.objects.filter(
        enrolment__course__provider_id__in=providers
    ).select_related("user", "lesson", "enrolment__course")


def practical_review_queue_for(
    *, user: User, status: str = PracticalSubmission.Status.SUBMITTED
) -> QuerySet[PracticalSubmission]:
    """Submissions of the user's providers' courses in ``status``: waiting
    ones oldest first (the queue), graded ones newest first."""
    order = "submitted_at" if status == PracticalSubmission.Status.SUBMITTED else "-graded_at"
    return _graded_by(user).filter(status=status).order_by(order)


def practical_submission_get_for_grader(*, user: User, submission_id) -> PracticalSubmission | None:
    """One submission if ``user`` may grade it (else None: a 404, so that
    another provider's submissions are not even confirmed to exist)."""
    return (
        _graded_by(user)
        .select_related("video", "graded_by")
        .prefetch_related("photos")
        .filter(pk=submission_id)
        .first()
    )


def practical_photo_get_for(*, user: User, photo_id: int) -> PracticalPhoto | None:
    """A submission's photo for its worker or a grader of its course, else None."""
    photo = (
        PracticalPhoto.objects.select_related("submission__enrolment__course")
        .filter(pk=photo_id)
        .first()
    )
    if photo is None or not user.is_authenticated:
        return None
    if photo.submission.user_id == user.pk:
        return photo
    if practical_may_grade(user=user, course=photo.submission.enrolment.course):
        return photo
    return None
