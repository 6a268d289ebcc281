"""Reads of study time: who may fetch a lesson's video."""

from __future__ import annotations

from courses.models import LessonPage

from ..models import Enrolment

__all__ = ["video_enrolled_get"]


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
