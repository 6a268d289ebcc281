"""Template filters of the progress app."""

from django import template

register = template.Library()


@register.filter
def minutes_seconds(seconds) -> tuple[int, int]:
    """``(minutes, seconds)`` of a duration in seconds, rounded to the second."""
    return divmod(round(float(seconds or 0)), 60)


@register.filter
def lesson_state(states: dict, lesson_id: int):
    """The ``LessonState`` of one lesson from ``CourseEnrolmentState.lessons``."""
    return (states or {}).get(lesson_id)
