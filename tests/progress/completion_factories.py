"""Fixtures for completion and certificates: a course of two video lessons
and one reading-only lesson, a worker enrolled in it, and ``cover`` to put
credited coverage on a lesson as the flusher leaves it.

Test modules take the fixtures with ``globals().update(completion_factories.fixtures())``.
"""

import pytest

from media_pipeline.models import VideoAsset
from progress import services
from progress.models import LessonProgress
from tests.progress import factories

DURATION = 100.0

FIXTURES = (
    *factories.FIXTURES,
    "video",
    "video_course",
    "video_lessons",
    "reading_lesson",
    "enrolment",
)
globals().update(factories.fixtures())


@pytest.fixture
def video(db):
    return VideoAsset.objects.create(
        title="平焊", status=VideoAsset.Status.READY, published_version="v1", duration=DURATION
    )


@pytest.fixture
def video_course(make_course, welder):
    return make_course(parent=welder, title="焊条电弧焊入门（初级）", slug="arc-cert")


@pytest.fixture
def video_lessons(video_course, make_lesson, video):
    return [
        make_lesson(parent=video_course, title=title, slug=f"arc-cert-{n}", video=video)
        for n, title in enumerate(["引弧", "平焊"], start=1)
    ]


@pytest.fixture
def reading_lesson(video_course, make_lesson, video_lessons):
    return make_lesson(parent=video_course, title="安全须知", slug="arc-cert-safety")


@pytest.fixture
def enrolment(worker, video_course, video_lessons, reading_lesson):
    return services.enrolment_create(user=worker, course=video_course)


def cover(enrolment, lesson, percent: float, *, study_seconds: float | None = None):
    """The lesson's credited coverage at ``percent`` of its video (and that
    much study time, added to the enrolment as the flusher adds it)."""
    covered = DURATION * percent / 100
    study = covered if study_seconds is None else study_seconds
    row, _created = LessonProgress.objects.update_or_create(
        enrolment=enrolment,
        lesson=lesson,
        defaults={
            "duration": DURATION,
            "covered": [[0.0, covered]] if covered else [],
            "covered_seconds": covered,
            "study_seconds": study,
        },
    )
    enrolment.study_seconds += study
    enrolment.save(update_fields=["study_seconds"])
    return row


def complete(enrolment) -> bool:
    """Cover every video lesson fully and evaluate."""
    for lesson in enrolment.course.get_children().specific():
        if getattr(lesson, "video_id", None):
            cover(enrolment, lesson, 100)
    return services.completion_evaluate(enrolment=enrolment)


def fixtures() -> dict:
    return {name: globals()[name] for name in FIXTURES}
