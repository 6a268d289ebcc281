"""Reads of study time: video access and a worker's credited intervals."""

from __future__ import annotations

from django.db.models import QuerySet

from courses.models import LessonPage

from ..models import CreditedInterval, Enrolment, LessonProgress

__all__ = [
    "credited_interval_list",
    "lesson_progress_get",
    "video_enrolled_get",
]


def video_enrolled_get(*, user, asset_id: int) -> bool:
    """Is ``user`` enrolled (open enrolment) in a course with a live lesson
    that shows the video ``asset_id``? Two small queries."""
    lessons = LessonPage.objects.live().filter(video_id=asset_id)
    paths = [
        path[: len(path) - LessonPage.steplen] for path in lessons.values_list("path", flat=True)
    ]
    if not paths:
        return False
    return (
        Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
        .filter(user=user, course__path__in=paths)
        .exists()
    )


def lesson_progress_get(*, enrolment: Enrolment, lesson) -> LessonProgress | None:
    return LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()


def credited_interval_list(*, user, lesson=None) -> QuerySet[CreditedInterval]:
    """A worker's credited intervals, oldest first (the audit trail)."""
    rows = CreditedInterval.objects.filter(user=user)
    if lesson is not None:
        rows = rows.filter(lesson=lesson)
    return rows.order_by("wall_start")
