"""Template filters of the progress app."""

from django import template

register = template.Library()


@register.filter
def minutes_seconds(seconds) -> tuple[int, int]:
    """``(minutes, seconds)`` of a duration in seconds, rounded to the second."""
    return divmod(round(float(seconds or 0)), 60)
