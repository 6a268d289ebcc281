"""Handlers for other apps' signals; each enqueues one task or calls one
service.

Wagtail publishing a course (its completion rule may be easier now) or
publishing or unpublishing one of its lessons (the lessons that count may
have changed) re-evaluates the course's studying enrolments in the
background, after the publication commits.
"""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from courses.models import CoursePage, LessonPage


def _evaluate_later(course_id: int | None) -> None:
    if course_id is None:
        return
    from progress import tasks

    transaction.on_commit(lambda: tasks.completions_evaluate_course.delay(course_id))


@receiver(page_published, sender=CoursePage, dispatch_uid="progress_course_published")
def course_published(sender, instance: CoursePage, **kwargs):
    _evaluate_later(instance.pk)


@receiver(page_published, sender=LessonPage, dispatch_uid="progress_lesson_published")
@receiver(page_unpublished, sender=LessonPage, dispatch_uid="progress_lesson_unpublished")
def lesson_changed(sender, instance: LessonPage, **kwargs):
    parent = instance.get_parent()
    _evaluate_later(parent.pk if parent is not None else None)
